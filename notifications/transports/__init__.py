"""Push transports: one tiny protocol, FCM through firebase-admin (``fcm.py``) and a logging stand-in (``log.py``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal, Protocol

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
    """What happened to one message: the caller deactivates on ``token_invalid`` and retries on ``retryable``."""

    outcome: Outcome
    provider_message_id: str | None = None
    error_code: str | None = None
    detail: str | None = None

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"unknown push outcome {self.outcome!r}")

    @property
    def ok(self) -> bool:
        return self.outcome == "sent"

    @classmethod
    def sent(cls, provider_message_id: str) -> PushResult:
        return cls("sent", provider_message_id=provider_message_id)


class PushTransport(Protocol):
    """Sends pushes; returns one result per message, in the order given. Never raises for a refused message."""

    name: str

    def send(self, messages: Sequence[PushMessage]) -> list[PushResult]: ...


def transport_from_settings(settings: Settings) -> PushTransport:
    """FCM when credentials are configured; otherwise the logging transport of the embedded default."""
    if settings.fcm_credentials_path:
        from notifications.transports.fcm import FCMTransport

        return FCMTransport.from_settings(settings)
    from notifications.transports.log import LogTransport

    return LogTransport()
