"""``flask sandbox seed-load``: the documented way a benchmark seeds the hub (bench/ never imports the hub)."""

from __future__ import annotations

import dataclasses

from sqlalchemy import func, select

from composition import create_app
from services.models.identity import Resident
from services.models.notifications import Device
from services.models.outbox import OutboxEvent


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_seeded_residents_read_their_benefits_without_a_platform_call_and_have_phones_and_a_campaign(
    sandbox_app, sandbox_client, db_session, tmp_path
):
    tokens_file = tmp_path / "tokens.txt"
    args = ["sandbox", "seed-load", "--residents", "6", "--devices-per-resident", "2", "--sign-in", "3"]
    result = sandbox_app.test_cli_runner().invoke(args=[*args, "--tokens-file", str(tokens_file)])

    assert result.exit_code == 0, result.output
    assert "seeded 6 residents, 12 devices, 6 campaign events, 3 signed in" in result.output
    assert (count(db_session, Resident), count(db_session, Device), count(db_session, OutboxEvent)) == (6, 12, 6)
    tokens = tokens_file.read_text().split()
    assert len(tokens) == 3
    read = sandbox_client.get("/v1/me/benefits", headers={"Authorization": f"Bearer {tokens[0]}"})
    assert read.status_code == 200, read.get_data(as_text=True)
    body = read.get_json()
    assert {item["program"]["code"] for item in body["data"]} >= {"SNAP", "MEDICAID"}
    assert {
        source["agency"]: source["status"] for source in body["meta"]["sources"] if source["status"] != "not_linked"
    } == {
        "DHS": "fresh",
        "HFS": "fresh",
        "AGING": "fresh",  # the first resident is one of every third with AGING
    }


def test_seeding_twice_adds_residents_without_collisions(sandbox_app, db_session):
    runner = sandbox_app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["sandbox", "seed-load", "--residents", "2", "--no-benefits"])
        assert result.exit_code == 0, result.output
    assert count(db_session, Resident) == 4


def test_signing_in_needs_a_tokens_file_and_nothing_is_seeded(sandbox_app, db_session):
    result = sandbox_app.test_cli_runner().invoke(args=["sandbox", "seed-load", "--residents", "2", "--sign-in", "1"])
    assert result.exit_code != 0 and "--tokens-file" in result.output
    assert count(db_session, Resident) == 0


def test_seed_load_is_refused_when_the_sandbox_is_disabled(sandbox_hub, db_session):
    sandbox_hub.settings = dataclasses.replace(sandbox_hub.settings, sandbox_enabled=False)
    result = create_app(hub=sandbox_hub).test_cli_runner().invoke(args=["sandbox", "seed-load", "--residents", "2"])
    assert result.exit_code != 0 and "sandbox is disabled" in result.output
    assert count(db_session, Resident) == 0
