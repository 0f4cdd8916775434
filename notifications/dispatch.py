"""The dispatcher: unprocessed outbox events → inbox messages → queued push deliveries, one batch per commit.

For each event the rules say which messages it makes; then, per message:

- consent: an agency the resident no longer shares produces no message at all;
- dedupe: the message's ``dedupe_key`` (resident + outbox dedupe key + the rule's suffix) is unique, so an
  event processed twice (a re-run, two dispatchers, a crash before the commit) still makes one message;
- the inbox gets the message at once, in the resident's language;
- each representative whose designation stands at the message's agency gets a copy in their own language
  (``notifications.copies``), delivered by their own preferences; a message about the account is never copied;
- a push delivery is queued per active device unless the category is switched off; quiet hours set its
  ``not_before`` (urgent messages ignore them). The message keeps its template key and raw parameters, not
  push text: consent, category, previews, quiet hours and the device's owner are checked again, and the lock
  screen rendered, when each push is sent (``notifications.send_time``).

A partner app's message (``partner.message``) goes the same way; what became of it for each resident (in the
inbox, withheld for consent, nobody there, failed) is recorded in the same batch (``services.partner.status``),
with the signed callback each status change queues.

Events, messages and deliveries of a batch commit together, so a crash mid-batch leaves the whole batch
unprocessed and the next run does it again (rows lock with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL).
"""

from __future__ import annotations

import collections
import dataclasses
import hashlib
import logging
import threading
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from notifications import copies, rules
from notifications.delivery import send_deliveries_job
from notifications.preferences import Preferences
from notifications.render import TemplateError, render_message
from services import clock
from services.background import job
from services.benefits.reminders import write_due_reminders
from services.db import new_id
from services.hub import Hub
from services.metrics import instruments
from services.models.identity import Resident
from services.models.notifications import Device, NotificationMessage, NotificationPreference, PushDelivery
from services.models.outbox import OutboxEvent
from services.models.partners import PartnerNotification
from services.outbox import PARTNER_MESSAGE
from services.partner.callbacks import deliver_callbacks_job
from services.partner.notifications import DELIVERED, FAILED, NO_RECIPIENT, WITHHELD
from services.partner.status import Outcome, record_outcomes
from services.representation.copies import grants_by_person
from services.representation.grants import Grant
from services.visibility import withheld_by_resident

log = logging.getLogger("notifications.dispatch")

BATCH_SIZE = 500
MAX_EVENT_ATTEMPTS = 5
DISPATCH_EVERY_SECONDS = 2.0
REMINDERS_EVERY_SECONDS = 3600.0
_in_process = threading.Lock()


@dataclasses.dataclass
class DispatchReport:
    events: int = 0
    messages: int = 0
    deliveries: int = 0
    duplicates: int = 0
    without_consent: int = 0
    failed_events: int = 0
    partner_callbacks: int = 0


def dispatch_outbox(
    hub: Hub,
    *,
    batch_size: int = BATCH_SIZE,
    max_batches: int | None = None,
    on_batch: Callable[[DispatchReport], None] | None = None,
) -> DispatchReport:
    """Process every unprocessed outbox event; one run at a time per process (the ticker may fire again).
    ``on_batch`` is told each committed batch's own share of the report, while the next batch is still to do."""
    report = DispatchReport()
    if not _in_process.acquire(blocking=False):
        return report
    try:
        batches = 0
        while max_batches is None or batches < max_batches:
            with hub.session() as session:
                events = _claim_events(session, batch_size)
                if not events:
                    break
                before = dataclasses.replace(report)
                dispatch_events(session, events, report)
                session.commit()
            _count_batch(before, report)
            batches += 1
            if on_batch is not None:
                on_batch(_share(before, report))
    finally:
        _in_process.release()
    if report.events:
        log.info("outbox dispatched", extra=dataclasses.asdict(report))
    return report


def _share(before: DispatchReport, after: DispatchReport) -> DispatchReport:
    """What one batch added to the report."""
    return DispatchReport(
        **{field.name: getattr(after, field.name) - getattr(before, field.name) for field in dataclasses.fields(after)}
    )


def _count_batch(before: DispatchReport, after: DispatchReport) -> None:
    """A committed batch's share of the report, told to Prometheus (``hub_outbox_*``, ``hub_notification_*``,
    ``hub_push_deliveries_queued``); a batch that rolled back is not counted."""
    instruments.outbox_dispatched.inc(after.events - before.events)
    instruments.outbox_dispatch_failures.inc(after.failed_events - before.failed_events)
    instruments.notification_messages.inc(after.messages - before.messages)
    instruments.push_deliveries_queued.inc(after.deliveries - before.deliveries)


@job("notifications.dispatch", every_seconds=DISPATCH_EVERY_SECONDS)
def dispatch_job(hub: Hub) -> None:
    """The outbox → messages → deliveries, every few seconds. A send is queued as soon as a batch has committed
    deliveries, not once the whole outbox is done: a campaign's first pushes leave while the rest is dispatched
    (in another worker process under Celery), instead of dispatch and send taking turns. A send that finds
    nothing due (an earlier one took it) costs one query."""

    def queue_send(batch: DispatchReport) -> None:
        if batch.deliveries:
            hub.runner.submit(send_deliveries_job)

    report = dispatch_outbox(hub, on_batch=queue_send)
    if report.partner_callbacks:
        hub.runner.submit(deliver_callbacks_job)


@job("notifications.reminders", every_seconds=REMINDERS_EVERY_SECONDS)
def reminders_job(hub: Hub) -> None:
    """The reminder scan (``services.benefits.reminders``, safe to run as often as wanted) on its schedule, and a
    dispatch at once for the reminders it wrote to the outbox."""
    with hub.session() as session:
        written = write_due_reminders(session)
    if written:
        hub.runner.submit(dispatch_job)


def _claim_events(session: Session, limit: int) -> list[OutboxEvent]:
    return list(
        session.scalars(
            select(OutboxEvent)
            .where(OutboxEvent.processed_at.is_(None))
            .order_by(OutboxEvent.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )


def message_dedupe_key(event: OutboxEvent, suffix: str | None) -> str:
    """One message per event per resident (and per rule suffix); hashed when it would not fit the column."""
    key = f"{event.resident_id}:{event.dedupe_key}" + (f":{suffix}" if suffix else "")
    return key if len(key) <= 255 else f"{event.resident_id}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"


def dispatch_events(session: Session, events: list[OutboxEvent], report: DispatchReport) -> None:
    """Turn ``events`` into messages and deliveries in ``session``.

    The whole batch is tried at once, in one savepoint and one flush (a few statements for hundreds of events:
    a savepoint per event cost six round trips each, most of a campaign's dispatch time). Only if that trial
    fails (a message another dispatcher already wrote, or an event whose templates cannot be filled) is the
    batch rolled back to the savepoint and done event by event, each in its own savepoint, as before."""
    trial = DispatchReport()
    try:
        with session.begin_nested():
            batch = _BatchData.load(session, events)
            now = clock.now()
            for event in events:
                event.attempts += 1
                _dispatch_event(session, event, batch, now, trial)
                event.processed_at = now
                trial.events += 1
            session.flush()
    except (IntegrityError, TemplateError, KeyError, ValueError, TypeError):
        _dispatch_one_by_one(session, events, report)
        return
    for field in dataclasses.fields(DispatchReport):
        setattr(report, field.name, getattr(report, field.name) + getattr(trial, field.name))
    report.partner_callbacks += record_outcomes(session, batch.partner_outcomes)  # as the event-by-event path


def _dispatch_one_by_one(session: Session, events: list[OutboxEvent], report: DispatchReport) -> None:
    batch = _BatchData.load(session, events)
    now = clock.now()
    for event in events:
        event.attempts += 1
        recorded = len(batch.partner_outcomes)
        try:
            with session.begin_nested():
                _dispatch_event(session, event, batch, now, report)
        except IntegrityError:
            del batch.partner_outcomes[recorded:]  # the other dispatcher's batch records its outcome
            report.duplicates += 1  # another dispatcher wrote this event's message first: it is done
        except (TemplateError, KeyError, ValueError, TypeError):
            del batch.partner_outcomes[recorded:]
            report.failed_events += 1
            log.exception("outbox event could not be turned into messages", extra={"outbox_event_id": event.id})
            if event.attempts < MAX_EVENT_ATTEMPTS:
                continue
            batch.partner_outcome(event, FAILED)
        event.processed_at = now
        report.events += 1
    report.partner_callbacks += record_outcomes(session, batch.partner_outcomes)


def _dispatch_event(session: Session, event: OutboxEvent, batch: _BatchData, now, report: DispatchReport) -> None:
    resident = batch.residents.get(event.resident_id)
    if resident is None:
        batch.partner_outcome(event, NO_RECIPIENT)
        return
    specs = rules.messages_for(event.type, event.payload, agency=event.agency, benefit_id=event.benefit_id)
    for spec in specs:
        agency = spec.agency or event.agency
        if agency and agency in batch.withheld.get(resident.id, ()):
            report.without_consent += 1
            batch.partner_outcome(event, WITHHELD)
            continue
        key = message_dedupe_key(event, spec.dedupe_suffix)
        if key in batch.existing_keys:
            report.duplicates += 1
            continue
        batch.existing_keys.add(key)
        params = batch.params_of(spec)
        # Rendered in full now only to refuse a message whose templates cannot be filled (retried, then dropped
        # with the event); the lock-screen text itself is rendered again for each push, when it is sent.
        rendered = render_message(spec.template_key, params, resident.locale, detailed_previews=True)
        message = _message(event, spec, resident.id, key, agency, params, rendered, now)
        _deliver(session, batch, message, now, report)
        batch.partner_outcome(event, DELIVERED, message.id)
        for copy in copies.copies_of(message, resident, batch.grants.get(resident.id, ()), batch.residents):
            if copy.dedupe_key in batch.existing_keys:
                continue
            batch.existing_keys.add(copy.dedupe_key)
            _deliver(session, batch, copy, now, report)


def _message(event, spec, resident_id, key, agency, params, rendered, now) -> NotificationMessage:
    return NotificationMessage(
        id=new_id(),
        resident_id=resident_id,
        dedupe_key=key,
        outbox_event_id=str(event.id),
        category=spec.category,
        template_key=spec.template_key,
        agency=agency,
        benefit_id=spec.benefit_id or event.benefit_id,
        locale=rendered.locale,
        title=rendered.inbox_title,
        body=rendered.inbox_body,
        params=params,
        urgent=spec.urgent,
        created_at=now,
    )


def _deliver(session: Session, batch: _BatchData, message: NotificationMessage, now, report: DispatchReport) -> None:
    """Add the message to its recipient's inbox and queue a push per active device, by their preferences."""
    session.add(message)
    report.messages += 1
    recipient = batch.residents[message.resident_id]
    preferences = batch.preferences.get(recipient.id, Preferences())
    if not preferences.pushes(message.category):
        return
    not_before = preferences.push_not_before(now, recipient.time_zone, urgent=message.urgent)
    for device in batch.devices.get(recipient.id, ()):
        session.add(
            PushDelivery(
                id=new_id(),
                message_id=message.id,
                device_id=device.id,
                not_before=not_before,
                next_attempt_at=not_before or now,
                created_at=now,
            )
        )
        report.deliveries += 1


@dataclasses.dataclass
class _BatchData:
    """What a batch needs about its residents, read in a few queries rather than a few per event."""

    residents: dict[str, Resident]
    preferences: dict[str, Preferences]
    devices: dict[str, list[Device]]
    existing_keys: set[str]
    withheld: dict[str, frozenset[str]]
    partner_texts: dict[str, dict] = dataclasses.field(default_factory=dict)
    partner_outcomes: list[Outcome] = dataclasses.field(default_factory=list)
    grants: dict[str, list[Grant]] = dataclasses.field(default_factory=dict)  # by person: their representatives

    def params_of(self, spec: rules.MessageSpec) -> dict:
        """The message's raw parameters; a partner message also carries the partner's own texts (by locale), so
        its inbox text and, at send time, its lock-screen text are rendered from them like any template's."""
        params = dict(spec.params)
        if spec.template_key == rules.PARTNER_TEMPLATE:
            texts = self.partner_texts[params["partner_notification_id"]]  # KeyError: retried, then failed
            params.update(title=texts["title"], body=texts["body"])
        return params

    def partner_outcome(self, event: OutboxEvent, outcome: str, message_id: str | None = None) -> None:
        """What became of a partner message for this event's resident (``services.partner.status``)."""
        if event.type == PARTNER_MESSAGE:
            notification_id = str(event.payload.get("partner_notification_id"))
            self.partner_outcomes.append(Outcome(notification_id, event.resident_id, outcome, message_id))

    @classmethod
    def load(cls, session: Session, events: list[OutboxEvent]) -> _BatchData:
        grants = grants_by_person(session, {event.resident_id for event in events})
        representatives = {grant.representative_id for found in grants.values() for grant in found}
        ids = sorted({event.resident_id for event in events} | representatives)
        residents = {row.id: row for row in session.scalars(select(Resident).where(Resident.id.in_(ids)))}
        preferences = {
            row.resident_id: Preferences.from_row(row)
            for row in session.scalars(
                select(NotificationPreference).where(NotificationPreference.resident_id.in_(ids))
            )
        }
        devices: dict[str, list[Device]] = collections.defaultdict(list)
        for device in session.scalars(
            select(Device).where(Device.resident_id.in_(ids), Device.active.is_(True)).order_by(Device.id)
        ):
            devices[device.resident_id].append(device)
        existing = set(
            session.scalars(
                select(NotificationMessage.dedupe_key).where(
                    NotificationMessage.resident_id.in_(ids),
                    NotificationMessage.outbox_event_id.in_([str(event.id) for event in events]),
                )
            )
        )
        partner_ids = sorted(
            {str(event.payload.get("partner_notification_id")) for event in events if event.type == PARTNER_MESSAGE}
        )
        partner_texts = {
            notification_id: texts
            for notification_id, texts in session.execute(
                select(PartnerNotification.id, PartnerNotification.texts).where(PartnerNotification.id.in_(partner_ids))
            )
        }
        withheld = withheld_by_resident(session, ids)
        return cls(residents, preferences, devices, existing, withheld, partner_texts, grants=grants)
