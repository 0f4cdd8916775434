"""``flask sync agency DHS``: every linked resident refreshed in batches, resumable from its checkpoint."""

from __future__ import annotations

from sqlalchemy import select

from services.models.benefits import BenefitSource, SyncCheckpoint
from tests.factories import create_signed_in_resident


def dhs_sources(context) -> dict[str, object]:
    with context.session() as session:
        rows = session.scalars(select(BenefitSource).where(BenefitSource.agency == "DHS"))
        return {row.resident_id: row.as_of for row in rows}


def test_reconciliation_walks_every_linked_resident_and_resumes(sandbox_app, sandbox_hub):
    residents = [
        create_signed_in_resident(sandbox_hub, links={"DHS": record})
        for record in ("IES100200301", "IES100200402", "IES100200301")
    ]
    create_signed_in_resident(sandbox_hub, links={"HFS": "hfs-300400501"})  # another agency: not walked
    runner = sandbox_app.test_cli_runner()

    first = runner.invoke(args=["sync", "agency", "dhs", "--batch-size", "1", "--max-batches", "1"])
    assert first.exit_code == 0, first.output
    assert "1 of 3 residents" in first.output and "--resume" in first.output
    assert len(dhs_sources(sandbox_hub)) == 1

    resumed = runner.invoke(args=["sync", "agency", "DHS", "--resume", "--batch-size", "1"])
    assert resumed.exit_code == 0, resumed.output
    assert "3 of 3 residents, 0 failed" in resumed.output
    assert set(dhs_sources(sandbox_hub)) == {r.id for r in residents}
    with sandbox_hub.session() as session:
        checkpoint = session.get(SyncCheckpoint, "agency:DHS")
        assert checkpoint.finished_at is not None and checkpoint.processed == 3

    again = runner.invoke(args=["sync", "agency", "DHS", "--resume"])  # a finished run starts over
    assert "3 of 3 residents" in again.output


def test_reconciliation_stops_when_the_agency_fails_and_keeps_its_place(sandbox_app, sandbox_hub, sandbox_url):
    import httpx

    for _ in range(4):
        create_signed_in_resident(sandbox_hub, links={"DHS": "IES100200301"})
    httpx.post(f"{sandbox_url}/platform/sim/faults", json={"agency": "DHS", "mode": "down"})
    result = sandbox_app.test_cli_runner().invoke(
        args=["sync", "agency", "DHS", "--batch-size", "2", "--concurrency", "1"]
    )
    assert "stopped" in result.output and "failing" in result.output
    with sandbox_hub.session() as session:
        assert session.get(SyncCheckpoint, "agency:DHS").processed < 4
    httpx.post(f"{sandbox_url}/platform/sim/faults", json={"agency": "DHS", "mode": "ok"})


def test_sync_one_resident(sandbox_app, sandbox_hub):
    maria = create_signed_in_resident(sandbox_hub, links={"DHS": "IES100200301", "HFS": "hfs-300400501"})
    result = sandbox_app.test_cli_runner().invoke(args=["sync", "resident", maria.id])
    assert result.exit_code == 0 and "DHS: applied" in result.output and "HFS: applied" in result.output
