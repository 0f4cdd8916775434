"""Push transports: one tiny protocol, FCM through firebase-admin (``fcm.py``) and a logging stand-in (``log.py``).

The hub holds one per process (``Hub.push``, typed by ``services.hub.PushTransport``, which this protocol refines
with the message and result types); ``transport_from_settings`` is how the composition root builds it."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Literal, Protocol

from services.hub import PushTransport as HubPushTransport

if TYPE_CHECKING:
    from config import Settings

Outcome = Literal["sent", "token_invalid", "retryable", "failed"]
OUTCOMES: tuple[Outcome, ...] = ("sent", "token_invalid", "retryable", "failed")


@dataclasses.dataclass(frozen=True)
class PushMessage:
    """One push to one device. ``data`` travels to the app untouched (string values only, as FCM requires)."""

    token: str
    title: str
    body: str
    data: dict[str, str] = dataclasses.field(default_factory=dict)
    urgent: bool = False
    collapse_key: str | None = None


@dataclasses.dataclass(frozen=True)
class PushResult:
    """What happened to one message: the caller deactivates on ``token_invalid`` and retries on ``retryable``
    (no sooner than ``retry_after`` seconds when the provider asked for a wait longer than the transport keeps
    inside itself)."""

    outcome: Outcome
    provider_message_id: str | None = None
    error_code: str | None = None
    detail: str | None = None
    retry_after: float | None = None

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"unknown push outcome {self.outcome!r}")

    @property
    def ok(self) -> bool:
        return self.outcome == "sent"

    @classmethod
    def sent(cls, provider_message_id: str) -> PushResult:
        return cls("sent", provider_message_id=provider_message_id)

    @classmethod
    def not_sent(cls) -> PushResult:
        """The push was never handed to the provider (the sender was told to stop first)."""
        return cls("retryable", error_code=NOT_SENT, detail="not sent: the sender stopped before this push")

    @property
    def never_left(self) -> bool:
        return self.error_code == NOT_SENT


NOT_SENT = "NOT_SENT"
ResultCallback = Callable[[int, PushResult], None]


class PushTransport(HubPushTransport, Protocol):
    """Sends pushes; returns one result per message, in the order given. Never raises for a refused message.

    ``on_result(index, result)`` (from any thread) is told each answer as soon as it is known, at most once per
    message and in agreement with the returned list, so a caller can record answers while the rest are still
    in flight. Once ``stop`` is set, pushes not yet handed to the provider are not sent: they come back as
    ``PushResult.not_sent()``.
    """

    name: str

    def send(
        self,
        messages: Sequence[PushMessage],
        *,
        on_result: ResultCallback | None = None,
        stop: threading.Event | None = None,
    ) -> list[PushResult]: ...


def transport_from_settings(settings: Settings) -> PushTransport:
    """FCM unless pushes are only logged (``PUSH_TRANSPORT=log``, or no FCM credentials: the embedded default;
    staging and production refuse the latter unless ``PUSH_TRANSPORT=log`` says so, see config.py)."""
    if not settings.pushes_only_logged:
        from notifications.transports.fcm import FCMTransport

        return FCMTransport.from_settings(settings)
    from notifications.transports.log import LogTransport

    return LogTransport()
