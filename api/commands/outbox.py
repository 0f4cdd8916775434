"""``flask outbox status``: what the outbox holds that the dispatcher has not turned into messages yet."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from api.current_hub import current_hub
from services.outbox import Backlog, backlog

outbox = AppGroup("outbox", help="The outbox of domain events that become inbox messages and pushes.")


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


@outbox.command("status")
@click.option("--json", "as_json", is_flag=True, help="one JSON document (for scripts and checks)")
def status(as_json: bool) -> None:
    """The backlog: events not dispatched yet, the oldest one's age, per event type."""
    with current_hub().session() as session:
        total, per_type = backlog(session)
    if as_json:

        def document(entry: Backlog) -> dict:
            return {"events": entry.events, "oldest_seconds": entry.oldest_seconds, "retried": entry.retried}

        click.echo(json.dumps({**document(total), "types": {kind: document(e) for kind, e in per_type.items()}}))
        return
    click.echo(f"outbox backlog: {total.events} events, oldest {_age(total.oldest_seconds)}, {total.retried} retried")
    if per_type:
        width = max(len(kind) for kind in per_type)
        click.echo(f"{'type':<{width}}  {'events':>7}  {'oldest':>8}  {'retried':>7}")
        for kind, entry in per_type.items():
            click.echo(f"{kind:<{width}}  {entry.events:>7}  {_age(entry.oldest_seconds):>8}  {entry.retried:>7}")
