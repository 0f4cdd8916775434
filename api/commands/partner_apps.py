"""``flask apps add-partner``: register an agency system as a partner app; prints its client id, and its callback
secret once (it is stored encrypted and never shown again). Audited with the operator's login as actor.

``flask sandbox seed-partner-cases`` (sandbox only) makes residents with one case each, for the campaign bench."""

from __future__ import annotations

import getpass
import json

import click

from api.commands.apps import apps
from api.commands.sandbox import sandbox
from api.current_hub import current_hub
from services.audit import Actor, record_access
from services.errors import DomainError
from services.partner.apps import SCOPES, register_partner_app
from services.partner.campaign_seed import seed_partner_cases


@apps.command("add-partner")
@click.option("--agency", required=True, help="The agency the app belongs to (DHS, HFS, AGING, DCEO, DEC)")
@click.option("--name", required=True, help="What residents read in their access log, e.g. 'DHS case system'")
@click.option("--jwks-file", type=click.File("r"), help="The app's public keys as a JWKS file")
@click.option("--jwks-url", help="…or where the hub fetches them (https)")
@click.option("--scopes", required=True, help=f"Comma-separated: {', '.join(SCOPES)}")
@click.option("--callback-url", help="Where status changes are POSTed, signed (https)")
@click.option("--client-id", help="A fixed client id (default: made from the agency and name)")
def add_partner(agency, name, jwks_file, jwks_url, scopes, callback_url, client_id) -> None:
    """Register a partner app."""
    hub = current_hub()
    try:
        jwks = json.load(jwks_file) if jwks_file is not None else None
    except ValueError as error:
        raise click.ClickException(f"--jwks-file is not JSON: {error}") from None
    with hub.session() as session:
        try:
            registered = register_partner_app(
                session,
                hub.field_cipher,
                agency=agency.upper(),
                name=name,
                scopes=scopes.split(","),
                jwks=jwks,
                jwks_url=jwks_url,
                callback_url=callback_url,
                client_id=client_id,
                allow_http=not hub.settings.is_production,
            )
        except DomainError as error:
            session.rollback()
            raise click.ClickException(f"{error.detail} {json.dumps(error.errors or {})}") from None
        record_access(
            session,
            Actor("system", f"cli:{getpass.getuser()}", None, "operator"),
            "partner_app.register",
            route="flask apps add-partner",
            fields=[f"partner_app:{registered.app.client_id}", f"agency:{registered.app.agency}"],
        )
        session.commit()
        click.echo(f"client_id: {registered.app.client_id}")
        if registered.callback_secret:
            click.echo(f"callback_secret: {registered.callback_secret}")
            click.echo("(shown once: store it where your callback receiver can read it)")


@sandbox.command("seed-partner-cases")
@click.option("--cases", type=click.IntRange(1, 1_000_000), default=10_000)
@click.option("--agency", default="DHS")
@click.option("--prefix", default="BENCH", help="Case numbers are <prefix><n:08d>")
def seed_partner_cases_command(cases: int, agency: str, prefix: str) -> None:
    """Residents each holding one case of AGENCY and one phone, for partner campaign benchmarks."""
    hub = current_hub()
    if not hub.settings.sandbox_enabled:
        raise click.ClickException("the sandbox is disabled (SANDBOX_ENABLED=false)")
    with hub.session() as session:
        added = seed_partner_cases(session, count=cases, agency=agency.upper(), prefix=prefix, app_id="sandbox-app")
        session.commit()
    click.echo(f"{added} residents with a {agency.upper()} case each ({prefix}00000001 …) and one phone each")
