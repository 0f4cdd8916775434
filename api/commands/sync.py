"""``flask sync agency DHS [--resume]`` (bulk reconciliation) and ``flask sync resident <id>`` (one resident now)."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from tqdm import tqdm

from api.current_hub import current_hub
from services.benefits.bulk_reconcile import reconcile_agency_bulk
from services.benefits.reconcile import reconcile_agency
from services.benefits.sync import linked_records, refresh_source
from services.vocabulary import AGENCIES

sync = AppGroup("sync", help="Sync benefit snapshots with the platform.")


@sync.command("agency")
@click.argument("agency", type=click.Choice(AGENCIES, case_sensitive=False))
@click.option("--resume", is_flag=True, help="Continue from the last checkpoint instead of starting over.")
@click.option("--batch-size", default=200, show_default=True, type=click.IntRange(1, 5000))
@click.option("--concurrency", default=4, show_default=True, type=click.IntRange(1, 32))
@click.option("--max-batches", default=None, type=click.IntRange(1), help="Stop after this many batches (pages).")
@click.option("--bulk", is_flag=True, help="Stream the platform's bulk export instead of one fetch per resident.")
@click.option("--page-size", default=1000, show_default=True, type=click.IntRange(1, 5000), help="With --bulk.")
@click.option(
    "--drop-documents",
    is_flag=True,
    help="With --bulk: delete touched residents' stored reads instead of rendering them (render them later with"
    " flask resident-views render).",
)
def sync_agency(
    agency: str,
    resume: bool,
    batch_size: int,
    concurrency: int,
    max_batches: int | None,
    bulk: bool,
    page_size: int,
    drop_documents: bool,
) -> None:
    """Refresh AGENCY for every linked resident, with a progress bar; safe beside live traffic."""
    agency = agency.upper()
    bar = tqdm(unit="resident", desc=f"sync {agency}", dynamic_ncols=True)

    def start(total: int, done: int) -> None:
        bar.reset(total=total)
        bar.update(done)

    progress = {"on_progress": bar.update, "on_start": start, "resume": resume}
    if bulk:
        report = reconcile_agency_bulk(
            current_hub(), agency, page_size=page_size, max_pages=max_batches, render=not drop_documents, **progress
        )
    else:
        report = reconcile_agency(
            current_hub(), agency, batch_size=batch_size, concurrency=concurrency, max_batches=max_batches, **progress
        )
    bar.close()
    kept = f", {report.stale} older than the hub's copy (kept)" if report.stale else ""
    click.echo(f"{agency}: {report.processed} of {report.total} residents, {report.failed} failed{kept}")
    if not report.finished:
        click.echo(f"stopped: {report.stopped_reason}; run again with --resume to continue")


@sync.command("resident")
@click.argument("resident_id")
@click.option("--agency", type=click.Choice(AGENCIES, case_sensitive=False), default=None)
def sync_resident(resident_id: str, agency: str | None) -> None:
    """Refresh one resident's linked agencies now."""
    hub = current_hub()
    with hub.session() as session:
        agencies = sorted(linked_records(session, resident_id))
    for name in [agency.upper()] if agency else agencies:
        click.echo(f"{name}: {refresh_source(hub, resident_id, name, retries=True)}")
