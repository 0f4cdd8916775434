"""``flask sandbox seed`` (registrations the sandbox needs), ``flask sandbox reset`` (start the story again) and
``flask sandbox welcome`` (what to try next)."""

from __future__ import annotations

from pathlib import Path

import click
import httpx
from alembic import command
from alembic.config import Config
from flask.cli import AppGroup

from api.current_hub import current_hub
from services import load_seed
from services.identity.app_registry import SANDBOX_APPS, ensure_app_clients
from services.partner.apps import ensure_sandbox_partners
from services.vocabulary import AGENCIES

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"

sandbox = AppGroup("sandbox", help="The sandbox: never enabled in production.")


def _require_sandbox() -> None:
    if not current_hub().settings.sandbox_enabled:
        raise click.ClickException("the sandbox is disabled (SANDBOX_ENABLED=false)")


@sandbox.command("seed")
def seed() -> None:
    """Register the sandbox apps and partner apps (idempotent)."""
    _require_sandbox()
    hub = current_hub()
    with hub.session() as session:
        added = ensure_app_clients(session, SANDBOX_APPS)
        partners = ensure_sandbox_partners(session, hub.field_cipher, hub.settings.sandbox_url)
        session.commit()
    click.echo(f"sandbox apps registered ({added} new); sandbox partner apps ({partners} new)")


@sandbox.command("reset")
@click.option("--yes", is_flag=True, help="do not ask (scripts)")
@click.option("--platform/--no-platform", default=True, show_default=True, help="also restart the sandbox's story")
def reset(yes: bool, platform: bool) -> None:
    """Drop every row of the hub's database and reseed it, keeping the virtual environment and the signing keys.

    The schema is rebuilt by the migrations themselves (down to nothing, then up to head), so this works on
    PostgreSQL too, where the audit log refuses deletes. With --platform (the default) the sandbox platform goes
    back to day 0 (``POST /platform/sim/reset``) so the hub and the sandbox tell the same story again. Residents
    sign in again afterwards: their sessions are gone.
    """
    _require_sandbox()
    hub = current_hub()
    target = hub.engine.url.render_as_string(hide_password=True)
    if not yes:
        click.confirm(f"Drop all hub data in {target} and reseed the sandbox?", abort=True)
    config = Config(str(ALEMBIC_INI))
    with hub.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
        command.upgrade(config, "head")
    hub.engine.dispose()  # pooled connections knew the old tables
    hub.app_registry.forget()
    with hub.session() as session:
        added = ensure_app_clients(session, SANDBOX_APPS)
    click.echo(f"hub data dropped and rebuilt in {target}; sandbox apps registered ({added})")
    if platform:
        click.echo(_reset_platform(hub.settings.sandbox_url))


def _reset_platform(sandbox_url: str) -> str:
    try:
        answer = httpx.post(f"{sandbox_url.rstrip('/')}/platform/sim/reset", timeout=10)
        answer.raise_for_status()
    except httpx.HTTPError as error:
        return f"the sandbox at {sandbox_url} did not reset ({type(error).__name__}); restart it, or make run"
    return f"the sandbox at {sandbox_url} is back at day {answer.json().get('scenario_day', 0)}"


WELCOME = """
Benefits Hub is starting on http://127.0.0.1:{port}  (docs: /docs, OpenAPI: /openapi.json)
The sandbox platform and identity provider run on http://127.0.0.1:{sandbox_port}

Try it (more in README.md, "Two-minute walkthrough"):
  ID=$(curl -s -X POST http://127.0.0.1:{sandbox_port}/idp/test-login -H 'Content-Type: application/json' \\
        -d '{{"persona":"maria"}}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id_token"])')
  curl -s -X POST http://127.0.0.1:{port}/v1/auth/token -H 'Content-Type: application/json' -d "{{\\"grant_type\\":\\
\\"urn:ietf:params:oauth:grant-type:token-exchange\\",\\"subject_token\\":\\"$ID\\",\\"subject_token_type\\":\\
\\"urn:ietf:params:oauth:token-type:id_token\\",\\"client_id\\":\\"sandbox-app\\"}}"
Personas: maria, james, ana, lee, sam, grace, rosa (residents); sophie, omar, ada (staff). Ctrl-C stops both.
"""


@sandbox.command("welcome")
@click.option("--port", default=8000)
@click.option("--sandbox-port", default=8100)
def welcome(port: int, sandbox_port: int) -> None:
    """Print what to do next."""
    click.echo(WELCOME.format(port=port, sandbox_port=sandbox_port))


@sandbox.command("seed-linked")
@click.argument("agency", type=click.Choice(AGENCIES, case_sensitive=False))
@click.option("--limit", type=click.IntRange(min=1), default=None, help="at most this many residents")
def seed_linked(agency: str, limit: int | None) -> None:
    """Add one resident linked to each record of AGENCY at the sandbox platform, without snapshots (the setup of
    a bulk reconciliation's first run: services/load_seed.py ``seed_linked``)."""
    _require_sandbox()
    added = load_seed.seed_linked(
        current_hub(), agency.upper(), limit, progress=lambda line: click.echo(line, err=True)
    )
    click.echo(f"{added} residents linked at {agency.upper()}")


@sandbox.command("seed-load")
@click.option("--residents", type=click.IntRange(min=1), required=True, help="how many residents to add")
@click.option(
    "--benefits/--no-benefits",
    default=True,
    show_default=True,
    help="links and fresh snapshots at DHS, HFS (and AGING for every third), copied from the sandbox platform",
)
@click.option(
    "--devices-per-resident",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="phones per resident, and a campaign notice for each resident to push to them",
)
@click.option(
    "--sign-in",
    "sign_in",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="residents to sign in on the sandbox app (the first ones)",
)
@click.option(
    "--tokens-file",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="where to write their access tokens, one a line (required with --sign-in)",
)
def seed_load(residents: int, benefits: bool, devices_per_resident: int, sign_in: int, tokens_file: str | None) -> None:
    """Add many residents at once for a benchmark or a load test (services/load_seed.py says what each has).

    With --benefits (the default) the sandbox platform must answer at PLATFORM_URL: its personas' records are
    the template every resident gets."""
    _require_sandbox()
    if sign_in and not tokens_file:
        raise click.UsageError("--sign-in needs --tokens-file")
    seeded = load_seed.seed_load(
        current_hub(),
        residents,
        benefits=benefits,
        devices_per_resident=devices_per_resident,
        sign_in=sign_in,
        progress=lambda line: click.echo(line, err=True),
    )
    if tokens_file:
        with open(tokens_file, "w", encoding="utf-8") as out:
            out.write("".join(token + "\n" for token in seeded.tokens))
    click.echo(
        f"seeded {seeded.residents} residents, {seeded.devices} devices, {seeded.campaign_events} campaign events, "
        f"{len(seeded.tokens)} signed in"
    )
