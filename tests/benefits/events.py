"""Signed platform change events for tests: what the platform would POST to ``/v1/platform/events``."""

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
