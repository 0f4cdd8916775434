"""The push scan for urgent nudges, a producer of the outbox (``services/outbox.py``: ``nudge.urgent``).

Only the urgent kinds push (``rules.toml``: ``urgency = "urgent"``); a discovery nudge waits in the app. Each
nudge pushes once (its row's ``pushed_at``; the outbox dedupe key is the nudge's id besides), and a resident gets
at most ``[pushes] max_per_resident`` nudge pushes in any ``window_days`` (the soonest due first when more apply):
a nudge past the limit is still shown in the app, and pushes on a later scan once the window has room, if it
still applies. The message is not urgent in the rules' sense (``notifications/rules.py``), so quiet hours hold its
push until they end; the resident's category switches, consent and previews apply at send time as for any push.

The job that runs it hourly and dispatches what it wrote is ``notifications.nudge_pushes.nudge_pushes_job``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from services import clock
from services.db import commits
from services.identity.field_crypto import FieldCipher
from services.models.benefits import BenefitAction
from services.models.nudges import Nudge
from services.nudges.rules import URGENT_KINDS, Candidate, Rules, shipped_rules
from services.nudges.store import applicable, remember
from services.outbox import NUDGE_URGENT, DomainEvent, write_events

_CASE_KINDS = ("renewal", "document", "interview")


@commits
def write_nudge_pushes(session: Session, cipher: FieldCipher, *, rules: Rules | None = None) -> int:
    """Write the pushes of the urgent nudges that apply now and were never pushed, within each resident's limit;
    returns how many. Commits once per resident (a scan is long; one resident's rows and events go together)."""
    rules = rules or shipped_rules()
    residents = session.scalars(
        select(BenefitAction.resident_id)
        .where(BenefitAction.kind.in_(_CASE_KINDS), BenefitAction.state.in_(("open", "missed")))
        .distinct()
        .order_by(BenefitAction.resident_id)
    ).all()
    written = 0
    for resident_id in residents:
        written += _push_for(session, resident_id, cipher, rules)
        session.commit()
    return written


def _push_for(session: Session, resident_id: str, cipher: FieldCipher, rules: Rules) -> int:
    urgent = [c for c in applicable(session, resident_id, cipher, rules) if c.kind in URGENT_KINDS]
    if not urgent:
        return 0
    rows = remember(session, resident_id, urgent)
    now = clock.now()
    since = now - dt.timedelta(days=rules.push_window_days)
    room = rules.max_pushes - _pushed_since(session, resident_id, since)
    due = sorted(
        (
            c
            for c in urgent
            if rows[(c.kind, c.subject)].pushed_at is None and rows[(c.kind, c.subject)].dismissed_at is None
        ),
        key=lambda c: (c.params.get("due_on") or "9999-12-31", c.kind),
    )
    events = []
    for candidate in due[: max(room, 0)]:
        row = rows[(candidate.kind, candidate.subject)]
        row.pushed_at = now
        events.append(_event(row, candidate, rules))
    write_events(session, resident_id, events)  # keyed by the nudge's id: a concurrent scan's copy is skipped
    return len(events)


def _pushed_since(session: Session, resident_id: str, since: dt.datetime) -> int:
    return len(
        session.scalars(select(Nudge.id).where(Nudge.resident_id == resident_id, Nudge.pushed_at >= since)).all()
    )


def _event(row: Nudge, candidate: Candidate, rules: Rules) -> DomainEvent:
    payload = {
        "benefit_id": candidate.next_step.benefit_id,
        "agency": candidate.agency,
        "program_code": candidate.params.get("program_code"),
        "nudge_id": row.id,
        "kind": candidate.kind,
        "category": rules.kinds[candidate.kind].push_category,
        "due_on": candidate.params.get("due_on"),
    }
    return DomainEvent(NUDGE_URGENT, payload, f"{NUDGE_URGENT}:{row.id}")
