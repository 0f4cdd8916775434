"""Admins suspend, reinstate and re-key partner apps; supervisors list them; support sees an app's messages and
each one in a resident's message view, with the app named. Every call audited."""

from __future__ import annotations

from jwt.algorithms import ECAlgorithm
from sqlalchemy import select

from notifications.dispatch import dispatch_job
from services.models.audit import AuditEvent
from tests.factories import REASON, create_signed_in_resident, create_staff
from tests.partner.factories import MARIA_SNAP_CASE, PartnerKey, message, register_app, token_for, token_request
from tests.problem_assertions import assert_problem


def test_supervisors_list_partner_apps_and_support_may_not(client, hub):
    client_id, key, _ = register_app(hub)
    omar, sophie = create_staff(hub, "supervisor"), create_staff(hub, "support")
    listed = client.get("/v1/admin/partner-apps?agency=DHS", headers=omar.admin_headers(reason=None)).get_json()["data"]
    assert [(app["client_id"], app["key_ids"], app["suspended"]) for app in listed] == [(client_id, [key.kid], False)]
    assert "callback_secret" not in str(listed) and "callback_secret_encrypted" not in str(listed)
    assert (
        client.get("/v1/admin/partner-apps?agency=HFS", headers=omar.admin_headers(reason=None)).get_json()["data"]
        == []
    )
    assert_problem(client.get("/v1/admin/partner-apps", headers=sophie.admin_headers()), 403)
    assert_problem(
        client.get("/v1/admin/partner-apps?agency=" + "X" * 20, headers=omar.admin_headers()), 422, field="agency"
    )


def test_a_suspended_app_is_refused_at_once_and_reinstated_works_again(client, hub, db_session):
    client_id, key, _ = register_app(hub)
    headers = token_for(client, client_id, key)
    ada = create_staff(hub, "admin")
    suspended = client.post(f"/v1/admin/partner-apps/{client_id}/suspend", headers=ada.admin_headers(reason=None))
    assert suspended.status_code == 200 and suspended.get_json()["suspended"] is True
    assert_problem(client.get("/v1/partner/notifications", headers=headers), 401)  # its live token too
    assert token_request(client, key.assertion(client_id)).status_code == 401
    assert (
        client.post(f"/v1/admin/partner-apps/{client_id}/unsuspend", headers=ada.admin_headers(reason=None)).status_code
        == 200
    )
    assert client.get("/v1/partner/notifications", headers=headers).status_code == 200
    actions = db_session.scalars(select(AuditEvent.action).where(AuditEvent.actor_kind == "staff")).all()
    assert actions == ["partner_app.suspend", "partner_app.unsuspend"]
    refused = db_session.scalars(
        select(AuditEvent).where(AuditEvent.actor_id == client_id, AuditEvent.outcome == "denied")
    ).all()
    assert {event.action for event in refused} == {"partner.notification.list", "partner.token"}


def test_re_keying_retires_the_old_key(client, hub):
    client_id, old, _ = register_app(hub)
    new = PartnerKey.new("RS256")
    ada = create_staff(hub, "admin")
    answer = client.put(
        f"/v1/admin/partner-apps/{client_id}/keys", json={"jwks": new.jwks}, headers=ada.admin_headers()
    )
    assert answer.status_code == 200 and answer.get_json()["key_ids"] == [new.kid]
    assert token_request(client, old.assertion(client_id)).get_json()["error"] == "invalid_client"
    assert token_request(client, new.assertion(client_id)).status_code == 200


def test_bad_keys_are_refused_naming_the_field_and_nothing_changes(client, hub):
    client_id, key, _ = register_app(hub)
    ada = create_staff(hub, "admin")
    private = ECAlgorithm.to_jwk(PartnerKey.new().private_key, as_dict=True)
    for body, field in [
        ({"jwks": {"keys": [private]}}, "jwks"),
        ({"jwks": {"keys": []}}, "jwks"),
        ({"jwks": key.jwks, "jwks_url": "https://agency.example/jwks.json"}, "jwks"),
        ({"jwks_url": "ftp://agency.example/jwks"}, "jwks_url"),
        ({}, "jwks"),
    ]:
        assert_problem(
            client.put(f"/v1/admin/partner-apps/{client_id}/keys", json=body, headers=ada.admin_headers()),
            422,
            field=field,
        )
    assert token_request(client, key.assertion(client_id)).status_code == 200
    assert_problem(client.post("/v1/admin/partner-apps/nobody-here/suspend", headers=ada.admin_headers()), 404)


def test_changing_apps_needs_an_admin_and_a_staff_token(client, hub):
    client_id, key, _ = register_app(hub)
    omar = create_staff(hub, "supervisor")
    assert_problem(client.post(f"/v1/admin/partner-apps/{client_id}/suspend", headers=omar.admin_headers()), 403)
    maria = create_signed_in_resident(hub, name="Maria Lopez")
    assert_problem(client.post(f"/v1/admin/partner-apps/{client_id}/suspend", headers=maria.admin_headers()), 401)
    assert_problem(
        client.post(f"/v1/admin/partner-apps/{client_id}/suspend", headers=token_for(client, client_id, key)), 401
    )


def test_support_sees_an_apps_messages_and_which_app_sent_a_residents_message(partner_client, partner_hub, sandbox_url):
    from tests.partner.factories import maria_with_phone, sandbox_token

    maria = maria_with_phone(partner_client, sandbox_url)
    resident_id = partner_client.get("/v1/me", headers=maria.headers).get_json()["id"]
    sent = partner_client.post(
        "/v1/partner/notifications", json=message(MARIA_SNAP_CASE), headers=sandbox_token(partner_client, sandbox_url)
    ).get_json()
    dispatch_job(partner_hub)
    sophie = create_staff(partner_hub, "support")
    page = partner_client.get(
        "/v1/admin/partner-apps/sandbox-partner-dhs/notifications", headers=sophie.admin_headers()
    ).get_json()["data"]
    assert [(n["id"], n["status"]) for n in page] == [(sent["id"], "delivered")]
    (recipient,) = page[0]["recipients"]
    assert recipient["resident_id"] == resident_id and recipient["outcome"] == "delivered"
    view = partner_client.get(
        f"/v1/admin/residents/{resident_id}/notifications",
        headers={**sophie.admin_headers(), "X-Access-Reason": REASON},
    )
    message_row = [m for m in view.get_json()["data"] if m["id"] == recipient["message_id"]][0]
    assert message_row["sent_by"]["client_id"] == "sandbox-partner-dhs"
    assert message_row["sent_by"]["notification_id"] == sent["id"] and message_row["deliveries"]
    assert_problem(
        partner_client.get(
            "/v1/admin/partner-apps/sandbox-partner-dhs/notifications", headers=sophie.admin_headers(reason=None)
        ),
        400,
    )
    assert_problem(
        partner_client.get("/v1/admin/partner-apps/nobody/notifications", headers=sophie.admin_headers()), 404
    )
