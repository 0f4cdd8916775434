"""``BenefitRecord.document()`` is built field by field for speed; it must stay exactly what
``dataclasses.asdict`` gave (dates as ISO strings, tuples as lists, the same keys in the same order), since
stored documents, content hashes and the diff of a stored picture against a new one all read it.

The records are every one the sandbox's bulk export carries for every agency, on day 0 and after the scenario
moves on (payments, notices, history, scheduled interviews), through the hub's own adapters; plus hand-built
records for the shapes the story may not reach (every optional field empty, every one filled).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import typing

from services.platform import adapters
from services.platform.records import (
    Action,
    Amount,
    BenefitRecord,
    HouseholdMember,
    Notice,
    Payment,
    StatusStep,
    content_hash,
    documents_hash,
    record_from_document,
)
from simulator.feeds.documents import CONTENT_TYPES


def as_before(value: typing.Any) -> typing.Any:
    """What ``document()`` returned before: ``dataclasses.asdict`` made JSON-able."""
    if dataclasses.is_dataclass(value):
        value = dataclasses.asdict(value)
    if isinstance(value, dict):
        return {key: as_before(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [as_before(item) for item in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def exported_records(hub) -> list[BenefitRecord]:
    records = []
    for agency in CONTENT_TYPES:
        cursor = None
        while True:
            page = hub.platform.records_page(agency, cursor, 50)
            for item in page.records:
                records += adapters.normalise(agency, [item.page])
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
    return records


def hash_as_before(documents: list[dict]) -> str:
    ordered = sorted(documents, key=lambda doc: doc["key"])
    return hashlib.sha256(json.dumps(ordered, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def same(record: BenefitRecord) -> None:
    document = record.document()
    expected = as_before(record)
    assert document == expected
    assert json.dumps(document) == json.dumps(expected)  # key order too (json.dumps keeps it)
    assert record_from_document(document) == record
    assert documents_hash([document]) == hash_as_before([document]) == content_hash([record])


def test_every_exported_record_documents_as_asdict_did(sandbox_hub, sandbox_server):
    seen: set[str] = set()
    for day in (0, 7, 45):
        if day:
            assert sandbox_server.post("/platform/sim/advance", {"days": day}).status_code == 200
        records = exported_records(sandbox_hub)
        for record in records:
            same(record)
            seen.add(record.agency)
            seen.update(
                f"{record.agency}:{name}"
                for name in ("actions", "payments", "notices", "history", "household")
                if getattr(record, name)
            )
        assert content_hash(records) == documents_hash([record.document() for record in records])
    assert {"DHS", "HFS", "AGING", "DCEO", "DEC"} <= seen
    assert {"DHS:actions", "DHS:payments", "DHS:notices", "DHS:history", "DHS:household"} <= seen


def test_hand_built_records_of_every_shape_document_as_asdict_did():
    day, at = dt.date(2025, 3, 3), dt.datetime(2025, 3, 5, 15, 0, tzinfo=dt.UTC)
    bare = BenefitRecord("DHS", "SNAP:1", "SNAP", "1", "pending", "other")
    full = BenefitRecord(
        "DHS",
        "SNAP:2",
        "SNAP",
        "2",
        "active",
        "other",
        status_since=day,
        amount=Amount(23400, "USD", "monthly"),
        next_payment_on=day,
        certification_start=day,
        certification_end=day,
        renewal_due_on=day,
        plan="basic",
        actions=(Action("a", "interview", "Interview", "open", day, at), Action("b", "document", "Proof", "done")),
        notices=(Notice("n", "Approved", day),),
        payments=(Payment("p", 18000, "USD", day),),
        history=(StatusStep("pending", day, "other"), StatusStep("active", day, "other")),
        household=(HouseholdMember("self", day), HouseholdMember("child")),
    )
    for record in (bare, full):
        same(record)
    assert [field.name for field in dataclasses.fields(BenefitRecord)] == list(full.document())


def test_the_content_hash_is_the_hash_of_the_sorted_json_text_whatever_the_strings_and_numbers():
    """Stored hashes are of ``json.dumps``'s text; the orjson fast path must give the same bytes or step aside."""
    awkward = [
        'a "quoted" title',
        "back\\slash",
        "línea ñ",
        "emoji 🙂",
        "tab\tnew\nline\r",
        "\x00\x1f\x7f",
        "</script>",
        "",
    ]
    values = [
        *awkward,
        0,
        -1,
        2**63,
        2**70,
        1.5,
        1e16,
        0.1,
        True,
        False,
        None,
        [],
        {},
        {"b": 1, "a": [1, {"d": 2, "c": 3}]},
    ]
    for value in values:
        documents = [
            {"key": "k", "title": value, "z": 1, "a": None},
            {"key": "j", "nested": {"y": value, "x": [value]}},
        ]
        assert documents_hash(documents) == hash_as_before(documents), value
