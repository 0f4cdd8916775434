"""maria's nudges through the real flow: sign in at the sandbox, the hub reads the live platform, the nudges follow."""

from __future__ import annotations

import httpx

from tests.factories import sign_in


def advance(sandbox_url: str, days: int) -> None:
    response = httpx.post(f"{sandbox_url}/platform/sim/advance", json={"days": days}, timeout=30)
    assert response.status_code == 200, response.text


def nudges(client, who, **headers) -> list[dict]:
    response = client.get("/v1/me/nudges", headers={**who.headers, **headers})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["data"]


def refreshed(client, sandbox_hub, who) -> None:
    assert client.get("/v1/me/benefits?refresh=true", headers=who.headers).status_code == 200
    sandbox_hub.runner.run_pending()


def test_maria_sees_her_medicaid_renewal_at_risk_with_its_reasons(sandbox_client, sandbox_url, sandbox_hub):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    refreshed(sandbox_client, sandbox_hub, maria)
    kinds = {nudge["kind"] for nudge in nudges(sandbox_client, maria)}
    assert "renewal_at_risk" not in kinds  # day 0: no packet yet, due in 25 days
    assert "document_due_soon" in kinds  # her proof of income, due day 5, nothing uploaded

    advance(sandbox_url, 14)  # day 3 the packet is mailed; day 14 it is due in 11 days and not returned
    refreshed(sandbox_client, sandbox_hub, maria)
    [renewal] = [nudge for nudge in nudges(sandbox_client, maria) if nudge["kind"] == "renewal_at_risk"]

    assert renewal["urgent"] is True and renewal["agency"] == "HFS"
    assert renewal["title"] == "Your Medicaid renewal is at risk"
    assert "we have not seen your packet returned" in renewal["reasons"][0]
    assert renewal["reasons"][0].startswith("Your Medicaid renewal is due on ")
    assert "11 days away" in renewal["reasons"][1]
    assert renewal["action"]["kind"] == "open_benefit"
    assert renewal["action"]["href"] == f"/v1/me/benefits/{renewal['action']['benefit_id']}"
    assert sandbox_client.get(renewal["action"]["href"], headers=maria.headers).status_code == 200

    [spanish] = [n for n in nudges(sandbox_client, maria, **{"Accept-Language": "es"}) if n["id"] == renewal["id"]]
    assert spanish["title"] == "Tu renovación de Medicaid está en riesgo" and spanish["locale"] == "es"
