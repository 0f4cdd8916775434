"""Sending queued push deliveries: claim at most 500, send them in one ``send_each``, record every answer.

Crash safety, and its one honest window. A worker first *claims* a batch in its own committed transaction
(``queued → sending`` with a claim token; ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two workers never
claim the same row), then sends, then commits every answer of that batch in one transaction. A worker killed
before it sends leaves the batch ``sending``; after ``SENDING_LEASE`` the next run puts those rows back to
``queued`` and sends them: nothing is lost. Batches already recorded are never sent again. The one window is
a kill *after FCM accepted a batch and before our commit*: those pushes (at most one batch per worker) are
sent again after the lease, because FCM has no idempotency key to ask it. Every push carries the message id
as its collapse key (``apns-collapse-id`` / Android ``collapse_key``), so a phone that receives it twice
replaces the first notification rather than showing two.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import random
import uuid

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from notifications import devices as device_service
from notifications.transports import PushMessage, PushResult, PushTransport, transport_from_settings
from services import clock
from services.components import component
from services.errors import NotFound
from services.models.notifications import Device, NotificationMessage, PushDelivery

log = logging.getLogger("notifications.delivery")

MAX_BATCH = 500
SENDING_LEASE = dt.timedelta(minutes=5)
MAX_ATTEMPTS = 6
BACKOFF_FIRST = dt.timedelta(seconds=30)
BACKOFF_CAP = dt.timedelta(hours=1)


@component("push")
def build_push_transport(context) -> PushTransport:
    """The ``push`` component: FCM when ``FCM_CREDENTIALS_PATH`` is set, else the logging transport."""
    return transport_from_settings(context.settings)


def push_transport(context) -> PushTransport:
    return context.component("push")


@dataclasses.dataclass
class SendReport:
    batches: int = 0
    sent: int = 0
    token_invalid: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0
    reclaimed: int = 0

    def add(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)


def send_due_deliveries(
    context, *, transport: PushTransport | None = None, batch_size: int = MAX_BATCH, max_batches: int | None = None
) -> SendReport:
    """Send every delivery that is due, one claimed batch (≤ 500, never empty) at a time."""
    if not 0 < batch_size <= MAX_BATCH:
        raise ValueError(f"batch_size must be 1..{MAX_BATCH}")
    transport = transport or push_transport(context)
    report = SendReport()
    with context.session() as session:
        report.reclaimed = reclaim_expired_claims(session)
    while max_batches is None or report.batches < max_batches:
        with context.session() as session:
            claimed = claim_due_batch(session, batch_size)
            if not claimed:
                break
            sendable = _drop_unsendable(session, claimed, report)
            if sendable:
                results = transport.send([_push_for(message, device) for _, message, device in sendable])
                _record(session, sendable, results, report)
            session.commit()
        report.batches += 1
        log.info(
            "push batch recorded", extra={"transport": getattr(transport, "name", "?"), **dataclasses.asdict(report)}
        )
    return report


def reclaim_expired_claims(session: Session) -> int:
    """Put back to ``queued`` the batches whose worker died (claimed longer than ``SENDING_LEASE`` ago)."""
    cutoff = clock.now() - SENDING_LEASE
    result = session.execute(
        update(PushDelivery)
        .where(PushDelivery.state == "sending", PushDelivery.claimed_at < cutoff)
        .values(state="queued", claim_token=None, next_attempt_at=clock.now(), error_code="claim_expired")
    )
    session.commit()
    if result.rowcount:
        log.warning("re-queued pushes of a worker that stopped mid-batch", extra={"count": result.rowcount})
    return result.rowcount


def claim_due_batch(session: Session, limit: int) -> list[tuple[PushDelivery, NotificationMessage, Device]]:
    """Claim up to ``limit`` due deliveries for this worker (committed before anything is sent)."""
    now = clock.now()
    ids = list(
        session.scalars(
            select(PushDelivery.id)
            .where(PushDelivery.state == "queued", PushDelivery.next_attempt_at <= now)
            .order_by(PushDelivery.next_attempt_at, PushDelivery.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if not ids:
        session.rollback()
        return []
    claim = uuid.uuid4().hex
    session.execute(
        update(PushDelivery)
        .where(PushDelivery.id.in_(ids), PushDelivery.state == "queued")
        .values(state="sending", claim_token=claim, claimed_at=now, attempts=PushDelivery.attempts + 1)
    )
    session.commit()
    rows = session.execute(
        select(PushDelivery, NotificationMessage, Device)
        .join(NotificationMessage, NotificationMessage.id == PushDelivery.message_id)
        .join(Device, Device.id == PushDelivery.device_id)
        .where(PushDelivery.claim_token == claim)
        .order_by(PushDelivery.id)
    )
    return [tuple(row) for row in rows]


def _drop_unsendable(session: Session, claimed: list, report: SendReport) -> list:
    """A device switched off, or moved to another resident, since the delivery was queued: cancel, don't send."""
    sendable = []
    for delivery, message, device in claimed:
        if device.active and device.resident_id == message.resident_id:
            sendable.append((delivery, message, device))
        else:
            _finish(delivery, "cancelled", error_code="device_inactive")
            report.add("cancelled")
    return sendable


def _push_for(message: NotificationMessage, device: Device) -> PushMessage:
    return PushMessage(
        token=device.push_token,
        title=message.push_title,
        body=message.push_body,
        data={"message_id": message.id, "category": message.category},
        urgent=message.urgent,
        collapse_key=message.id,
    )


def _record(session: Session, sendable: list, results: list[PushResult], report: SendReport) -> None:
    if len(results) != len(sendable):
        raise RuntimeError(f"transport answered {len(results)} results for {len(sendable)} pushes")
    now = clock.now()
    dead_devices = []
    for (delivery, _message, device), result in zip(sendable, results, strict=True):
        if result.outcome == "sent":
            _finish(delivery, "sent", provider_message_id=result.provider_message_id)
            delivery.sent_at = now
            report.add("sent")
        elif result.outcome == "token_invalid":
            _finish(delivery, "token_invalid", error_code=result.error_code, detail=result.detail)
            dead_devices.append(device.id)
            report.add("token_invalid")
        elif result.outcome == "retryable" and delivery.attempts < MAX_ATTEMPTS:
            _finish(delivery, "queued", error_code=result.error_code, detail=result.detail)
            delivery.next_attempt_at = now + backoff(delivery.attempts)
            report.add("retried")
        else:
            _finish(delivery, "failed", error_code=result.error_code or result.outcome, detail=result.detail)
            report.add("failed")
    device_service.deactivate_dead_tokens(session, dead_devices)


def _finish(
    delivery: PushDelivery,
    state: str,
    *,
    provider_message_id: str | None = None,
    error_code: str | None = None,
    detail: str | None = None,
) -> None:
    delivery.state = state
    delivery.claim_token = None
    delivery.provider_message_id = provider_message_id
    delivery.error_code = error_code[:64] if error_code else None
    delivery.error_detail = detail[:300] if detail else None


def backoff(attempts: int) -> dt.timedelta:
    """30 s, 1 min, 2 min, … capped at an hour, with up to 20 % jitter so retries of one outage spread out."""
    base = min(BACKOFF_FIRST * (2 ** max(attempts - 1, 0)), BACKOFF_CAP)
    return base + base * random.uniform(0, 0.2)


def queue_resend(session: Session, context, message_id: str, *, requested_by: str | None = None) -> list[PushDelivery]:
    """Support's resend: a new round of deliveries (``kind = "resend"``) to the resident's active devices now,
    whatever the quiet hours; the earlier deliveries stay as they were. Commits and queues the send job.
    Raises ``NotFound`` for an unknown message id. Returns the new deliveries (empty with no active device)."""
    message = session.get(NotificationMessage, message_id)
    if message is None:
        raise NotFound("There is no such notification.")
    next_round = (
        session.scalar(select(func.max(PushDelivery.send_round)).where(PushDelivery.message_id == message.id)) or 0
    ) + 1
    devices = session.scalars(
        select(Device).where(Device.resident_id == message.resident_id, Device.active.is_(True)).order_by(Device.id)
    )
    now = clock.now()
    deliveries = [
        PushDelivery(
            message_id=message.id,
            device_id=device.id,
            send_round=next_round,
            kind="resend",
            requested_by=requested_by,
            next_attempt_at=now,
        )
        for device in devices
    ]
    session.add_all(deliveries)
    session.commit()
    if deliveries and context is not None:
        context.runner.submit("notifications.send_deliveries")
    return deliveries
