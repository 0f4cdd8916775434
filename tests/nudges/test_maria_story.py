"""maria's nudges through the real flow: sign in at the sandbox, the hub reads the live platform, the nudges follow."""

from __future__ import annotations

import io

from tests.documents.files import pdf
from tests.nudges.conftest import advance, by_kind, nudges, refreshed


def test_maria_sees_her_medicaid_renewal_at_risk_with_its_reasons(sandbox_client, sandbox_url, sandbox_hub, maria):
    kinds = set(by_kind(sandbox_client, maria))
    assert "renewal_at_risk" not in kinds  # day 0: no packet yet, due in 25 days
    assert "document_due_soon" in kinds  # her proof of income, due day 5, nothing uploaded
    assert "may_qualify_wic" not in kinds  # her daughter is under five, but she has WIC already

    advance(sandbox_url, 14)  # day 3 the packet is mailed; day 14 it is due in 11 days and not returned
    refreshed(sandbox_client, sandbox_hub, maria)
    renewal = by_kind(sandbox_client, maria)["renewal_at_risk"]

    assert renewal["urgent"] is True and renewal["agency"] == "HFS"
    assert renewal["title"] == "Your Medicaid renewal is at risk"
    assert renewal["reasons"][0].startswith("Your Medicaid renewal is due on ")
    assert renewal["reasons"][0].endswith("and we have not seen your packet returned.")
    assert "11 days away" in renewal["reasons"][1]
    assert renewal["action"]["kind"] == "open_benefit" and renewal["action"]["label"] == "See what to return"
    assert renewal["action"]["href"] == f"/v1/me/benefits/{renewal['action']['benefit_id']}"
    assert sandbox_client.get(renewal["action"]["href"], headers=maria.headers).status_code == 200

    [spanish] = [n for n in nudges(sandbox_client, maria, **{"Accept-Language": "es"}) if n["id"] == renewal["id"]]
    assert spanish["title"] == "Tu renovación de Medicaid está en riesgo" and spanish["locale"] == "es"
    assert "no hemos visto que hayas devuelto tu paquete" in spanish["reasons"][0]


def test_a_nudge_keeps_its_id_across_reads_and_goes_when_its_facts_stop_holding(sandbox_client, maria):
    first = by_kind(sandbox_client, maria)["document_due_soon"]
    assert by_kind(sandbox_client, maria)["document_due_soon"]["id"] == first["id"]
    assert first["action"] == {
        "kind": "upload_document",
        "label": "Upload the document",
        "href": f"/v1/me/actions/{first['action']['action_id']}/documents",
        "benefit_id": first["action"]["benefit_id"],
        "action_id": first["action"]["action_id"],
    }
    upload = sandbox_client.post(
        first["action"]["href"],
        data={"file": (io.BytesIO(pdf()), "pay-stubs.pdf", "application/pdf")},
        headers=maria.headers,
        content_type="multipart/form-data",
    )
    assert upload.status_code == 201, upload.get_data(as_text=True)
    assert "document_due_soon" not in by_kind(sandbox_client, maria)  # something is on its way now
