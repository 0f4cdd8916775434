"""Pure: the platform's event signature, HMAC-SHA256 over ``"<timestamp>.<raw body>"``, and its checks."""

from __future__ import annotations

import hashlib
import hmac


class BadSignature(Exception):
    """Why a signed request was refused (said to the caller in general terms only)."""


def sign(secret: str, timestamp: int, body: bytes) -> str:
    return "v1=" + hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def verify(secret: str, timestamp: str | None, signature: str | None, body: bytes, *, now: float, window: int) -> None:
    """Raise ``BadSignature`` unless ``signature`` (one or more ``v1=<hex>``, comma-separated, so the platform
    can sign with an old and a new secret while rotating) matches and ``timestamp`` is within ``window``."""
    if not timestamp or not signature:
        raise BadSignature("missing X-Platform-Timestamp or X-Platform-Signature")
    if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > 12:
        raise BadSignature("X-Platform-Timestamp is not a unix time")
    if abs(now - int(timestamp)) > window:
        raise BadSignature("X-Platform-Timestamp is outside the accepted window")
    expected = sign(secret, int(timestamp), body)
    offered = [part.strip().encode("utf-8", "surrogatepass") for part in signature.split(",")]
    if not any(hmac.compare_digest(expected.encode(), candidate) for candidate in offered):
        raise BadSignature("the signature does not match")
