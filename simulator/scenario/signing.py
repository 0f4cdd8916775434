"""The platform's event signature: HMAC-SHA256 over "<timestamp>.<raw body>" with the shared secret."""

from __future__ import annotations

import hashlib
import hmac


def event_signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def signed_headers(secret: str, timestamp: int, body: bytes, event_id: str | None = None) -> dict[str, str]:
    """The headers of a signed POST: one event's (with its ``X-Platform-Event-Id``) or a batch's (``None``)."""
    headers = {
        "Content-Type": "application/json",
        "X-Platform-Timestamp": str(timestamp),
        "X-Platform-Signature": event_signature(secret, timestamp, body),
    }
    if event_id is not None:
        headers["X-Platform-Event-Id"] = event_id
    return headers
