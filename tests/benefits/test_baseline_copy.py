"""Bulk reconciliation's baselines by ``COPY`` (PostgreSQL) write exactly the rows its multi-row ``INSERT`` writes.

The same pictures go in both ways, for two residents, on a real PostgreSQL session; every column of
``benefit_sources``, ``benefits`` and ``benefit_actions`` is compared as the ORM reads it back (the generated ids
and the resident aside). The ``json`` document's text is orjson's (``copy_rows.stored_json``): other bytes, the
value ``json.dumps`` stores. The records carry what an export
can carry in its strings: quotes, tabs, newlines, carriage returns, backslashes, COPY's own ``\\N`` and ``\\.``,
non-ASCII and astral characters, and instants in other zones. A NUL, which PostgreSQL's text cannot hold, is
refused by both ways.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import zoneinfo

import pytest
from sqlalchemy import select, text

from services.benefits.bulk_reconcile import insert_baselines
from services.benefits.copy_rows import stored_json
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
        [json.loads(stored_text) for stored_text in texts],  # as any JSON reader reads the column
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


class Level(enum.IntEnum):
    HIGH = 3


class Name(enum.StrEnum):
    A = "a"


@dataclasses.dataclass
class Point:
    x: int


@pytest.mark.parametrize(
    "value",
    [
        {"a": 1, "b": [True, False, None], "c": {"d": UNUSUAL}},
        {"big": 2**64, "negative": -(2**63)},  # beyond orjson's 64 bits: json writes it
        {1: "a", "nested": {2: [3]}},  # json writes non-str keys as strings; orjson refuses them
        {"surrogate": "\ud800"},  # a lone surrogate: orjson refuses it, json escapes it
        {"float": 1.5, "small": 1e-7, "large": 1e300},
        {"level": Level.HIGH, "name": Name.A},  # subclasses of int and str: written as json writes them
    ],
)
def test_stored_json_reads_back_as_the_insert_s_json(value):
    assert json.loads(stored_json(value)) == json.loads(json.dumps(value))


@pytest.mark.parametrize(
    "value", [{"at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)}, {"p": Point(1)}, {"d": dt.date(2026, 1, 1)}]
)
def test_stored_json_refuses_what_json_refuses(value):
    with pytest.raises(TypeError):
        json.dumps(value)
    with pytest.raises(TypeError):
        stored_json(value)
