"""The issue's "done when", as an agency developer does it: an assertion from the sandbox, a token, a message to
maria's DHS case, the message in her inbox and on her phone (real firebase-admin against the fake FCM), its status,
and the signed callback at the sandbox's receiver; her access log names the app."""

from __future__ import annotations

import httpx

from notifications.delivery import send_deliveries_job
from notifications.dispatch import dispatch_job
from services.partner.callbacks import deliver_callbacks_job
from tests.partner.factories import maria_with_phone, message, sandbox_token


def test_a_partner_messages_maria_and_learns_it_was_delivered(partner_client, partner_hub, partner_fcm, sandbox_url):
    maria = maria_with_phone(partner_client, sandbox_url)
    dhs = sandbox_token(partner_client, sandbox_url)

    sent = partner_client.post(
        "/v1/partner/notifications", json=message(), headers={**dhs, "Idempotency-Key": "story-0001"}
    )
    assert sent.status_code == 202, sent.get_data(as_text=True)
    accepted = sent.get_json()
    assert accepted["status"] == "accepted" and accepted["reference"] == "snap-docs-0001"
    assert sent.headers["X-RateLimit-Limit"] and "X-RateLimit-Remaining" in sent.headers

    dispatch_job(partner_hub)
    partner_hub.runner.run_pending()  # the push send and the callback delivery the dispatcher queued
    partner_hub.runner.run_pending()

    inbox = partner_client.get("/v1/me/notifications", headers=maria.headers).get_json()["data"]
    assert [m["title"] for m in inbox if m["category"] == "documents"][0] == "We got your document"
    assert "Thanks Maria, your proof of income arrived." in [m["body"] for m in inbox]
    pushed = [call for call in partner_fcm.accepted if call.token == "fcm-token-of-marias-phone-0001"]
    assert len(pushed) == 1
    assert pushed[0].notification == {"title": "Benefits update", "body": "You have an update about your benefits"}

    status = partner_client.get(f"/v1/partner/notifications/{accepted['id']}", headers=dhs).get_json()
    assert status["status"] == "delivered"
    assert status["pushes"] == {"sent": 1, "failed": 0, "pending": 0, "cancelled": 0}
    assert "fcm-token" not in str(status) and "Maria" not in str(status)

    received = httpx.get(f"{sandbox_url}/partner/sandbox-partner-dhs/callbacks", timeout=10).json()["data"]
    mine = [entry for entry in received if (entry["body"] or {}).get("notification_id") == accepted["id"]]
    assert mine and mine[0]["signature_valid"] is True
    assert mine[0]["body"]["status"] == "delivered"

    log = partner_client.get("/v1/me/access-log", headers=maria.headers).get_json()["data"]
    assert any(entry["description"].startswith("The app Sandbox DHS case system sent you a message") for entry in log)
    assert send_deliveries_job and deliver_callbacks_job  # both ran through the runner above
