"""The story from the issue, through the real sign-ins and the sandbox platform: maria calls because she never
got a reminder; sophie finds her by case number, reads her benefits with a reason, resends her last
notification, and maria's access log then says so."""

from __future__ import annotations

from services.models.identity import Resident
from tests.factories import create_notification, sign_in, sign_in_staff

MARIAS_SNAP_CASE = "204815367"
REASON = "Maria called: never got her document reminder"


def test_sophie_finds_maria_reads_her_benefits_resends_and_maria_sees_it(sandbox_client, sandbox_url, db_session):
    client = sandbox_client
    maria = sign_in(client, sandbox_url, "maria")
    device = {"platform": "android", "push_token": "fcm-token-of-maria-phone-1", "app_id": "sandbox-app"}
    assert client.post("/v1/me/devices", json=device, headers=maria.headers).status_code == 201
    assert client.get("/v1/me/benefits", headers=maria.headers).status_code == 200  # the hub's first picture
    maria_id = client.get("/v1/me", headers=maria.headers).get_json()["id"]
    reminder = create_notification(db_session, db_session.get(Resident, maria_id), [])  # the message she missed

    sophie = sign_in_staff(client, sandbox_url, "sophie")
    staff = {**sophie.headers, "X-Access-Reason": REASON}
    found = client.get(f"/v1/admin/residents?case_number={MARIAS_SNAP_CASE}", headers=staff).get_json()["data"]
    assert [(r["id"], r["name"]) for r in found] == [(maria_id, "Maria Lopez")]

    benefits = client.get(f"/v1/admin/residents/{maria_id}/benefits", headers=staff).get_json()
    mine = client.get("/v1/me/benefits", headers=maria.headers).get_json()
    assert benefits["data"] == mine["data"]  # exactly what maria sees
    assert {"SNAP", "MEDICAID", "WIC"} <= {b["program"]["code"] for b in benefits["data"]}

    messages = client.get(f"/v1/admin/residents/{maria_id}/notifications", headers=staff).get_json()["data"]
    assert messages[0]["id"] == reminder.id
    resent = client.post(f"/v1/admin/notifications/{messages[0]['id']}/resend", headers=staff).get_json()
    assert [d["kind"] for d in resent["deliveries"]] == ["resend"]  # to her one active phone

    log = client.get("/v1/me/access-log", headers=maria.headers).get_json()["data"]
    assert [entry["action"] for entry in log] == [
        "notification.resend",
        "resident.notifications.read",
        "resident.benefits.read",
        "resident.lookup",
    ]
    assert all(entry["who"]["name"] == "Sophie" and entry["reason"] == REASON for entry in log)
    assert log[0]["description"].startswith(
        "A support agent (Sophie) sent one of your notifications to your phone again"
    )

    ada = sign_in_staff(client, sandbox_url, "ada")
    result = client.application.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "4 events verified" in result.output
    trail = client.get(f"/v1/admin/audit-events?resident_id={maria_id}", headers=ada.headers).get_json()["data"]
    assert {event["actor_name"] for event in trail} == {"Sophie Turner"}
