"""Pure: which domain events a change between two snapshots of one benefit means, each with a stable dedupe key."""

from __future__ import annotations

import dataclasses

from services import outbox as de
from services.benefits.snapshot_diff import benefit_events
from services.platform import adapters
from tests.platform.payloads import pages


def one(agency, fixture, program):
    return next(r for r in adapters.normalise(agency, pages(fixture)) if r.program_code == program)


def ids_for(*records):
    return {a.key: f"act-{a.key}" for r in records if r for a in r.actions}


def events(old, new, benefit_id="ben-1"):
    return benefit_events(benefit_id, ids_for(old, new), old, new)


def test_james_snap_approved_after_the_interview_with_a_first_payment():
    old, new = one("DHS", "dhs_james_day0.json", "SNAP"), one("DHS", "dhs_james_day7.json", "SNAP")
    found = events(old, new)
    assert [e.type for e in found] == [
        de.BENEFIT_STATUS_CHANGED,
        de.ACTION_UPDATED,
        de.PAYMENT_ISSUED,
        de.NOTICE_POSTED,
    ]
    status, interview, payment, notice = found
    assert (status.payload["old_status"], status.payload["new_status"]) == ("pending", "active")
    assert status.payload["status_reason"] == "eligible"
    assert (interview.payload["kind"], interview.payload["old_state"], interview.payload["state"]) == (
        "interview",
        "open",
        "done",
    )
    assert (payment.payload["cents"], payment.payload["paid_on"]) == (18000, "2026-11-28")
    assert notice.payload["title"] == "Your SNAP application is approved"
    for event in found:
        assert {"benefit_id", "agency", "program_code"} <= set(event.payload)
        assert event.payload["benefit_id"] == "ben-1" and event.payload["program_code"] == "SNAP"


def test_maria_medicaid_renewal_packet_issued():
    old, new = one("HFS", "hfs_maria_day0.json", "MEDICAID"), one("HFS", "hfs_maria_day7.json", "MEDICAID")
    types = [e.type for e in events(old, new)]
    assert types == [de.BENEFIT_STATUS_CHANGED, de.ACTION_REQUESTED, de.NOTICE_POSTED]
    requested = events(old, new)[1].payload
    assert (requested["kind"], requested["due_on"]) == ("renewal", "2026-12-19")


def test_maria_document_falls_overdue():
    old, new = one("DHS", "dhs_maria_day0.json", "SNAP"), one("DHS", "dhs_maria_day7.json", "SNAP")
    [overdue] = events(old, new)
    assert overdue.type == de.ACTION_UPDATED and overdue.payload["state"] == "overdue"


def test_ana_reassessment_scheduled_and_notice_posted():
    old, new = one("AGING", "aging_ana_day0.json", "CCP"), one("AGING", "aging_ana_day7.json", "CCP")
    assert [e.type for e in events(old, new)] == [de.ACTION_REQUESTED, de.NOTICE_POSTED]


def test_the_same_change_seen_twice_has_the_same_dedupe_keys_and_no_change_means_no_event():
    old, new = one("DHS", "dhs_james_day0.json", "SNAP"), one("DHS", "dhs_james_day7.json", "SNAP")
    assert [e.dedupe_key for e in events(old, new)] == [e.dedupe_key for e in events(old, new)]
    assert events(new, new) == []


def test_a_new_record_is_announced_and_a_vanished_one_cancels_its_open_actions():
    new = one("DHS", "dhs_james_day0.json", "SNAP")
    found = events(None, new)
    assert found[0].type == de.BENEFIT_STATUS_CHANGED and found[0].payload["old_status"] is None
    assert de.ACTION_REQUESTED in [e.type for e in found]
    [cancelled] = events(new, None)
    assert cancelled.type == de.ACTION_UPDATED and cancelled.payload["state"] == "cancelled"


def test_a_new_renewal_date_is_announced_once_per_date():
    old = one("HFS", "hfs_maria_day0.json", "MEDICAID")
    moved = dataclasses.replace(old, renewal_due_on=old.renewal_due_on.replace(year=2027))
    [event] = events(old, moved)
    assert event.type == de.RENEWAL_DUE_SET and event.payload["old_renewal_due_on"] == "2026-12-19"
    assert event.dedupe_key.endswith("2027-12-19")
