"""The embedded default: pushes are logged, not sent, so the hub runs without Firebase credentials."""

from __future__ import annotations

import hashlib
import logging
import threading
import uuid
from collections.abc import Sequence

from notifications.transports import PushMessage, PushResult, ResultCallback

logger = logging.getLogger("notifications.push")

# Only these data keys are safe to log: ids and codes, never text a resident could be identified by.
_LOGGED_DATA_KEYS = ("message_id", "category")


def token_fingerprint(token: str) -> str:
    """A short, stable hash that lets an operator match log lines to a device without exposing its token."""
    return hashlib.sha256(token.encode()).hexdigest()[:12]


class LogTransport:
    """Logs one structured line per push (ids and a token fingerprint; no token, title or body) and reports it sent."""

    name = "log"

    def __init__(self, log: logging.Logger = logger) -> None:
        self._log = log

    def send(
        self,
        messages: Sequence[PushMessage],
        *,
        on_result: ResultCallback | None = None,
        stop: threading.Event | None = None,
    ) -> list[PushResult]:
        results = []
        for index, message in enumerate(messages):
            result = PushResult.not_sent() if stop is not None and stop.is_set() else self._log_push(message)
            results.append(result)
            if on_result is not None:
                on_result(index, result)
        return results

    def _log_push(self, message: PushMessage) -> PushResult:
        provider_message_id = f"log/{uuid.uuid4().hex}"
        line = {
            "event": "push.logged",
            "provider_message_id": provider_message_id,
            "token_hash": token_fingerprint(message.token),
            "urgent": message.urgent,
            **{key: message.data[key] for key in _LOGGED_DATA_KEYS if key in message.data},
        }
        self._log.info("push logged", extra=line)
        return PushResult.sent(provider_message_id)
