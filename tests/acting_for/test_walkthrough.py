"""The README walkthrough, end to end through HTTP with real sign-ins at the sandbox: ana invites rosa for HFS, rosa
accepts and sees ana's Medicaid and not her Community Care, gets the copy of ana's next notice (the HFS case
system's message, through the partner API) on her phone through real firebase-admin against the fake FCM server,
ana's access log shows rosa's reads, and once ana ends it rosa's next read is refused."""

from __future__ import annotations

from notifications.dispatch import dispatch_job
from tests.factories import sign_in
from tests.partner.factories import sandbox_token
from tests.problem_assertions import assert_problem

ANA_MEDICAID_CASE = "710052293"
ROSAS_PHONE = {"platform": "android", "push_token": "fcm-token-of-rosas-phone-0001", "app_id": "sandbox-app"}
NOTICE = {
    "case_number": ANA_MEDICAID_CASE,
    "category": "notices",
    "title": {
        "en": "Your Medicaid renewal packet is on its way",
        "es": "Su paquete de renovación de Medicaid va en camino",
    },
    "body": {"en": "Look for it in the mail this week.", "es": "Búsquelo en el correo esta semana."},
    "reference": "ana-renewal-packet-0001",
}


def test_ana_names_rosa_for_hfs_and_ends_it(partner_client, partner_hub, partner_fcm, sandbox_url):
    client = partner_client
    ana, rosa = sign_in(client, sandbox_url, "ana"), sign_in(client, sandbox_url, "rosa")
    assert client.post("/v1/me/devices", json=ROSAS_PHONE, headers=rosa.headers).status_code == 201
    assert client.get("/v1/me/benefits", headers=ana.headers).status_code == 200  # the hub holds ana's cases

    code = client.post(
        "/v1/me/representatives/invitations", json={"agencies": ["HFS"], "expires_in_days": 7}, headers=ana.headers
    ).get_json()["code"]
    accepted = client.post("/v1/me/represented", json={"code": code}, headers=rosa.headers)
    assert accepted.status_code == 201, accepted.get_data(as_text=True)
    designation = accepted.get_json()["id"]

    benefits = client.get(f"/v1/me/represented/{designation}/benefits", headers=rosa.headers)
    assert benefits.status_code == 200, benefits.get_data(as_text=True)
    programs = [b["program"]["code"] for b in benefits.get_json()["data"]]
    assert programs == ["MEDICAID"]  # and not Community Care (AGING), which the invitation did not name
    assert benefits.get_json()["meta"]["locale"] == "en"  # rosa's language; ana's is Spanish
    assert client.get(f"/v1/me/represented/{designation}/actions", headers=rosa.headers).status_code == 200

    hfs = sandbox_token(client, sandbox_url, "sandbox-partner-hfs")
    sent = client.post("/v1/partner/notifications", json=NOTICE, headers={**hfs, "Idempotency-Key": "ana-notice-01"})
    assert sent.status_code == 202, sent.get_data(as_text=True)
    dispatch_job(partner_hub)
    partner_hub.runner.run_pending()
    partner_hub.runner.run_pending()

    copies = [
        m for m in client.get("/v1/me/notifications", headers=rosa.headers).get_json()["data"] if m["represented_id"]
    ]
    assert [(m["title"], m["represented_id"]) for m in copies] == [
        ("About Ana's case: Your Medicaid renewal packet is on its way", designation)
    ]
    pushed = [call for call in partner_fcm.accepted if call.token == ROSAS_PHONE["push_token"]]
    assert [call.notification for call in pushed] == [
        {"title": "A notice about Ana's case", "body": "Open the app to read it."}
    ]
    notices = client.get(f"/v1/me/represented/{designation}/notifications", headers=rosa.headers).get_json()
    assert [m["title"] for m in notices["data"]] == ["Your Medicaid renewal packet is on its way"]

    log = client.get("/v1/me/access-log", headers=ana.headers).get_json()["data"]
    rosas = [entry["description"] for entry in log if entry["who"]["kind"] == "representative"]
    assert len(rosas) == 3 and all(d.startswith("Rosa, tu representante, vio") for d in rosas)
    assert any("vio tus beneficios" in d and "(HFS)" in d for d in rosas)

    assert client.delete(f"/v1/me/representatives/{designation}", headers=ana.headers).status_code == 204
    refused = assert_problem(client.get(f"/v1/me/represented/{designation}/benefits", headers=rosa.headers), 404)
    assert "Medicaid" not in str(refused)
    assert [
        m
        for m in client.get("/v1/me/notifications", headers=rosa.headers).get_json()["data"]
        if m["represented_id"] == designation
    ] == []
