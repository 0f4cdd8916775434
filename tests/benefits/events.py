"""Signed platform change events for tests: what the platform would POST to ``/v1/platform/events`` (or in a
batch), and the worker's drain of what the hub accepted."""

from __future__ import annotations

import json

from services import clock
from services.platform.signatures import sign

SECRET = "sandbox-events-secret"


def change_event(event_id: str, agency: str, record_id: str, occurred_at: str, document, **extra) -> bytes:
    body = {
        "event_id": event_id,
        "type": "record.changed",
        "agency": agency,
        "person_id": None,
        "record_id": record_id,
        "occurred_at": occurred_at,
        "document": document,
        **extra,
    }
    return json.dumps(body).encode()


def post_event(client, raw: bytes, *, secret=SECRET, timestamp=None, event_id=None, signature=None):
    """POST ``raw`` signed with ``secret`` (the development secret unless told), as the platform does."""
    timestamp = int(clock.now().timestamp()) if timestamp is None else timestamp
    headers = {
        "Content-Type": "application/json",
        "X-Platform-Timestamp": str(timestamp),
        "X-Platform-Signature": sign(secret, timestamp, raw) if signature is None else signature,
        "X-Platform-Event-Id": event_id or json.loads(raw)["event_id"],
    }
    return client.post("/v1/platform/events", data=raw, headers=headers)


def post_batch(client, events: list[bytes], *, secret=SECRET):
    """POST ``events`` (each a ``change_event`` body) as one signed ``/v1/platform/event-batches`` request."""
    raw = json.dumps({"events": [json.loads(one) for one in events]}).encode()
    timestamp = int(clock.now().timestamp())
    headers = {
        "Content-Type": "application/json",
        "X-Platform-Timestamp": str(timestamp),
        "X-Platform-Signature": sign(secret, timestamp, raw),
    }
    return client.post("/v1/platform/event-batches", data=raw, headers=headers)


def apply_accepted(hub) -> int:
    """Run the drains the accepted events queued, as a worker would (other pending jobs stay pending)."""
    return hub.runner.run_pending("benefits.apply_platform_events")
