"""Each agency adapter turns its feed's own shape into the one benefit model (pure; captured payloads)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from services.platform import adapters
from services.platform.adapters import Page
from services.platform.client import RecordRef
from services.platform.records import SourceError, content_hash
from tests.platform.payloads import page, pages

D = dt.date


def by_program(records):
    return {record.program_code: record for record in records}


def test_dhs_maria_snap_active_with_an_open_document_request_and_wic():
    records = by_program(adapters.normalise("DHS", pages("dhs_maria_day0.json")))
    snap, wic = records["SNAP"], records["WIC"]
    assert snap.status == "active" and snap.status_reason == "eligible"
    assert snap.case_number == "204815367" and snap.key == "SNAP:204815367"
    assert snap.amount.cents == 23400 and snap.amount.frequency == "monthly"
    assert snap.next_payment_on == D(2026, 12, 14)
    assert snap.certification_start == D(2026, 7, 7) and snap.certification_end == D(2027, 7, 6)
    [document] = snap.actions
    assert (document.kind, document.state, document.due_on) == ("document", "open", D(2026, 11, 29))
    assert document.title.startswith("Proof of income")
    assert all(payment.currency == "USD" and payment.cents > 0 for payment in snap.payments)
    assert [step.status for step in snap.history] == ["pending", "active"]
    assert wic.status == "active" and wic.amount is None and wic.plan == "Child food package"


def test_dhs_maria_document_is_overdue_on_day_7():
    snap = by_program(adapters.normalise("DHS", pages("dhs_maria_day7.json")))["SNAP"]
    assert [a.state for a in snap.actions] == ["overdue"]


def test_dhs_james_pending_with_a_phone_interview_then_approved_with_a_first_payment():
    before = by_program(adapters.normalise("DHS", pages("dhs_james_day0.json")))["SNAP"]
    assert before.status == "pending" and before.amount is None
    [interview] = before.actions
    assert (interview.kind, interview.state, interview.title) == ("interview", "open", "Phone interview")
    assert interview.scheduled_at == dt.datetime(2026, 11, 26, 16, 0, tzinfo=dt.UTC)  # 10:00 in Chicago
    after = by_program(adapters.normalise("DHS", pages("dhs_james_day7.json")))["SNAP"]
    assert after.status == "active" and after.amount.cents == 29100
    assert [a.state for a in after.actions] == ["done"]
    assert [(p.cents, p.paid_on) for p in after.payments] == [(18000, D(2026, 11, 28))]


def test_hfs_maria_medicaid_active_with_renewal_due_then_renewal_started():
    [medicaid] = adapters.normalise("HFS", pages("hfs_maria_day0.json"))
    assert (medicaid.program_code, medicaid.status, medicaid.case_number) == ("MEDICAID", "active", "710038264")
    assert medicaid.renewal_due_on == D(2026, 12, 19)
    assert medicaid.actions == () and medicaid.plan == "HC-MCO-BLUE"
    [later] = adapters.normalise("HFS", pages("hfs_maria_day7.json"))
    assert later.status == "renewal_due" and later.status_reason == "renewal_started"
    [renewal] = later.actions
    assert (renewal.kind, renewal.state, renewal.due_on) == ("renewal", "open", D(2026, 12, 19))
    assert [n.title for n in later.notices][-1].startswith("Your Medicaid renewal packet")


def test_aging_ana_community_care_active_and_benefit_access_denied():
    records = by_program(adapters.normalise("AGING", pages("aging_ana_day0.json")))
    assert records["CCP"].status == "active" and records["CCP"].plan == "HOMEMAKER 12H/WK"
    assert records["BAP"].status == "denied" and records["BAP"].status_reason == "income_over_limit"
    assert [a.state for a in records["CCP"].actions] == ["done"]  # last year's reassessment


def test_aging_ana_reassessment_scheduled_on_day_7_and_pages_join_up():
    whole = by_program(adapters.normalise("AGING", pages("aging_ana_day7.json")))
    paged = by_program(
        adapters.normalise(
            "AGING",
            pages("aging_ana_day7_page1of3.json", "aging_ana_day7_page2of3.json", "aging_ana_day7_page3of3.json"),
        )
    )
    assert content_hash(list(whole.values())) == content_hash(list(paged.values()))
    visit = [a for a in whole["CCP"].actions if a.state == "open"]
    assert [(a.kind, a.due_on, a.title) for a in visit] == [
        ("interview", D(2026, 12, 15), "In-home reassessment visit")
    ]
    assert visit[0].scheduled_at == dt.datetime(2026, 12, 15, 16, 30, tzinfo=dt.UTC)


def test_aging_next_request_follows_next_page_and_refuses_to_go_backwards():
    ref = RecordRef("AGING", "AG1", "PER1")
    first = adapters.first_request(ref)
    assert first.params == {"person_id": "PER1", "page": "1", "page_size": "500"}
    following = adapters.next_request(ref, first, page("aging_ana_day7_page1of3.json"))
    assert following.params["page"] == "2"
    assert adapters.next_request(ref, first, page("aging_ana_day7.json")) is None
    backwards = Page("application/json", json.dumps({"rows": [], "next_page": 1}))
    with pytest.raises(SourceError) as raised:
        adapters.next_request(ref, first, backwards)
    assert raised.value.kind == "malformed"


def test_dceo_james_liheap_approved_one_time_award_paid():
    [liheap] = adapters.normalise("DCEO", pages("dceo_james_day0.json"))
    assert (liheap.program_code, liheap.status) == ("LIHEAP", "approved")
    assert (liheap.amount.cents, liheap.amount.frequency) == (45000, "one_time")
    assert [(p.cents, p.key) for p in liheap.payments] == [(45000, "512004471-AW1")]
    assert liheap.plan == "Ameren Illinois"


def test_dec_lee_child_care_active_from_xml():
    [ccap] = adapters.normalise("DEC", pages("dec_lee_day0.xml"))
    assert (ccap.program_code, ccap.status, ccap.case_number) == ("CCAP", "active", "640207719")
    assert ccap.renewal_due_on == D(2027, 8, 25) and ccap.actions == ()
    assert ccap.certification_end == D(2027, 8, 25) and ccap.plan == "Little Stars Learning Center"


@pytest.mark.parametrize(
    ("agency", "fixture"),
    [
        ("DHS", "dhs_maria_day0.json"),
        ("HFS", "hfs_maria_day7.json"),
        ("AGING", "aging_ana_day7.json"),
        ("DCEO", "dceo_james_day0.json"),
        ("DEC", "dec_lee_day0.xml"),
    ],
)
def test_a_truncated_payload_is_a_source_error_not_a_crash(agency, fixture):
    """The simulator's ``malformed`` fault: the first three fifths of the body, then junk."""
    text = page(fixture).text
    garbled = Page("application/json", text[: len(text) * 3 // 5] + "\x00<<TRUNCATED")
    with pytest.raises(SourceError) as raised:
        adapters.normalise(agency, [garbled])
    assert raised.value.kind == "malformed" and raised.value.agency == agency


def _edited(fixture: str, edit) -> Page:
    body = json.loads(page(fixture).text)
    edit(body)
    return Page("application/json", json.dumps(body))


@pytest.mark.parametrize(
    ("agency", "fixture", "edit"),
    [
        ("DHS", "dhs_maria_day0.json", lambda b: b["cases"][0].update(statusCode="WAIT")),
        ("DHS", "dhs_maria_day0.json", lambda b: b["cases"][0].update(programCode="XYZ")),
        ("DHS", "dhs_maria_day0.json", lambda b: b["cases"][0]["pendingVerifications"][0].update(statusCode="??")),
        ("HFS", "hfs_maria_day0.json", lambda b: b["entry"][0]["resource"].update(status="entered-in-error")),
        ("AGING", "aging_ana_day0.json", lambda b: b["rows"][0].update(STAT_CD="Z")),
        ("AGING", "aging_ana_day0.json", lambda b: b["rows"][0].update(REC_TYP="XXX")),
        ("DCEO", "dceo_james_day0.json", lambda b: b["applicant"]["applications"][0].update(state="paused")),
    ],
)
def test_an_unknown_code_is_a_source_error(agency, fixture, edit):
    with pytest.raises(SourceError) as raised:
        adapters.normalise(agency, [_edited(fixture, edit)])
    assert raised.value.kind == "unknown_code"


@pytest.mark.parametrize(
    ("agency", "fixture", "edit"),
    [
        ("DHS", "dhs_maria_day0.json", lambda b: b.pop("cases")),
        ("DHS", "dhs_maria_day0.json", lambda b: b["cases"][0].update(benefitAmount="two hundred")),
        ("DHS", "dhs_maria_day0.json", lambda b: b["cases"][0].update(statusDate="31/12/2026")),
        ("DHS", "dhs_maria_day0.json", lambda b: b["cases"].append(dict(b["cases"][0]))),
        ("HFS", "hfs_maria_day0.json", lambda b: b.update(resourceType="OperationOutcome")),
        ("DCEO", "dceo_james_day0.json", lambda b: b.update(applicant=None)),
        ("AGING", "aging_ana_day0.json", lambda b: b.update(rows="none")),
    ],
)
def test_a_payload_missing_or_mangling_fields_is_malformed(agency, fixture, edit):
    with pytest.raises(SourceError) as raised:
        adapters.normalise(agency, [_edited(fixture, edit)])
    assert raised.value.kind == "malformed"


def test_dec_refuses_a_document_type_declaration():
    xml = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><CCAPCaseList xmlns="urn:sandbox:il:dec:ccap:v1"/>'
    with pytest.raises(SourceError):
        adapters.normalise("DEC", [Page("application/xml", xml)])


def test_unknown_free_text_reason_is_not_an_error_but_other():
    def new_reason(body):
        body["cases"][0]["statusReason"] = "Some wording the hub has never seen"

    records = by_program(adapters.normalise("DHS", [_edited("dhs_maria_day0.json", new_reason)]))
    assert records["SNAP"].status_reason == "other"


def test_records_round_trip_through_their_stored_document():
    from services.platform.records import record_from_document

    for agency, fixture in [
        ("DHS", "dhs_james_day7.json"),
        ("HFS", "hfs_maria_day7.json"),
        ("AGING", "aging_ana_day7.json"),
    ]:
        for record in adapters.normalise(agency, pages(fixture)):
            assert record_from_document(record.document()) == record


def test_us_dates_read_by_hand_as_strptime_read_them():
    from services.platform.adapters.common import us_date

    for text in ("03/05/2025", "12/31/1999", "02/29/2024", " 01/02/2030 ", "2025-03-05", "2025-03-05T10:00:00"):
        expected = (
            dt.datetime.strptime(text.strip(), "%m/%d/%Y").date() if "/" in text else dt.date.fromisoformat(text[:10])
        )
        assert us_date(text) == expected
    assert us_date("") is None and us_date(None) is None
    for bad in ("02/30/2025", "13/01/2025", "00/10/2025", "1/2/2025", "03-05-2025", "soon"):
        with pytest.raises(ValueError):
            us_date(bad)


def test_a_body_orjson_refuses_is_read_as_json_reads_it():
    from services.platform.adapters.common import json_body

    assert (
        json_body("DHS", adapters.Page("application/json", '{"n": NaN, "big": 123456789012345678901234}'))["big"]
        == 123456789012345678901234
    )
    with pytest.raises(SourceError):
        json_body("DHS", adapters.Page("application/json", "{not json"))
