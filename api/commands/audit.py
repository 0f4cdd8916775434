"""``flask audit verify``: walk the audit log's hash chain and report the first broken link."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from api.current_hub import current_hub
from services.audit import verify_chain

audit = AppGroup("audit", help="The tamper-evident audit log of staff and app access to residents' data.")


@audit.command("verify")
def verify() -> None:
    """Check every event's hash and link; exit 1 at the first broken one."""
    with current_hub().session() as session:
        result = verify_chain(session)
    if result.ok:
        click.echo(f"audit chain ok: {result.checked} events verified")
        return
    click.echo(f"audit chain BROKEN at event {result.first_broken_id}: {result.reason}", err=True)
    click.echo(f"{result.checked} events verified before it", err=True)
    raise SystemExit(1)
