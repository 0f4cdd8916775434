"""Each domain event makes the messages a resident should get, and nothing for changes that don't matter."""

from __future__ import annotations

import pytest

from notifications import rules
from notifications.render import render_message
from services import outbox as events

BASE = {"benefit_id": "ben-1", "agency": "HFS", "program_code": "MEDICAID"}


def only(event_type: str, **payload) -> rules.MessageSpec:
    specs = rules.messages_for(event_type, {**BASE, **payload})
    assert len(specs) == 1, specs
    return specs[0]


def none_for(event_type: str, **payload) -> None:
    assert rules.messages_for(event_type, {**BASE, **payload}) == []


# -- status --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("old", "new", "template"),
    [
        ("pending", "approved", "status.approved"),
        (None, "approved", "status.approved"),
        ("pending", "active", "status.active"),
        ("applied", "active", "status.active"),
        ("suspended", "active", "status.reinstated"),
        ("renewal_due", "active", "status.renewed"),
        ("pending", "denied", "status.denied"),
        ("active", "closed", "status.closed"),
        ("pending", "action_needed", "status.action_needed"),
        ("active", "suspended", "status.suspended"),
    ],
)
def test_status_changes_that_matter_make_a_status_message(old, new, template):
    spec = only(events.BENEFIT_STATUS_CHANGED, old_status=old, new_status=new, status_reason="x")

    assert (spec.category, spec.template_key, spec.urgent) == ("status", template, False)
    assert spec.params == {"program_code": "MEDICAID", "old_status": old, "new_status": new}
    assert (spec.benefit_id, spec.agency) == ("ben-1", "HFS")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (None, "applied"),
        ("applied", "pending"),
        ("approved", "active"),
        ("active", "renewal_due"),
        ("active", "active"),
    ],
)
def test_status_changes_that_do_not_matter_make_nothing(old, new):
    none_for(events.BENEFIT_STATUS_CHANGED, old_status=old, new_status=new)


# -- actions -------------------------------------------------------------------------------------------------
def test_a_requested_document_names_what_and_by_when():
    spec = only(
        events.ACTION_REQUESTED, action_id="act-1", kind="document", due_on="2026-04-01", title="Proof of income"
    )

    assert (spec.category, spec.template_key, spec.urgent) == ("documents", "documents.requested", False)
    assert spec.params["due_on"] == "2026-04-01" and spec.params["title"] == "Proof of income"
    assert spec.dedupe_suffix == "document.requested"


def test_a_document_request_without_a_due_date_still_makes_a_message():
    spec = only(events.ACTION_REQUESTED, action_id="a", kind="document", due_on=None, title="ID")

    assert spec.template_key == "documents.requested_undated"


def test_a_scheduled_interview_and_an_interview_still_to_book():
    scheduled = only(
        events.ACTION_REQUESTED,
        action_id="a",
        kind="interview",
        due_on="2026-04-01",
        title="Interview",
        scheduled_at="2026-03-30T10:00:00-05:00",
    )
    to_book = only(
        events.ACTION_REQUESTED, action_id="a", kind="interview", due_on=None, title="Interview", scheduled_at=None
    )

    assert (scheduled.category, scheduled.template_key, scheduled.urgent) == (
        "interviews",
        "interviews.scheduled",
        False,
    )
    assert scheduled.params["scheduled_at"] == "2026-03-30T10:00:00-05:00"
    assert to_book.template_key == "interviews.requested"


def test_renewal_forms_and_changes_to_report_are_requested_with_a_due_date():
    renewal = only(events.ACTION_REQUESTED, action_id="a", kind="renewal", due_on="2026-05-01", title="Renewal form")
    change = only(events.ACTION_REQUESTED, action_id="a", kind="report_change", due_on="2026-05-01", title="New job")

    assert (renewal.category, renewal.template_key) == ("renewals", "renewals.requested")
    assert (change.category, change.template_key) == ("documents", "documents.report_change")


def test_a_missed_interview_is_urgent():
    spec = only(
        events.ACTION_UPDATED,
        action_id="a",
        kind="interview",
        due_on=None,
        title="Interview",
        scheduled_at="2026-03-30T10:00:00-05:00",
        old_state="open",
        state="missed",
    )

    assert (spec.category, spec.template_key, spec.urgent) == ("interviews", "interviews.missed", True)


@pytest.mark.parametrize(
    ("kind", "state", "template"),
    [
        ("document", "done", "documents.received"),
        ("document", "overdue", "documents.overdue"),
        ("renewal", "overdue", "renewals.overdue"),
    ],
)
def test_action_updates_that_matter(kind, state, template):
    spec = only(
        events.ACTION_UPDATED, action_id="a", kind=kind, due_on="2026-04-01", title="T", old_state="open", state=state
    )

    assert (spec.template_key, spec.urgent) == (template, False)


@pytest.mark.parametrize(
    ("kind", "old_state", "state"),
    [
        ("document", "open", "cancelled"),
        ("interview", "open", "done"),
        ("document", "open", "open"),
        ("report_change", "open", "done"),
    ],
)
def test_action_updates_that_do_not_matter(kind, old_state, state):
    none_for(
        events.ACTION_UPDATED,
        action_id="a",
        kind=kind,
        due_on="2026-04-01",
        title="T",
        old_state=old_state,
        state=state,
    )


# -- renewals, notices, payments -------------------------------------------------------------------------------
def test_a_new_renewal_date_makes_a_renewal_message_but_the_same_date_again_does_not():
    spec = only(events.RENEWAL_DUE_SET, renewal_due_on="2026-06-30", old_renewal_due_on="2025-06-30")

    assert (spec.category, spec.template_key, spec.urgent) == ("renewals", "renewals.due_set", False)
    none_for(events.RENEWAL_DUE_SET, renewal_due_on="2026-06-30", old_renewal_due_on="2026-06-30")
    none_for(events.RENEWAL_DUE_SET, renewal_due_on=None, old_renewal_due_on="2026-06-30")


def test_a_posted_notice():
    spec = only(events.NOTICE_POSTED, notice_id="n-1", title="Approval notice", posted_on="2026-03-02")

    assert (spec.category, spec.template_key, spec.urgent) == ("notices", "notices.posted", False)
    assert spec.params["notice_id"] == "n-1"


def test_an_issued_payment_carries_cents_and_currency():
    spec = only(events.PAYMENT_ISSUED, payment_id="p-1", cents=29100, currency="USD", paid_on="2026-03-05")

    assert (spec.category, spec.template_key, spec.urgent) == ("payments", "payments.issued", False)
    assert (spec.params["cents"], spec.params["currency"]) == (29100, "USD")


# -- reminders -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("days", "urgent"), [(30, False), (14, False), (3, True)])
def test_renewal_reminders_and_only_the_last_is_urgent(days, urgent):
    spec = only(events.REMINDER_RENEWAL_DUE, renewal_due_on="2026-06-30", days_left=days)

    assert (spec.category, spec.template_key, spec.urgent) == ("renewals", f"renewals.reminder_{days}", urgent)


@pytest.mark.parametrize(("days", "urgent"), [(7, False), (1, True)])
def test_document_reminders_and_only_the_last_is_urgent(days, urgent):
    spec = only(events.REMINDER_DOCUMENT_DUE, action_id="a", due_on="2026-04-01", days_left=days, title="Pay stubs")

    assert (spec.category, spec.template_key, spec.urgent) == ("documents", f"documents.reminder_{days}", urgent)


def test_the_interview_tomorrow_reminder_is_urgent():
    spec = only(events.REMINDER_INTERVIEW_TOMORROW, action_id="a", scheduled_at="2026-03-30T10:00:00-05:00", title="I")

    assert (spec.category, spec.template_key, spec.urgent) == ("interviews", "interviews.tomorrow", True)


def test_thresholds_the_scan_does_not_use_make_nothing():
    none_for(events.REMINDER_RENEWAL_DUE, renewal_due_on="2026-06-30", days_left=10)
    none_for(events.REMINDER_DOCUMENT_DUE, action_id="a", due_on="2026-04-01", days_left=3, title="T")


def test_unknown_event_types_make_nothing():
    none_for("benefit.something_new")


# -- whole catalogue -----------------------------------------------------------------------------------------
SAMPLE_EVENTS = [
    (events.BENEFIT_STATUS_CHANGED, {"old_status": "pending", "new_status": "approved", "status_reason": "ok"}),
    (
        events.ACTION_REQUESTED,
        {"action_id": "a", "kind": "document", "due_on": "2026-04-01", "title": "T", "scheduled_at": None},
    ),
    (
        events.ACTION_UPDATED,
        {
            "action_id": "a",
            "kind": "interview",
            "due_on": None,
            "title": "T",
            "scheduled_at": "2026-03-30T10:00:00",
            "old_state": "open",
            "state": "missed",
        },
    ),
    (events.RENEWAL_DUE_SET, {"renewal_due_on": "2026-06-30", "old_renewal_due_on": None}),
    (events.PAYMENT_ISSUED, {"payment_id": "p", "cents": 100, "currency": "USD", "paid_on": "2026-03-05"}),
    (events.NOTICE_POSTED, {"notice_id": "n", "title": "T", "posted_on": "2026-03-02"}),
    (events.REMINDER_RENEWAL_DUE, {"renewal_due_on": "2026-06-30", "days_left": 30}),
    (events.REMINDER_DOCUMENT_DUE, {"action_id": "a", "due_on": "2026-04-01", "days_left": 7, "title": "T"}),
    (events.REMINDER_INTERVIEW_TOMORROW, {"action_id": "a", "scheduled_at": "2026-03-30T10:00:00", "title": "T"}),
    (events.LINK_ADDED_ELSEWHERE, {"link_id": "l", "linked_agency": "HFS", "linked_on": "2026-03-02", "method": "mpi"}),
    (
        events.DOCUMENT_STATUS_CHANGED,
        {
            "document_id": "d",
            "action_id": "a",
            "title": "T",
            "status": "rejected",
            "document_reason": "unreadable",
            "tracking_number": "DHS-DOC-1",
            "receipt_number": "BH-2345-6789",
        },
    ),
]


NUDGE_EVENT = (
    events.NUDGE_URGENT,
    {"nudge_id": "nu1", "kind": "renewal_at_risk", "category": "renewals", "due_on": "2026-04-01"},
)
SAMPLE_EVENTS.append(NUDGE_EVENT)

PARTNER_EVENT = (events.PARTNER_MESSAGE, {"partner_notification_id": "pn1", "client_id": "c", "category": "documents"})


def test_every_event_type_in_the_catalogue_has_a_rule():
    assert {event_type for event_type, _ in [*SAMPLE_EVENTS, PARTNER_EVENT]} == events.ALL_TYPES


@pytest.mark.parametrize(("locale", "title"), [("en", "Hello"), ("es", "Hola"), ("es-MX", "Hola"), ("fr", "Hello")])
def test_a_partner_message_renders_the_partners_own_text_in_the_residents_language(locale, title):
    [spec] = rules.messages_for(*PARTNER_EVENT, agency="DHS")
    assert (spec.category, spec.agency, spec.urgent) == ("documents", "DHS", False)
    params = {**spec.params, "title": {"en": "Hello", "es": "Hola"}, "body": {"en": "Body", "es": "Cuerpo"}}
    rendered = render_message(spec.template_key, params, locale)
    assert rendered.inbox_title == title and rendered.locale == ("en" if title == "Hello" else "es")
    assert rendered.push_title == "Benefits update" if title == "Hello" else rendered.push_title != title
    assert render_message(spec.template_key, params, locale, detailed_previews=True).push_title == title
    assert rules.messages_for(events.PARTNER_MESSAGE, {"partner_notification_id": "x", "category": "account"}) == []


@pytest.mark.parametrize(("event_type", "payload"), SAMPLE_EVENTS, ids=[e for e, _ in SAMPLE_EVENTS])
@pytest.mark.parametrize("locale", ["en", "es"])
def test_every_rule_renders_in_every_language(event_type, payload, locale):
    [spec] = rules.messages_for(event_type, {**BASE, **payload})

    rendered = render_message(spec.template_key, spec.params, locale, detailed_previews=True)

    assert rendered.locale == locale and rendered.inbox_title and rendered.push_body


def test_benefit_and_agency_fall_back_to_the_outbox_row():
    [spec] = rules.messages_for(
        events.NOTICE_POSTED,
        {"program_code": "SNAP", "notice_id": "n", "title": "T", "posted_on": "2026-03-02"},
        agency="DHS",
        benefit_id="ben-9",
    )

    assert (spec.agency, spec.benefit_id) == ("DHS", "ben-9")


def test_a_spec_only_takes_known_categories():
    with pytest.raises(ValueError):
        rules.MessageSpec("marketing", "marketing.x", {}, False, None, "x")


def test_a_case_linked_to_another_account_is_an_urgent_account_notice_no_consent_can_withhold():
    [spec] = rules.messages_for(
        events.LINK_ADDED_ELSEWHERE, {"link_id": "l", "linked_agency": "HFS", "linked_on": "2026-03-02"}
    )

    assert (spec.category, spec.urgent, spec.agency, spec.benefit_id) == ("account", True, None, None)
    en = render_message(spec.template_key, spec.params, "en")
    es = render_message(spec.template_key, spec.params, "es", detailed_previews=True)
    assert en.inbox_title == "Your HFS case was linked to another account" and "March 2, 2026" in en.inbox_body
    assert "HFS" not in en.push_title + en.push_body  # the lock screen says nothing about which agency
    assert es.inbox_title == "Tu caso de HFS se vinculó a otra cuenta"
    assert rules.messages_for(events.LINK_ADDED_ELSEWHERE, {"link_id": "l"}) == []
