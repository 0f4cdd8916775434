"""Bulk reconciliation's baselines by ``COPY`` (PostgreSQL) write exactly the rows its multi-row ``INSERT`` writes.

The same pictures go in both ways, for two residents, on a real PostgreSQL session; every column of
``benefit_sources``, ``benefits`` and ``benefit_actions`` is compared as the ORM reads it back (the generated ids
and the resident aside), and the ``json`` document's stored text byte for byte. The records carry what an export
can carry in its strings: quotes, tabs, newlines, carriage returns, backslashes, COPY's own ``\\N`` and ``\\.``,
non-ASCII and astral characters, and instants in other zones. A NUL, which PostgreSQL's text cannot hold, is
refused by both ways.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from sqlalchemy import select, text

from services.benefits.bulk_reconcile import insert_baselines
from services.models.benefits import Benefit, BenefitAction, BenefitSource
from services.platform.records import Action, Amount, BenefitRecord, HouseholdMember, Notice, Payment, documents_hash
from services.platform.views import SourceView
from tests.factories import create_resident

UNUSUAL = "quote \" apostrophe ' tab \t newline \n return \r backslash \\ \\N \\. é ü 漢字 🙂 \x7f end"
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def records(unusual: str) -> list[BenefitRecord]:
    action = Action(
        key=f"act-{unusual}"[:96],
        kind="document",
        title=unusual * 3,  # longer than the column: cut at 200
        state="open",
        due_on=dt.date(2027, 1, 15),
        scheduled_at=dt.datetime(2027, 1, 10, 9, 30, 15, 123456, tzinfo=NEW_YORK),
    )
    plain = Action(key="act-2", kind="interview", title="Interview", state="done")
    return [
        BenefitRecord(
            agency="DHS",
            key="SNAP:C1\t\\",
            program_code="SNAP",
            case_number='C1"\\\n',
            status="active",
            status_reason="approved",
            status_since=dt.date(2026, 1, 2),
            amount=Amount(12345),
            next_payment_on=dt.date(2027, 2, 1),
            renewal_due_on=dt.date(2027, 6, 30),
            plan=unusual,
            actions=(action, plain),
            notices=(Notice("n1", unusual, dt.date(2026, 11, 1)),),
            payments=(Payment("p1", 2**62, "USD", dt.date(2026, 11, 1)),),
            household=(HouseholdMember("self", dt.date(1980, 1, 1)), HouseholdMember("child")),
        ),
        BenefitRecord(agency="DHS", key="TANF:C2", program_code="TANF", case_number="C2", status="pending",
                      status_reason="received"),
    ]  # fmt: skip


def baseline(unusual: str = UNUSUAL) -> tuple[SourceView, str, list[dict]]:
    taken = dt.datetime(2026, 12, 3, 11, 0, 0, 654321, tzinfo=NEW_YORK)
    view = SourceView(records(unusual), taken, taken - dt.timedelta(hours=2), exact=True)
    documents = [record.document() for record in view.records]
    return view, documents_hash(documents), documents


def stored(session, resident_id: str) -> tuple[list, list, list, list]:
    def columns(row, leave_out) -> dict:
        return {c.key: getattr(row, c.key) for c in row.__table__.columns if c.key not in leave_out}

    sources = session.scalars(select(BenefitSource).where(BenefitSource.resident_id == resident_id)).all()
    benefits = session.scalars(
        select(Benefit).where(Benefit.resident_id == resident_id).order_by(Benefit.source_key)
    ).all()
    keys = {benefit.id: benefit.source_key for benefit in benefits}
    actions = session.scalars(
        select(BenefitAction).where(BenefitAction.resident_id == resident_id).order_by(BenefitAction.source_key)
    ).all()
    texts = session.scalars(
        text("SELECT document::text FROM benefits WHERE resident_id = :r ORDER BY source_key"), {"r": resident_id}
    ).all()
    return (
        [columns(source, {"id", "resident_id"}) for source in sources],
        [columns(benefit, {"id", "resident_id"}) for benefit in benefits],
        [{**columns(a, {"id", "resident_id", "benefit_id"}), "benefit": keys[a.benefit_id]} for a in actions],
        texts,
    )


@pytest.fixture
def postgres(hub):
    if hub.engine.dialect.name != "postgresql":
        pytest.skip("COPY is PostgreSQL's; SQLite takes the multi-row INSERT the other tests run")
    return hub


def test_copy_writes_the_rows_the_insert_writes(postgres):
    now = dt.datetime(2026, 12, 3, 16, 0, 0, 1, tzinfo=NEW_YORK)
    with postgres.session() as session:
        by_copy, by_insert = create_resident(session).id, create_resident(session).id
        insert_baselines(session, "DHS", {by_copy: baseline()}, now, copy=True)
        insert_baselines(session, "DHS", {by_insert: baseline()}, now, copy=False)
        session.commit()
    with postgres.session() as session:
        copied, inserted = stored(session, by_copy), stored(session, by_insert)
    assert copied == inserted
    sources, benefits, actions, texts = copied
    assert len(sources) == 1 and len(benefits) == 2 and len(actions) == 2
    assert sources[0]["as_of"] == now and sources[0]["as_of"].tzinfo == dt.UTC
    assert sources[0]["view_exact"] is True and sources[0]["error_kind"] is None
    assert actions[1]["title"] == (UNUSUAL * 3)[:200] and actions[1]["scheduled_at"].tzinfo == dt.UTC
    assert benefits[0]["case_number"] == 'C1"\\\n' and benefits[0]["document"]["plan"] == UNUSUAL
    assert benefits[0]["document"]["payments"][0]["cents"] == 2**62


@pytest.mark.parametrize("copy", [True, False])
def test_a_nul_in_the_text_is_refused_either_way(postgres, copy):
    with postgres.session() as session:
        resident_id = create_resident(session).id
        with pytest.raises(Exception, match="(?i)nul|0x00"):
            insert_baselines(session, "DHS", {resident_id: baseline("a\x00b")}, dt.datetime.now(dt.UTC), copy=copy)
