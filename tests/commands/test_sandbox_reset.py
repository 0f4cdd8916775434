"""``flask sandbox reset`` through Flask's CLI runner, on the suite's database (SQLite, or PostgreSQL with the
audit log's append-only trigger): every hub row goes, the schema is the migrations' head again, the sandbox apps
are registered and the sandbox platform is back at day 0; nothing outside the database is touched."""

from __future__ import annotations

import dataclasses

import httpx
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select

from composition import create_app
from services.db import Base
from services.models.app_clients import AppClient
from services.models.audit import AuditEvent
from services.models.identity import Resident
from tests.factories import sign_in


def counts(hub) -> dict[str, int]:
    with hub.session() as session:
        return {
            table.name: session.scalar(select(func.count()).select_from(table)) for table in Base.metadata.sorted_tables
        }


def test_reset_drops_every_hub_row_reseeds_and_restarts_the_sandbox(
    sandbox_app, sandbox_client, sandbox_url, sandbox_server, sandbox_hub, test_database
):
    sign_in(sandbox_client, sandbox_url, "maria")
    runner = sandbox_app.test_cli_runner()
    assert runner.invoke(args=["apps", "add", "extra-app", "--name", "Extra", "--kind", "resident"]).exit_code == 0
    assert sandbox_server.post("/platform/sim/advance", json={"days": 3}).json()["scenario_day"] == 3
    before = counts(sandbox_hub)
    assert before["residents"] == 1 and before["hub_sessions"] == 1 and before["audit_events"] >= 1

    declined = runner.invoke(args=["sandbox", "reset"], input="n\n")
    assert declined.exit_code == 1 and "Drop all hub data in" in declined.output
    assert counts(sandbox_hub) == before

    result = runner.invoke(args=["sandbox", "reset", "--yes"])
    assert result.exit_code == 0, result.output
    assert "sandbox apps registered (2)" in result.output and "is back at day 0" in result.output
    after = counts(sandbox_hub)
    assert after.pop("app_clients") == 2 and set(after.values()) == {0}
    with sandbox_hub.session() as session:
        assert sorted(session.scalars(select(AppClient.client_id))) == ["sandbox-app", "support-console"]
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 0
        assert session.scalar(select(Resident).limit(1)) is None
    assert httpx.get(f"{sandbox_url}/platform/sim/state").json()["scenario_day"] == 0
    with test_database.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
        assert "alembic_version" in inspect(connection).get_table_names()
    maria = sign_in(sandbox_client, sandbox_url, "maria")  # the story starts again
    assert sandbox_client.get("/v1/me/benefits", headers=maria.headers).status_code == 200


def test_reset_says_when_the_sandbox_platform_did_not_answer(sandbox_hub):
    unreachable = dataclasses.replace(sandbox_hub.settings, sandbox_url="http://127.0.0.1:9")
    sandbox_hub.settings = unreachable
    result = create_app(hub=sandbox_hub).test_cli_runner().invoke(args=["sandbox", "reset", "--yes"])
    assert result.exit_code == 0, result.output
    assert "the sandbox at http://127.0.0.1:9 did not reset (ConnectError)" in result.output


def test_reset_is_refused_without_the_sandbox(hub):
    hub.settings = dataclasses.replace(hub.settings, sandbox_enabled=False)
    result = create_app(hub=hub).test_cli_runner().invoke(args=["sandbox", "reset", "--yes"])
    assert result.exit_code == 1 and "the sandbox is disabled (SANDBOX_ENABLED=false)" in result.output
