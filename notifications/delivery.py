"""Sending queued push deliveries: claim at most 500, decide each at send time, send, record each answer as it
comes back.

Claims and leases. A sender first *claims* a batch in its own committed transaction (``queued → sending`` with
a claim token, plus a ``PushSendClaim`` row whose lease runs ``SENDING_LEASE``; ``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so two senders never claim the same row). While it works it renews the lease every
``LEASE_RENEW_EVERY``. A batch is taken back (its unrecorded deliveries return to ``queued``) only by
deleting a claim whose lease ran out, in the same statement that checks it, so:

- a sender that dies loses nothing: what it had not recorded goes out again once its lease has run out
  (30 s, then the next send run);
- a sender that is only slow keeps its batch and nobody sends it twice. The transport keeps every push
  short (``FCMTransport.longest_request_seconds`` < the lease): when FCM asks for a long wait
  (``Retry-After``), the push comes back ``retryable`` at once and waits in the queue (``next_attempt_at``),
  not inside a live batch;
- a sender that finds its claim gone (it stalled past the lease and was taken over) stops starting pushes.

Every step commits on its own (the claim, the send-time decisions, each arrival of answers, the release: the
functions marked ``@commits``), which is what lets a killed sender lose nothing.

Send time. Each claimed push is decided again against the resident's settings of now
(``notifications.send_time``): cancelled with its reason, held for quiet hours, or rendered and sent.

The one duplicate window, narrowed. Answers are recorded as they arrive (``PushTransport.send``'s
``on_result``), committed while the rest of the batch is in flight. A kill can therefore repeat only the
pushes FCM had accepted whose answers were not yet committed: at most the transport's in-flight window
(``FCM_MAX_IN_FLIGHT``, 32 by default) per killed process, plus the answers of the last few milliseconds,
instead of the whole batch of 500 (measured: ``bench/push_crash.py``). FCM has no idempotency key, so the
window cannot be closed, only kept small; every push carries the message id as its collapse key
(``apns-collapse-id`` / Android ``collapse_key``), so a phone that receives one twice replaces the first.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import datetime as dt
import logging
import os
import queue
import random
import socket
import threading
import time
import uuid
from collections.abc import Callable

from sqlalchemy import bindparam, delete, exists, func, select, update
from sqlalchemy.orm import Session

from notifications import send_time
from notifications.render import PushText
from notifications.transports import PushMessage, PushResult, PushTransport
from services import clock, devices
from services.background import Runner, job
from services.db import UTCDateTime, commits
from services.errors import NotFound
from services.hub import Hub
from services.metrics import instruments
from services.models.notifications import Device, NotificationMessage, PushDelivery, PushSendClaim

log = logging.getLogger("notifications.delivery")

MAX_BATCH = 500
SENDING_LEASE = dt.timedelta(seconds=30)
LEASE_RENEW_EVERY = 5.0  # seconds of real time; a sender may miss several renewals before its lease runs out
RECORD_WAIT = 0.02  # seconds to wait for the next answer before looking at the lease again
MAX_ATTEMPTS = 6
BACKOFF_FIRST = dt.timedelta(seconds=30)
BACKOFF_CAP = dt.timedelta(hours=1)
CLAIM_EXPIRED = "claim_expired"  # the error code of a push re-queued because its sender's lease ran out
SEND_EVERY_SECONDS = 10.0


@dataclasses.dataclass
class SendReport:
    batches: int = 0
    sent: int = 0
    token_invalid: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0
    held: int = 0
    reclaimed: int = 0

    def add(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)
        instruments.push_sends.labels(outcome).inc()  # hub_push_sends_total: what /metrics rates are made of


@dataclasses.dataclass
class Claim:
    """A batch this sender holds: its token and the claimed rows with their message and device."""

    token: str
    rows: list[tuple[PushDelivery, NotificationMessage, Device]]


def send_due_deliveries(
    hub: Hub,
    *,
    transport: PushTransport | None = None,
    batch_size: int = MAX_BATCH,
    max_batches: int | None = None,
    call_for_help: Callable[[], object] | None = None,
) -> SendReport:
    """Send every delivery that is due, one claimed batch (≤ 500, never empty) at a time, through ``transport``
    (the hub's push transport by default). ``call_for_help`` is called once, when the first batch claimed was full
    (more may be waiting), so another sender can share the backlog while this one sends."""
    if not 0 < batch_size <= MAX_BATCH:
        raise ValueError(f"batch_size must be 1..{MAX_BATCH}")
    sender: PushTransport = transport or hub.push
    report = SendReport()
    with hub.session() as session:
        report.reclaimed = reclaim_expired_claims(session)
    instruments.push_reclaimed.inc(report.reclaimed)
    while max_batches is None or report.batches < max_batches:
        with hub.session() as session:
            claim = claim_due_batch(session, batch_size)
            if claim is None:
                break
            if call_for_help is not None and report.batches == 0 and len(claim.rows) == batch_size:
                call_for_help()
            sendable = _decide_at_send_time(session, claim, report)
            if sendable:
                _send_and_record(session, sender, claim, sendable, report)
            release_claim(session, claim.token)
        report.batches += 1
        log.info("push batch recorded", extra={"transport": getattr(sender, "name", "?"), **dataclasses.asdict(report)})
    return report


@job("notifications.send_deliveries", every_seconds=SEND_EVERY_SECONDS)
def send_deliveries_job(hub: Hub) -> None:
    """Due deliveries → the push transport; every few seconds, and queued by dispatch as soon as it wrote some.
    A run whose first batch is full queues one more run, so a backlog is shared by as many worker processes as
    are free: each run queues at most one, and only after claiming a full batch, so the runs queued never
    outnumber the batches there were."""
    send_due_deliveries(hub, call_for_help=lambda: hub.runner.submit(send_deliveries_job))


# -- claims ------------------------------------------------------------------------------------------------------


@commits
def claim_due_batch(session: Session, limit: int) -> Claim | None:
    """Claim up to ``limit`` due deliveries under a new lease (committed before anything is sent)."""
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
        return None
    token = uuid.uuid4().hex
    holder = f"{socket.gethostname()}:{os.getpid()}"[:128]  # per claim: Celery forks after importing this
    session.add(
        PushSendClaim(token=token, holder=holder, claimed_at=now, renewed_at=now, expires_at=now + SENDING_LEASE)
    )
    session.execute(
        update(PushDelivery)
        .where(PushDelivery.id.in_(ids), PushDelivery.state == "queued")
        .values(state="sending", claim_token=token, claimed_at=now, attempts=PushDelivery.attempts + 1)
    )
    session.commit()
    rows = session.execute(
        select(PushDelivery, NotificationMessage, Device)
        .join(NotificationMessage, NotificationMessage.id == PushDelivery.message_id)
        .join(Device, Device.id == PushDelivery.device_id)
        .where(PushDelivery.claim_token == token)
        .order_by(PushDelivery.id)
    )
    return Claim(token, [tuple(row) for row in rows])


@commits
def renew_claim(session: Session, token: str) -> bool:
    """Extend this sender's lease; ``False`` when the claim is gone (another sender took the batch back)."""
    now = clock.now()
    result = session.execute(
        update(PushSendClaim).where(PushSendClaim.token == token).values(renewed_at=now, expires_at=now + SENDING_LEASE)
    )
    session.commit()
    return result.rowcount == 1


@commits
def release_claim(session: Session, token: str) -> None:
    """The batch is recorded: drop its claim (a row still ``sending`` under it is put back, never left behind)."""
    session.execute(
        update(PushDelivery)
        .where(PushDelivery.claim_token == token, PushDelivery.state == "sending")
        .values(state="queued", claim_token=None, attempts=PushDelivery.attempts - 1)
        # The batch's rows are not read again in this session: evaluating the criteria over the 500 loaded
        # objects cost more than the statement (profiled).
        .execution_options(synchronize_session=False)
    )
    session.execute(delete(PushSendClaim).where(PushSendClaim.token == token))
    session.commit()


@commits
def reclaim_expired_claims(session: Session) -> int:
    """Put back to ``queued`` the batches of senders that stopped: claims whose lease ran out are deleted (the
    delete re-checks the lease, so a renewal that got there first wins), and rows ``sending`` under no claim at
    all (a deleted one, or a worker of a release before claims) go back once claimed longer than the lease."""
    now = clock.now()
    expired = list(
        session.scalars(delete(PushSendClaim).where(PushSendClaim.expires_at <= now).returning(PushSendClaim.token))
    )
    result = session.execute(
        update(PushDelivery)
        .where(
            PushDelivery.state == "sending",
            PushDelivery.claimed_at <= now - SENDING_LEASE,
            ~exists().where(PushSendClaim.token == PushDelivery.claim_token),
        )
        .values(state="queued", claim_token=None, next_attempt_at=now, error_code=CLAIM_EXPIRED)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    if result.rowcount:
        log.warning(
            "re-queued pushes of a sender that stopped mid-batch",
            extra={"count": result.rowcount, "claims": len(expired)},
        )
    return result.rowcount


# -- deciding ----------------------------------------------------------------------------------------------------


@commits
def _decide_at_send_time(
    session: Session, claim: Claim, report: SendReport
) -> list[tuple[PushDelivery, Device, PushMessage]]:
    """Cancel or hold what the resident's settings of now forbid (committed), and render the rest."""
    recipients = send_time.recipients_for(session, {message.resident_id for _, message, _ in claim.rows})
    standing = send_time.standing_copies(session, [message for _, message, _ in claim.rows])
    now = clock.now()
    sendable = []
    texts: dict[str, PushText] = {}  # one rendering per message: its devices share the recipient's text
    for delivery, message, device in claim.rows:
        recipient = recipients.get(message.resident_id)
        decision = send_time.decide(message, device, recipient, now, copy_stands=message.id in standing)
        if decision.verdict == "send":
            if message.id not in texts:
                texts[message.id] = send_time.lock_screen_text(message, recipient)
            sendable.append((delivery, device, send_time.push_for(message, device, texts[message.id])))
            continue
        delivery.attempts -= 1  # nothing was attempted
        delivery.claim_token = None
        if decision.verdict == "hold":
            delivery.state = "queued"
            delivery.not_before = delivery.next_attempt_at = decision.until
            report.add("held")
        else:
            delivery.state = "cancelled"
            delivery.error_code, delivery.error_detail = decision.reason, None
            report.add("cancelled")
    session.commit()
    return sendable


# -- sending and recording ---------------------------------------------------------------------------------------

_table = PushDelivery.__table__
_RECORD_ANSWER = (
    update(_table)
    .where(_table.c.id == bindparam("b_id"), _table.c.claim_token == bindparam("b_claim"))
    .values(
        state=bindparam("b_state"),
        claim_token=None,
        attempts=bindparam("b_attempts"),
        next_attempt_at=bindparam("b_next_attempt_at", type_=UTCDateTime()),
        provider_message_id=bindparam("b_provider_message_id"),
        error_code=bindparam("b_error_code"),
        error_detail=bindparam("b_error_detail"),
        sent_at=bindparam("b_sent_at", type_=UTCDateTime()),
    )
)


@commits
def _send_and_record(
    session: Session,
    transport: PushTransport,
    claim: Claim,
    sendable: list[tuple[PushDelivery, Device, PushMessage]],
    report: SendReport,
) -> None:
    """Send on a helper thread; on this one, record answers as they arrive and keep the lease alive."""
    answers: queue.Queue[tuple[int, PushResult]] = queue.Queue()
    stop = threading.Event()
    recorded = [False] * len(sendable)
    executor = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="push-send")
    sending = executor.submit(
        transport.send, [push for _, _, push in sendable], on_result=lambda i, r: answers.put((i, r)), stop=stop
    )
    renewed_at = time.monotonic()
    try:
        while True:
            finished = sending.done()
            arrived = _take_answers(answers, wait=0 if finished else RECORD_WAIT)
            if arrived:
                _record(session, claim.token, sendable, arrived, recorded, report)
            if not stop.is_set() and time.monotonic() - renewed_at >= LEASE_RENEW_EVERY:
                renewed_at = time.monotonic()
                if not renew_claim(session, claim.token):
                    log.warning("push claim taken over; no further pushes of this batch", extra={"claim": claim.token})
                    stop.set()
            if finished and answers.empty():
                break
        results = sending.result()
        if len(results) != len(sendable):
            raise RuntimeError(f"transport answered {len(results)} results for {len(sendable)} pushes")
        missing = [(index, results[index]) for index, done in enumerate(recorded) if not done]
        if missing:
            _record(session, claim.token, sendable, missing, recorded, report)
    finally:
        stop.set()
        executor.shutdown(wait=True)


def _take_answers(answers: queue.Queue, *, wait: float) -> list[tuple[int, PushResult]]:
    """Every answer waiting now, after waiting up to ``wait`` seconds for the first one."""
    taken = []
    try:
        taken.append(answers.get(timeout=wait) if wait else answers.get_nowait())
        while True:
            taken.append(answers.get_nowait())
    except queue.Empty:
        return taken


@commits
def _record(
    session: Session,
    token: str,
    sendable: list[tuple[PushDelivery, Device, PushMessage]],
    arrived: list[tuple[int, PushResult]],
    recorded: list[bool],
    report: SendReport,
) -> None:
    """Write these answers (only where this sender still holds the row) and commit."""
    now = clock.now()
    rows, dead_devices = [], []
    for index, result in arrived:
        if recorded[index]:
            continue
        recorded[index] = True
        delivery, device, _ = sendable[index]
        outcome, row = _answer_row(delivery, result, now)
        rows.append({"b_id": delivery.id, "b_claim": token, **row})
        report.add(outcome)
        if outcome == "token_invalid":
            dead_devices.append(device.id)
    if rows:
        session.execute(_RECORD_ANSWER, rows)
    devices.deactivate_dead_tokens(session, dead_devices)
    session.commit()


def _answer_row(delivery: PushDelivery, result: PushResult, now: dt.datetime) -> tuple[str, dict]:
    """What one answer makes of its delivery: the report's outcome and the columns to write."""
    row = {
        "b_state": "failed",
        "b_attempts": delivery.attempts,
        "b_next_attempt_at": delivery.next_attempt_at,
        "b_provider_message_id": None,
        "b_error_code": (result.error_code or result.outcome)[:64],
        "b_error_detail": result.detail[:300] if result.detail else None,
        "b_sent_at": None,
    }
    if result.outcome == "sent":
        row.update(b_state="sent", b_provider_message_id=result.provider_message_id, b_error_code=None, b_sent_at=now)
        return "sent", row
    if result.outcome == "token_invalid":
        row["b_state"] = "token_invalid"
        return "token_invalid", row
    if result.never_left:  # the sender stopped before it: not an attempt
        row.update(b_state="queued", b_attempts=delivery.attempts - 1)
        return "retried", row
    if result.outcome == "retryable" and delivery.attempts < MAX_ATTEMPTS:
        wait = max(backoff(delivery.attempts), dt.timedelta(seconds=result.retry_after or 0))
        row.update(b_state="queued", b_next_attempt_at=now + wait)
        return "retried", row
    return "failed", row


def backoff(attempts: int) -> dt.timedelta:
    """30 s, 1 min, 2 min, … capped at an hour, with up to 20 % jitter so retries of one outage spread out."""
    base = min(BACKOFF_FIRST * (2 ** max(attempts - 1, 0)), BACKOFF_CAP)
    return base + base * random.uniform(0, 0.2)


# -- support's resend --------------------------------------------------------------------------------------------


@commits
def queue_resend(
    session: Session, runner: Runner, message_id: str, *, requested_by: str | None = None
) -> list[PushDelivery]:
    """Support's resend: a new round of deliveries (``kind = "resend"``) to the resident's active devices, under
    the resident's settings of now, like any push; the earlier rounds stay as they were.

    Decided now and again when sent (``notifications.send_time``): a round the resident's settings forbid (the
    category switched off) is written ``cancelled`` with its reason, so support sees why nothing went out; a
    non-urgent resend inside the resident's quiet hours waits for them to end (``not_before``), because the
    resident's choice wins over support's, as with categories; the message itself is in their inbox already.
    An agency the resident stopped sharing is refused before this (``services.support.notification_to_resend``).
    Commits (the send job reads the new round in its own session), then queues the send job on ``runner``. Raises ``NotFound`` for an unknown message id. Returns the new deliveries
    (empty with no active device)."""
    message = session.get(NotificationMessage, message_id)
    if message is None:
        raise NotFound("There is no such notification.")
    next_round = (
        session.scalar(select(func.max(PushDelivery.send_round)).where(PushDelivery.message_id == message.id)) or 0
    ) + 1
    active_devices = session.scalars(
        select(Device).where(Device.resident_id == message.resident_id, Device.active.is_(True)).order_by(Device.id)
    )
    recipient = send_time.recipients_for(session, [message.resident_id]).get(message.resident_id)
    stands = message.id in send_time.standing_copies(session, [message])
    now = clock.now()
    deliveries = []
    for device in active_devices:
        decision = send_time.decide(message, device, recipient, now, copy_stands=stands)
        deliveries.append(
            PushDelivery(
                message_id=message.id,
                device_id=device.id,
                send_round=next_round,
                kind="resend",
                requested_by=requested_by,
                state="cancelled" if decision.verdict == "cancel" else "queued",
                error_code=decision.reason,
                not_before=decision.until,
                next_attempt_at=decision.until or now,
                created_at=now,
            )
        )
    session.add_all(deliveries)
    session.commit()
    if any(delivery.state == "queued" for delivery in deliveries):
        runner.submit(send_deliveries_job)
    return deliveries
