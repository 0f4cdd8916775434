"""A benefit's shape is the record's and the schema's: the presenter shows every record field the schema names,
the schema takes everything the presenter gives, field for field, and no record field goes unaccounted for."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest

from api.resident.benefits import presenters
from api.resident.benefits.schemas import BenefitDetailSchema, BenefitSchema
from services.models.benefits import Benefit, BenefitAction
from services.platform.records import (
    Action,
    Amount,
    BenefitRecord,
    HouseholdMember,
    Notice,
    Payment,
    StatusStep,
    record_from_document,
)

AS_OF = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)


def _every_field_filled() -> BenefitRecord:
    record = BenefitRecord(
        agency="DHS",
        key="SNAP:1234567",
        program_code="SNAP",
        case_number="1234567",
        status="active",
        status_reason="renewal_started",
        status_since=dt.date(2026, 1, 5),
        amount=Amount(29100, "USD", "monthly"),
        next_payment_on=dt.date(2026, 4, 1),
        certification_start=dt.date(2026, 1, 1),
        certification_end=dt.date(2026, 12, 31),
        renewal_due_on=dt.date(2026, 11, 30),
        plan="Standard",
        actions=(Action("a1", "document", "Send a pay stub", "open", dt.date(2026, 3, 20)),),
        notices=(Notice("n1", "Approval", dt.date(2026, 1, 5)),),
        payments=(Payment("p1", 29100, "USD", dt.date(2026, 3, 1)),),
        history=(StatusStep("active", dt.date(2026, 1, 5), "renewal_started"),),
        household=(HouseholdMember("self", dt.date(1990, 4, 2)), HouseholdMember("child", dt.date(2023, 6, 1))),
    )
    unset = [field.name for field in dataclasses.fields(record) if getattr(record, field.name) in (None, ())]
    assert unset == [], f"fill these in too: {unset}"
    return record


def _presented(detail: bool) -> tuple[BenefitRecord, dict]:
    record = _every_field_filled()
    row = Benefit(id="benefit-1", agency=record.agency, program_code=record.program_code, document=record.document())
    stored = BenefitAction(id="action-1", kind="document", title="Send a pay stub", state="open")
    stored.due_on, stored.scheduled_at = dt.date(2026, 3, 20), None
    return record, presenters.benefit(row, [stored], AS_OF, "en", detail=detail)


@pytest.mark.parametrize(("detail", "schema"), [(False, BenefitSchema), (True, BenefitDetailSchema)])
def test_the_presenter_gives_exactly_the_schemas_fields_and_the_schema_takes_them(detail, schema):
    _record, body = _presented(detail)
    assert list(body) == list(schema().fields)
    dumped = json.loads(json.dumps(schema().dump(body)))
    assert schema().validate(dumped) == {}
    assert dumped["amount"] == {"cents": 29100, "currency": "USD", "frequency": "monthly"}
    assert dumped["case_number"].endswith("4567") and "1234567" not in dumped["case_number"]
    assert dumped["status_reason"] and dumped["status_reason"] != "renewal_started"  # words, not the code


def test_every_record_field_is_shown_as_stored_or_presented_otherwise():
    record, body = _presented(detail=True)
    names = {field.name for field in dataclasses.fields(BenefitRecord)}
    otherwise = set(presenters.PRESENTED_OTHERWISE)
    assert otherwise <= names, "PRESENTED_OTHERWISE names a field the record no longer has"
    as_stored = names - otherwise
    assert as_stored <= set(BenefitDetailSchema().fields), f"add to the schema: {as_stored - set(body)}"
    for name in as_stored:
        value = getattr(record, name)
        assert body[name] == (dataclasses.asdict(value) if dataclasses.is_dataclass(value) else value), name


def test_a_stored_document_reads_back_as_the_same_record():
    record = _every_field_filled()
    assert record_from_document(json.loads(json.dumps(record.document()))) == record
