"""Nothing of a file reaches the logs: not its bytes, its name or its receipt, with every logger at DEBUG, through
an upload, a refusal, forwarding, an outage and a decision."""

from __future__ import annotations

import logging

import httpx

from tests.documents.conftest import run_background, upload
from tests.documents.files import pdf

SECRET_NAME = "maria-lopez-paystub-acme-corp"


def test_an_upload_story_logs_nothing_of_the_file(sandbox_client, sandbox_hub, sandbox_url, maria, caplog):
    content = pdf() + b"\n% EMPLOYER ACME CORP GROSS 1834.22\n"
    with caplog.at_level(logging.DEBUG):
        logging.getLogger().setLevel(logging.DEBUG)
        httpx.post(f"{sandbox_url}/platform/sim/faults", json={"agency": "DHS", "mode": "down"})
        sent = upload(sandbox_client, maria, content, f"{SECRET_NAME}.pdf").get_json()
        upload(sandbox_client, maria, b"not a pdf at all " * 10, f"{SECRET_NAME}.pdf")
        run_background(sandbox_hub)
        httpx.post(f"{sandbox_url}/platform/sim/faults", json={"agency": "DHS", "mode": "ok"})
        import datetime as dt

        from services import clock

        clock.set_now(clock.now() + dt.timedelta(minutes=5))
        run_background(sandbox_hub)
        httpx.post(f"{sandbox_url}/platform/sim/advance", json={"days": 2})
        run_background(sandbox_hub)
    text = "\n".join(record.getMessage() + " " + str(record.__dict__) for record in caplog.records)
    assert (
        sandbox_client.get(f"/v1/me/documents/{sent['id']}", headers=maria.headers).get_json()["status"] == "accepted"
    )
    assert len(caplog.records) > 5  # the story did log (requests, jobs, the outage)
    for secret in (SECRET_NAME, "ACME CORP", "1834.22", sent["receipt_number"], "not a pdf at all"):
        assert secret not in text, secret
