"""``flask apps add|list|suspend|resume``: the resident and staff apps the hub issues tokens to.

This module owns the ``apps`` group; partner apps attach their own command to it (``flask apps add-partner``,
beside the partner API). Every change is audited (``services/identity/app_admin.py``).
"""

from __future__ import annotations

import getpass
import json

import click
from flask.cli import AppGroup

from api.current_hub import current_hub
from services.identity.app_admin import (
    OPERATOR_KINDS,
    AppChangeRefused,
    add_app,
    list_apps,
    operator_actor,
    resume_app,
    suspend_app,
)

apps = AppGroup(
    "apps",
    help="App registrations: resident apps and staff consoles (which client ids may sign people in), partner apps.",
)


def _operator() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (a container without one): still audited, as such
        return "unknown"


@apps.command("add")
@click.argument("client_id")
@click.option("--name", required=True, help="what the app is called (shown to operators)")
@click.option("--kind", type=click.Choice(OPERATOR_KINDS), required=True, help="resident app or staff console")
@click.option("--reason", default=None, help="why (kept in the audit log)")
def add(client_id: str, name: str, kind: str, reason: str | None) -> None:
    """Register CLIENT_ID as a resident app or a staff app."""
    hub = current_hub()
    with hub.session() as session:
        try:
            add_app(session, operator_actor(_operator()), client_id, name, kind, reason=reason)
        except AppChangeRefused as refused:
            raise click.ClickException(str(refused)) from None
        session.commit()
    hub.app_registry.forget()
    click.echo(f"registered {kind} app {client_id} ({name})")


@apps.command("list")
@click.option("--json", "as_json", is_flag=True, help="one JSON object per app")
def list_(as_json: bool) -> None:
    """Every registered app: kind, state, live sessions."""
    with current_hub().session() as session:
        rows = list_apps(session)
    if as_json:
        for row in rows:
            state = "active" if row.active else "suspended"
            line = {"client_id": row.client_id, "name": row.name, "kind": row.kind, "state": state}
            click.echo(
                json.dumps({**line, "live_sessions": row.live_sessions, "created_at": row.created_at.isoformat()})
            )
        return
    if not rows:
        click.echo("no apps registered (flask apps add …)")
        return
    width = max(len(row.client_id) for row in rows)
    click.echo(f"{'client id':<{width}}  {'kind':<8}  {'state':<9}  {'sessions':>8}  name")
    for row in rows:
        state = "active" if row.active else "suspended"
        click.echo(f"{row.client_id:<{width}}  {row.kind:<8}  {state:<9}  {row.live_sessions:>8}  {row.name}")


@apps.command("suspend")
@click.argument("client_id")
@click.option("--reason", required=True, help="why (kept in the audit log)")
def suspend(client_id: str, reason: str) -> None:
    """Stop CLIENT_ID now: no new sign-ins, and every live session it holds is revoked."""
    hub = current_hub()
    with hub.session() as session:
        try:
            revoked = suspend_app(session, operator_actor(_operator()), client_id, reason=reason)
        except AppChangeRefused as refused:
            raise click.ClickException(str(refused)) from None
        session.commit()
    hub.app_registry.forget()
    click.echo(f"suspended {client_id}: {revoked} live sessions revoked; other processes refuse it within 30 s")


@apps.command("resume")
@click.argument("client_id")
@click.option("--reason", required=True, help="why (kept in the audit log)")
def resume(client_id: str, reason: str) -> None:
    """Let a suspended CLIENT_ID sign people in again (the sessions it lost stay ended)."""
    hub = current_hub()
    with hub.session() as session:
        try:
            resume_app(session, operator_actor(_operator()), client_id, reason=reason)
        except AppChangeRefused as refused:
            raise click.ClickException(str(refused)) from None
        session.commit()
    hub.app_registry.forget()
    click.echo(f"resumed {client_id}")
