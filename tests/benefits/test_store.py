"""Snapshot storage: a first picture is a baseline, a change writes its domain events once, equal data nothing."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from services.models.benefits import Benefit, BenefitSource
from services.models.outbox import OutboxEvent
from tests.factories import create_signed_in_resident, create_snapshot

FIXTURE_DAY0 = dt.datetime(2026, 11, 24, 6, tzinfo=dt.UTC)


def outbox(hub, resident_id):
    with hub.session() as session:
        rows = session.scalars(
            select(OutboxEvent).where(OutboxEvent.resident_id == resident_id).order_by(OutboxEvent.id)
        )
        return [(row.type, row.payload) for row in rows]


def later(*, days: int) -> dt.datetime:
    """An exact HFS stamp ``days`` after the fixtures' day 0."""
    return FIXTURE_DAY0 + dt.timedelta(days=days)


def test_first_snapshot_is_a_baseline_and_a_change_writes_each_event_once(hub):
    james = create_signed_in_resident(hub, links={"DHS": "IES100200402"})
    assert create_snapshot(hub, james.id, "DHS", "dhs_james_day0.json") == "applied"
    assert outbox(hub, james.id) == []
    assert create_snapshot(hub, james.id, "DHS", "dhs_james_day7.json") == "applied"
    events = outbox(hub, james.id)
    assert [t for t, _ in events] == ["benefit.status_changed", "action.updated", "payment.issued", "notice.posted"]
    assert events[0][1]["new_status"] == "active" and events[2][1]["cents"] == 18000
    assert create_snapshot(hub, james.id, "DHS", "dhs_james_day7.json") == "unchanged"
    assert len(outbox(hub, james.id)) == 4


def test_unchanged_data_writes_nothing_but_the_sources_as_of(hub):
    maria = create_signed_in_resident(hub, links={"HFS": "hfs-300400501"})
    create_snapshot(hub, maria.id, "HFS", "hfs_maria_day0.json")
    with hub.session() as session:
        before = session.scalar(select(Benefit.updated_at).where(Benefit.resident_id == maria.id))
        as_of = session.scalar(select(BenefitSource.as_of).where(BenefitSource.resident_id == maria.id))
    create_snapshot(hub, maria.id, "HFS", "hfs_maria_day0.json")
    with hub.session() as session:
        assert session.scalar(select(Benefit.updated_at).where(Benefit.resident_id == maria.id)) == before
        assert session.scalar(select(BenefitSource.as_of).where(BenefitSource.resident_id == maria.id)) >= as_of


def test_going_back_and_forth_keeps_action_ids_and_outbox_keys_stable(hub):
    maria = create_signed_in_resident(hub, links={"HFS": "hfs-300400501"})
    create_snapshot(hub, maria.id, "HFS", "hfs_maria_day0.json")
    create_snapshot(hub, maria.id, "HFS", "hfs_maria_day7.json")
    first = len(outbox(hub, maria.id))
    # the agency itself goes back (renewal "cancelled") and forth again, each answer newer than the last
    assert create_snapshot(hub, maria.id, "HFS", "hfs_maria_day0.json", stamp=later(days=8)) == "applied"
    assert create_snapshot(hub, maria.id, "HFS", "hfs_maria_day7.json", stamp=later(days=9)) == "applied"
    types = [t for t, _ in outbox(hub, maria.id)]
    assert types[:first] == ["benefit.status_changed", "action.requested", "notice.posted"]
    with hub.session() as session:
        assert session.scalar(select(func.count()).select_from(Benefit).where(Benefit.resident_id == maria.id)) == 1
