"""The admin routes' matrix cells no other test here covered (bad query fields named, that resident's data
only, unknown residents and messages 404 with nothing changed, a resident's token refused), through HTTP with
real sign-ins at the sandbox identity providers. The rest of the admin matrix is in this folder (every route
against every role in test_roles_and_reasons.py); tests/test_route_auth_rules.py fails if any route has no auth
rule.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from services.models.audit import AuditEvent
from services.models.identity import Resident
from services.models.notifications import PushDelivery
from tests.factories import create_devices, create_notification, sign_in, sign_in_staff
from tests.problem_assertions import assert_problem

REASON = "Caller asked about her benefits today"
PHONE = {"platform": "android", "push_token": "fcm-token-of-marias-phone-0001", "app_id": "sandbox-app"}


def resident_id(client, signed) -> str:
    return client.get("/v1/me", headers=signed.headers).get_json()["id"]


def deliveries(session) -> int:
    return session.scalar(select(func.count()).select_from(PushDelivery))


# -- GET /v1/admin/residents/{id} --------------------------------------------------------------------------------


def test_resident_detail_shows_that_resident_only(sandbox_client, sandbox_url):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    james = sign_in(sandbox_client, sandbox_url, "james")
    sandbox_client.post("/v1/me/devices", json=PHONE, headers=james.headers)
    sophie = sign_in_staff(sandbox_client, sandbox_url, "sophie")

    response = sandbox_client.get(
        f"/v1/admin/residents/{resident_id(sandbox_client, maria)}", headers=sophie.admin_headers(REASON)
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["name"] == "Maria Lopez"
    assert [s["id"] for s in body["sessions"]] == [maria.session_id]
    assert body["devices"] == []
    assert {link["agency"] for link in body["links"]} == {"DHS", "HFS"}


def test_resident_detail_of_an_unknown_resident_is_404(sandbox_client, sandbox_url, db_session):
    sophie = sign_in_staff(sandbox_client, sandbox_url, "sophie")
    assert_problem(
        sandbox_client.get("/v1/admin/residents/no-such-resident", headers=sophie.admin_headers(REASON)), 404
    )
    (event,) = db_session.scalars(select(AuditEvent)).all()
    assert (event.action, event.outcome) == ("resident.read", "error")


# -- GET /v1/admin/residents/{id}/benefits -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"), [("refresh=maybe", "refresh"), ("limit=0", "limit"), ("cursor=%%%", "cursor")]
)
def test_staff_benefit_reads_name_a_bad_query_field(sandbox_client, sandbox_url, query, field):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    sophie = sign_in_staff(sandbox_client, sandbox_url, "sophie")
    path = f"/v1/admin/residents/{resident_id(sandbox_client, maria)}/benefits?{query}"
    assert_problem(sandbox_client.get(path, headers=sophie.admin_headers(REASON)), 422, field=field)


# -- GET /v1/admin/residents/{id}/notifications ------------------------------------------------------------------


@pytest.mark.parametrize(("query", "field"), [("limit=0", "limit"), ("limit=abc", "limit"), ("cursor=%%%", "cursor")])
def test_staff_notification_reads_name_a_bad_query_field(sandbox_client, sandbox_url, query, field):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    sophie = sign_in_staff(sandbox_client, sandbox_url, "sophie")
    path = f"/v1/admin/residents/{resident_id(sandbox_client, maria)}/notifications?{query}"
    assert_problem(sandbox_client.get(path, headers=sophie.admin_headers(REASON)), 422, field=field)


def test_staff_notification_reads_show_that_resident_only(sandbox_client, sandbox_url, db_session):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    james = sign_in(sandbox_client, sandbox_url, "james")
    mine = create_notification(db_session, db_session.get(Resident, resident_id(sandbox_client, maria)), [])
    create_notification(db_session, db_session.get(Resident, resident_id(sandbox_client, james)), [])
    sophie = sign_in_staff(sandbox_client, sandbox_url, "sophie")

    path = f"/v1/admin/residents/{resident_id(sandbox_client, maria)}/notifications"
    response = sandbox_client.get(path, headers=sophie.admin_headers(REASON))
    assert response.status_code == 200
    assert [message["id"] for message in response.get_json()["data"]] == [mine.id]
    assert_problem(
        sandbox_client.get("/v1/admin/residents/no-such-resident/notifications", headers=sophie.admin_headers(REASON)),
        404,
    )


# -- POST /v1/admin/residents/{id}/resync ------------------------------------------------------------------------


def test_resync_refreshes_every_shared_linked_agency(sandbox_client, sandbox_url):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    sandbox_client.put("/v1/me/consents/HFS", json={"granted": False}, headers=maria.headers)
    sophie = sign_in_staff(sandbox_client, sandbox_url, "sophie")

    response = sandbox_client.post(
        f"/v1/admin/residents/{resident_id(sandbox_client, maria)}/resync", headers=sophie.admin_headers(REASON)
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    outcomes = response.get_json()["outcomes"]
    assert set(outcomes) == {"DHS"}  # HFS is no longer shared
    assert outcomes["DHS"] in {"applied", "unchanged"}


def test_resync_of_an_unknown_resident_is_404(sandbox_client, sandbox_url):
    sophie = sign_in_staff(sandbox_client, sandbox_url, "sophie")
    assert_problem(
        sandbox_client.post("/v1/admin/residents/no-such-resident/resync", headers=sophie.admin_headers(REASON)), 404
    )


def test_resync_refuses_a_resident_token_and_no_token(sandbox_client, sandbox_url):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    path = f"/v1/admin/residents/{resident_id(sandbox_client, maria)}/resync"
    assert_problem(sandbox_client.post(path, headers={**maria.headers, "X-Access-Reason": REASON}), 401)
    assert_problem(sandbox_client.post(path, headers={"X-Access-Reason": REASON}), 401)


# -- POST /v1/admin/residents/{id}/sessions/revoke ---------------------------------------------------------------


def test_revoking_one_residents_sessions_leaves_another_signed_in(sandbox_client, sandbox_url):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    james = sign_in(sandbox_client, sandbox_url, "james")
    omar = sign_in_staff(sandbox_client, sandbox_url, "omar")

    path = f"/v1/admin/residents/{resident_id(sandbox_client, maria)}/sessions/revoke"
    response = sandbox_client.post(path, headers=omar.admin_headers(REASON))
    assert response.status_code == 200 and response.get_json() == {"revoked": 1}
    assert_problem(sandbox_client.get("/v1/me", headers=maria.headers), 401)
    assert sandbox_client.get("/v1/me", headers=james.headers).status_code == 200
    assert sandbox_client.get("/v1/admin/audit-events", headers=omar.headers).status_code == 200  # staff untouched


def test_revoking_an_unknown_residents_sessions_is_404(sandbox_client, sandbox_url):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    omar = sign_in_staff(sandbox_client, sandbox_url, "omar")
    response = sandbox_client.post(
        "/v1/admin/residents/no-such-resident/sessions/revoke", headers=omar.admin_headers(REASON)
    )
    assert_problem(response, 404)
    assert sandbox_client.get("/v1/me", headers=maria.headers).status_code == 200


# -- POST /v1/admin/notifications/{id}/resend --------------------------------------------------------------------


def _maria_with_a_message(client, sandbox_url, db_session, *, agency: str | None = None):
    maria = sign_in(client, sandbox_url, "maria")
    row = db_session.get(Resident, resident_id(client, maria))
    devices = create_devices(db_session, row, ["fcm-token-of-marias-phone-0002"])
    message = create_notification(db_session, row, devices)
    if agency:
        message.agency = agency
        db_session.commit()
    return maria, message


def test_resending_an_unknown_notification_is_404_and_sends_nothing(sandbox_client, sandbox_url, db_session):
    _maria_with_a_message(sandbox_client, sandbox_url, db_session)
    sophie = sign_in_staff(sandbox_client, sandbox_url, "sophie")
    before = deliveries(db_session)
    response = sandbox_client.post(
        "/v1/admin/notifications/no-such-message/resend", headers=sophie.admin_headers(REASON)
    )
    assert_problem(response, 404)
    assert deliveries(db_session) == before


def test_a_refused_resend_reason_sends_nothing(sandbox_client, sandbox_url, db_session):
    _maria, message = _maria_with_a_message(sandbox_client, sandbox_url, db_session)
    sophie = sign_in_staff(sandbox_client, sandbox_url, "sophie")
    before = deliveries(db_session)
    response = sandbox_client.post(
        f"/v1/admin/notifications/{message.id}/resend", headers=sophie.admin_headers("resend")
    )
    assert_problem(response, 400, field="X-Access-Reason")
    assert deliveries(db_session) == before


def test_a_message_from_an_agency_no_longer_shared_is_not_resent(sandbox_client, sandbox_url, db_session):
    maria, message = _maria_with_a_message(sandbox_client, sandbox_url, db_session, agency="HFS")
    sandbox_client.put("/v1/me/consents/HFS", json={"granted": False}, headers=maria.headers)
    sophie = sign_in_staff(sandbox_client, sandbox_url, "sophie")
    before = deliveries(db_session)
    response = sandbox_client.post(f"/v1/admin/notifications/{message.id}/resend", headers=sophie.admin_headers(REASON))
    assert_problem(response, 409, field="notification_id")
    assert deliveries(db_session) == before


def test_resend_refuses_a_resident_token(sandbox_client, sandbox_url, db_session):
    maria, message = _maria_with_a_message(sandbox_client, sandbox_url, db_session)
    before = deliveries(db_session)
    response = sandbox_client.post(
        f"/v1/admin/notifications/{message.id}/resend", headers={**maria.headers, "X-Access-Reason": REASON}
    )
    assert_problem(response, 401)
    assert deliveries(db_session) == before


# -- GET /v1/admin/audit-events ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("until=2026-01-01T00:00:00", "until"),  # no zone
        ("outcome=maybe", "outcome"),
        ("flagged_for_review=perhaps", "flagged_for_review"),
        ("limit=0", "limit"),
        ("cursor=%%%", "cursor"),
    ],
)
def test_audit_log_bad_filters_are_named(sandbox_client, sandbox_url, query, field):
    ada = sign_in_staff(sandbox_client, sandbox_url, "ada")
    assert_problem(sandbox_client.get(f"/v1/admin/audit-events?{query}", headers=ada.headers), 422, field=field)


def test_audit_log_refuses_a_resident_token(sandbox_client, sandbox_url):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    assert_problem(sandbox_client.get("/v1/admin/audit-events", headers=maria.headers), 401)
