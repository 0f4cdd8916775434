"""``/v1/partner/notifications``: send, status and list, with everything residents chose applying, and every bad
request a clear 4xx that is audited and sends nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from notifications.dispatch import dispatch_job
from services.models.audit import AuditEvent
from services.models.benefits import Benefit
from services.models.notifications import NotificationMessage, PushDelivery
from services.models.outbox import OutboxEvent
from services.models.partners import PartnerNotification
from tests.factories import sign_in
from tests.partner.factories import (
    MARIA_SNAP_CASE,
    PHONE,
    maria_with_phone,
    message,
    register_app,
    sandbox_token,
    token_for,
)
from tests.problem_assertions import assert_problem


def count(hub, model) -> int:
    with hub.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def denied(hub, action="partner.notification.send") -> list[AuditEvent]:
    with hub.session() as session:
        stmt = select(AuditEvent).where(AuditEvent.action == action, AuditEvent.outcome == "denied")
        return list(session.scalars(stmt))


def send(client, headers, body=None, key=None):
    extra = {"Idempotency-Key": key} if key else {}
    return client.post("/v1/partner/notifications", json=body or message(), headers={**headers, **extra})


def deliver(hub):
    dispatch_job(hub)
    hub.runner.run_pending()
    hub.runner.run_pending()


def status_of(client, headers, notification_id):
    response = client.get(f"/v1/partner/notifications/{notification_id}", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


# -- happy paths and what residents chose -------------------------------------------------------------------------


def test_maria_reads_it_in_her_inbox_and_her_lock_screen_stays_private(
    partner_client, partner_hub, partner_fcm, sandbox_url
):
    maria = maria_with_phone(partner_client, sandbox_url)
    dhs = sandbox_token(partner_client, sandbox_url)
    accepted = send(partner_client, dhs).get_json()
    deliver(partner_hub)
    inbox = partner_client.get("/v1/me/notifications", headers=maria.headers).get_json()["data"]
    mine = [m for m in inbox if m["title"] == "We got your document"]
    assert len(mine) == 1 and mine[0]["locale"] == "en" and mine[0]["category"] == "documents"
    assert partner_fcm.accepted[-1].notification["title"] == "Benefits update"
    assert partner_fcm.accepted[-1].data["message_id"] == mine[0]["id"]
    assert status_of(partner_client, dhs, accepted["id"])["status"] == "delivered"


def test_with_detailed_previews_the_lock_screen_shows_the_partners_text(
    partner_client, partner_hub, partner_fcm, sandbox_url
):
    maria = maria_with_phone(partner_client, sandbox_url)
    prefs = partner_client.put(
        "/v1/me/notification-preferences", json={"detailed_previews": True}, headers=maria.headers
    )
    assert prefs.status_code == 200
    send(partner_client, sandbox_token(partner_client, sandbox_url))
    deliver(partner_hub)
    assert partner_fcm.accepted[-1].notification == {
        "title": "We got your document",
        "body": "Thanks Maria, your proof of income arrived.",
    }


def test_a_resident_who_stopped_sharing_the_agency_gets_nothing_and_the_status_says_withheld(
    partner_client, partner_hub, partner_fcm, sandbox_url
):
    maria = maria_with_phone(partner_client, sandbox_url)
    assert partner_client.put("/v1/me/consents/DHS", json={"granted": False}, headers=maria.headers).status_code == 200
    dhs = sandbox_token(partner_client, sandbox_url)
    accepted = send(partner_client, dhs).get_json()
    deliver(partner_hub)
    assert status_of(partner_client, dhs, accepted["id"])["status"] == "withheld"
    inbox = partner_client.get("/v1/me/notifications", headers=maria.headers).get_json()["data"]
    assert not [m for m in inbox if m["title"] == "We got your document"]
    assert partner_fcm.accepted == []


def test_a_switched_off_category_reaches_the_inbox_but_not_the_phone(
    partner_client, partner_hub, partner_fcm, sandbox_url
):
    maria = maria_with_phone(partner_client, sandbox_url)
    partner_client.put(
        "/v1/me/notification-preferences", json={"categories": {"documents": {"enabled": False}}}, headers=maria.headers
    )
    dhs = sandbox_token(partner_client, sandbox_url)
    accepted = send(partner_client, dhs).get_json()
    deliver(partner_hub)
    status = status_of(partner_client, dhs, accepted["id"])
    assert status["status"] == "delivered" and status["pushes"] == {
        "sent": 0,
        "failed": 0,
        "pending": 0,
        "cancelled": 0,
    }
    assert partner_fcm.accepted == []


def test_quiet_hours_hold_the_push(partner_client, partner_hub, partner_fcm, sandbox_url):
    maria = maria_with_phone(partner_client, sandbox_url)
    quiet = {"quiet_hours": {"start": "00:00", "end": "23:59"}}
    assert partner_client.put("/v1/me/notification-preferences", json=quiet, headers=maria.headers).status_code == 200
    dhs = sandbox_token(partner_client, sandbox_url)
    accepted = send(partner_client, dhs).get_json()
    deliver(partner_hub)
    assert status_of(partner_client, dhs, accepted["id"])["pushes"]["pending"] == 1
    assert partner_fcm.accepted == []


def test_ana_reads_the_spanish_text_of_her_hfs_case(partner_client, partner_hub, partner_fcm, sandbox_url):
    ana = sign_in(partner_client, sandbox_url, "ana")
    assert partner_client.get("/v1/me/benefits", headers=ana.headers).status_code == 200
    with partner_hub.session() as session:
        case = session.scalar(select(Benefit.case_number).where(Benefit.agency == "HFS"))
    hfs = sandbox_token(partner_client, sandbox_url, "sandbox-partner-hfs")
    body = message(case_number=case, category="renewals", reference="hfs-renewal-7")
    assert send(partner_client, hfs, body).status_code == 202
    deliver(partner_hub)
    inbox = partner_client.get("/v1/me/notifications", headers=ana.headers).get_json()["data"]
    assert [m["locale"] for m in inbox if m["title"] == "Recibimos tu documento"] == ["es"]


def test_the_same_key_and_body_answer_the_same_and_send_once_another_body_is_409(
    partner_client, partner_hub, sandbox_url
):
    maria_with_phone(partner_client, sandbox_url)
    dhs = sandbox_token(partner_client, sandbox_url)
    first = send(partner_client, dhs, key="campaign-0001-maria")
    again = send(partner_client, dhs, key="campaign-0001-maria")
    assert first.status_code == again.status_code == 202 and first.get_json() == again.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    other = send(partner_client, dhs, message(reference="something-else"), key="campaign-0001-maria")
    assert_problem(other, 409)
    assert count(partner_hub, PartnerNotification) == 1 and count(partner_hub, OutboxEvent) == 1
    assert len(denied(partner_hub)) == 1


def test_the_list_is_the_apps_own_by_reference_and_since_in_cursor_pages(partner_client, partner_hub, sandbox_url):
    maria_with_phone(partner_client, sandbox_url)
    dhs = sandbox_token(partner_client, sandbox_url)
    ids = [send(partner_client, dhs, message(reference=f"ref-{n % 2}")).get_json()["id"] for n in range(3)]
    client_id, key, _ = register_app(partner_hub)
    other = token_for(partner_client, client_id, key)
    assert send(partner_client, other).status_code == 202  # same agency, another app
    page = partner_client.get("/v1/partner/notifications?limit=2", headers=dhs).get_json()
    assert len(page["data"]) == 2 and page["meta"]["next_cursor"]
    rest = partner_client.get(f"/v1/partner/notifications?limit=2&cursor={page['meta']['next_cursor']}", headers=dhs)
    assert {n["id"] for n in page["data"] + rest.get_json()["data"]} == set(ids)
    by_ref = partner_client.get("/v1/partner/notifications?reference=ref-0", headers=dhs).get_json()["data"]
    assert {n["reference"] for n in by_ref} == {"ref-0"} and len(by_ref) == 2
    later = partner_client.get("/v1/partner/notifications?since=2999-01-01T00:00:00Z", headers=dhs).get_json()
    assert later["data"] == []


# -- another agency's case, another app's notification ---------------------------------------------------------


def test_another_agencys_case_is_answered_exactly_like_an_unknown_case(partner_client, partner_hub, sandbox_url):
    maria_with_phone(partner_client, sandbox_url)
    hfs = sandbox_token(partner_client, sandbox_url, "sandbox-partner-hfs")
    theirs = assert_problem(send(partner_client, hfs, message(case_number=MARIA_SNAP_CASE)), 404, field="case_number")
    unknown = assert_problem(send(partner_client, hfs, message(case_number="999999999")), 404, field="case_number")
    assert {k: v for k, v in theirs.items() if k != "request_id"} == {
        k: v for k, v in unknown.items() if k != "request_id"
    }
    assert count(partner_hub, OutboxEvent) == 0 and count(partner_hub, NotificationMessage) == 0
    assert len(denied(partner_hub)) == 2


def test_another_apps_notification_is_a_404(partner_client, partner_hub, sandbox_url):
    maria_with_phone(partner_client, sandbox_url)
    dhs = sandbox_token(partner_client, sandbox_url)
    accepted = send(partner_client, dhs).get_json()
    client_id, key, _ = register_app(partner_hub)
    other = token_for(partner_client, client_id, key)
    assert_problem(partner_client.get(f"/v1/partner/notifications/{accepted['id']}", headers=other), 404)
    assert partner_client.get("/v1/partner/notifications", headers=other).get_json()["data"] == []


# -- bad input -----------------------------------------------------------------------------------------------------


BAD_BODIES = [
    ({"title": {"es": "Solo español"}}, "title"),
    ({"body": {"en": "x" * 2001}}, "body.en"),
    ({"title": {"en": "x" * 201}}, "title.en"),
    ({"category": "account"}, "category"),
    ({"body": {"en": "Hi {nickname}"}}, "personalisation"),
    ({"body": {"en": "Hi {0.__class__}"}}, "body.en"),
    ({"personalisation": {"first_name": {"nested": 1}}}, "personalisation.first_name"),
    ({"case_number": ""}, "case_number"),
    ({"reference": "r" * 129}, "reference"),
    ({"colour": "red"}, "colour"),
    ({"title": {"english": "Hello"}, "body": {"en": "x"}}, "title"),
]


@pytest.mark.parametrize(("change", "field"), BAD_BODIES, ids=[field for _, field in BAD_BODIES])
def test_bad_bodies_are_named_audited_and_send_nothing(partner_client, partner_hub, sandbox_url, change, field):
    maria_with_phone(partner_client, sandbox_url)
    dhs = sandbox_token(partner_client, sandbox_url)
    assert_problem(send(partner_client, dhs, message(**change)), 422, field=field)
    assert count(partner_hub, PartnerNotification) == 0 and count(partner_hub, OutboxEvent) == 0
    assert len(denied(partner_hub)) == 1


def test_a_body_over_the_size_limit_is_413_and_audited(partner_client, partner_hub, sandbox_url):
    dhs = sandbox_token(partner_client, sandbox_url)
    huge = message(body={"en": "x" * (2 * 1024 * 1024)})
    assert_problem(send(partner_client, dhs, huge), 413)
    assert count(partner_hub, PartnerNotification) == 0 and len(denied(partner_hub)) == 1


@pytest.mark.parametrize("path", ["/v1/partner/notifications/nope", "/v1/partner/notifications?limit=0"])
def test_reads_need_notifications_read_and_bad_arguments_are_named(partner_client, partner_hub, sandbox_url, path):
    send_only = sandbox_token(partner_client, sandbox_url, scope="notifications:send")
    assert_problem(partner_client.get(path, headers=send_only), 403)
    reader = sandbox_token(partner_client, sandbox_url, scope="notifications:read")
    assert_problem(send(partner_client, reader), 403)
    if "limit=0" in path:
        assert_problem(partner_client.get(path, headers=reader), 422, field="limit")
    assert len(denied(partner_hub, "partner.notification.send")) == 1


def test_pushes_are_counted_as_they_fail(partner_client, partner_hub, partner_fcm, sandbox_url):
    maria = sign_in(partner_client, sandbox_url, "maria")
    dead = {**PHONE, "push_token": "dead-phone-of-maria-000001"}
    assert partner_client.post("/v1/me/devices", json=dead, headers=maria.headers).status_code == 201
    assert partner_client.get("/v1/me/benefits", headers=maria.headers).status_code == 200
    dhs = sandbox_token(partner_client, sandbox_url)
    accepted = send(partner_client, dhs).get_json()
    deliver(partner_hub)
    assert status_of(partner_client, dhs, accepted["id"])["pushes"]["failed"] == 1
    assert count(partner_hub, PushDelivery) == 1
