"""Pure: the domain events (``services/outbox.py``) that one benefit's change from an old snapshot to a new one means.

Every event carries a dedupe key built from what happened (never from when the hub noticed), so the same
change seen twice, through a pull and a pushed event or a redelivered event, is written to the outbox once.
``services/benefits/store.py`` writes them with the snapshot.
"""

from __future__ import annotations

from typing import Any

from services import outbox
from services.outbox import DomainEvent
from services.platform.records import Action, BenefitRecord


def benefit_events(
    benefit_id: str,
    action_ids: dict[str, str],
    old: BenefitRecord | None,
    new: BenefitRecord | None,
) -> list[DomainEvent]:
    """What changed between ``old`` and ``new`` (either may be None); ``action_ids`` maps action keys to ids."""
    if new is None:
        return [_action_updated(benefit_id, action_ids[a.key], old, a, "cancelled") for a in _open(old.actions)]
    base = {"benefit_id": benefit_id, "agency": new.agency, "program_code": new.program_code}
    events: list[DomainEvent] = []
    old_status = old.status if old else None
    if old_status != new.status:
        events.append(
            DomainEvent(
                outbox.BENEFIT_STATUS_CHANGED,
                {**base, "old_status": old_status, "new_status": new.status, "status_reason": new.status_reason},
                f"{outbox.BENEFIT_STATUS_CHANGED}:{benefit_id}:{old_status}>{new.status}:{_iso(new.status_since)}",
            )
        )
    old_actions = {a.key: a for a in old.actions} if old else {}
    for action in new.actions:
        previous = old_actions.pop(action.key, None)
        action_id = action_ids[action.key]
        if previous is None:
            if action.state in ("open", "overdue"):
                events.append(
                    DomainEvent(
                        outbox.ACTION_REQUESTED,
                        {**base, **_action_payload(action_id, action)},
                        f"{outbox.ACTION_REQUESTED}:{action_id}",
                    )
                )
        elif _action_changed(previous, action):
            events.append(_action_updated(benefit_id, action_id, new, action, action.state, previous.state))
    for gone in _open(old_actions.values()):
        events.append(_action_updated(benefit_id, action_ids[gone.key], new, gone, "cancelled"))
    old_renewal = old.renewal_due_on if old else None
    if new.renewal_due_on is not None and new.renewal_due_on != old_renewal:
        events.append(
            DomainEvent(
                outbox.RENEWAL_DUE_SET,
                {**base, "renewal_due_on": new.renewal_due_on.isoformat(), "old_renewal_due_on": _iso(old_renewal)},
                f"{outbox.RENEWAL_DUE_SET}:{benefit_id}:{new.renewal_due_on.isoformat()}",
            )
        )
    paid = {p.key for p in old.payments} if old else set()
    for payment in new.payments:
        if payment.key not in paid:
            events.append(
                DomainEvent(
                    outbox.PAYMENT_ISSUED,
                    {
                        **base,
                        "payment_id": payment.key,
                        "cents": payment.cents,
                        "currency": payment.currency,
                        "paid_on": payment.paid_on.isoformat(),
                    },
                    f"{outbox.PAYMENT_ISSUED}:{benefit_id}:{payment.key}",
                )
            )
    posted = {n.key for n in old.notices} if old else set()
    for notice in new.notices:
        if notice.key not in posted:
            events.append(
                DomainEvent(
                    outbox.NOTICE_POSTED,
                    {**base, "notice_id": notice.key, "title": notice.title, "posted_on": notice.posted_on.isoformat()},
                    f"{outbox.NOTICE_POSTED}:{benefit_id}:{notice.key}",
                )
            )
    return events


def _open(actions) -> list[Action]:
    return [a for a in actions if a.state in ("open", "overdue")]


def _action_changed(old: Action, new: Action) -> bool:
    return (old.state, old.due_on, old.scheduled_at) != (new.state, new.due_on, new.scheduled_at)


def _action_payload(action_id: str, action: Action) -> dict[str, Any]:
    return {
        "action_id": action_id,
        "kind": action.kind,
        "due_on": _iso(action.due_on),
        "title": action.title,
        "scheduled_at": _iso(action.scheduled_at),
    }


def _action_updated(
    benefit_id: str, action_id: str, record: BenefitRecord, action: Action, state: str, old_state: str | None = None
) -> DomainEvent:
    payload = {
        "benefit_id": benefit_id,
        "agency": record.agency,
        "program_code": record.program_code,
        **_action_payload(action_id, action),
        "old_state": old_state or action.state,
        "state": state,
    }
    key = f"{outbox.ACTION_UPDATED}:{action_id}:{state}:{_iso(action.due_on)}:{_iso(action.scheduled_at)}"
    return DomainEvent(outbox.ACTION_UPDATED, payload, key)


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None
