"""``flask resident-views render``: render every resident's stored reads again (``services.benefits.documents``)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from api.current_hub import current_hub
from services.benefits import documents

views = AppGroup("resident-views", help="What residents see, stored (rendered when it changes).")


@views.command("render")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1, 5000))
def render(batch_size: int) -> None:
    """Render every resident's documents now: after a release that changed texts or the documents' shape (else
    each resident's next read renders them), or after rows were written around the ORM."""
    count = documents.render_all(current_hub().session_factory, batch_size=batch_size)
    click.echo(f"rendered the stored reads of {count} residents")
