"""``flask sandbox seed`` (registrations the sandbox needs) and ``flask sandbox welcome`` (what to try next)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from api.current_hub import current_hub
from services.identity.app_registry import SANDBOX_APPS, ensure_app_clients
from services.partner.apps import ensure_sandbox_partners

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


WELCOME = """
Benefits Hub is starting on http://127.0.0.1:{port}  (docs: /docs, OpenAPI: /openapi.json)
The sandbox platform and identity provider run on http://127.0.0.1:{sandbox_port}

Try it (more in README.md, "Two-minute walkthrough"):
  ID=$(curl -s -X POST http://127.0.0.1:{sandbox_port}/idp/test-login -H 'Content-Type: application/json' \\
        -d '{{"persona":"maria"}}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id_token"])')
  curl -s -X POST http://127.0.0.1:{port}/v1/auth/token -H 'Content-Type: application/json' -d "{{\\"grant_type\\":\\
\\"urn:ietf:params:oauth:grant-type:token-exchange\\",\\"subject_token\\":\\"$ID\\",\\"subject_token_type\\":\\
\\"urn:ietf:params:oauth:token-type:id_token\\",\\"client_id\\":\\"sandbox-app\\"}}"
Personas: maria, james, ana, lee, sam, grace (residents); sophie, omar, ada (staff). Ctrl-C stops both.
"""


@sandbox.command("welcome")
@click.option("--port", default=8000)
@click.option("--sandbox-port", default=8100)
def welcome(port: int, sandbox_port: int) -> None:
    """Print what to do next."""
    click.echo(WELCOME.format(port=port, sandbox_port=sandbox_port))
