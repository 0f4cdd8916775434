"""``flask keys init|list|rotate``: the hub's token signing keys (``SIGNING_KEYS_PATH``).

Staging and production never generate a key by themselves (every web process must sign with the same one), so a
new deployment starts with ``flask keys init``: it writes the first key, owner-only, and refuses to touch a file
that exists (an overwritten key file would sign every live session out and break every token already issued). It
prints the key id (``kid``, which the JWKS at ``/.well-known/jwks.json`` publishes), never the key.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from api.current_hub import current_hub
from services.identity.signing_keys import (
    SigningKeys,
    load_signing_keys,
    new_signing_key,
    rotate_signing_keys,
    write_signing_keys,
)

keys = AppGroup("keys", help="The hub's token signing keys (SIGNING_KEYS_PATH).")


@keys.command("init")
def init() -> None:
    """Write the first signing key to SIGNING_KEYS_PATH; refuses if the file exists."""
    path = current_hub().settings.signing_keys_path
    if Path(path).exists():
        raise click.ClickException(f"{path} exists; it is never overwritten (add a key with `flask keys rotate`)")
    key = new_signing_key()
    write_signing_keys(path, SigningKeys([key]), exclusive=True)
    written = load_signing_keys(path, generate_if_missing=False)
    if written.signing.kid != key.kid:  # another `keys init` won the race: its key stands, ours was not written
        raise click.ClickException(f"{path} was written by someone else meanwhile (key {written.signing.kid})")
    click.echo(f"signing key {key.kid} written to {path} (owner-only); start the hub's processes")


@keys.command("list")
def list_() -> None:
    """The key ids in SIGNING_KEYS_PATH, the signing one first."""
    path = current_hub().settings.signing_keys_path
    if not Path(path).exists():
        raise click.ClickException(f"no signing keys at {path} (create the first with `flask keys init`)")
    for index, key in enumerate(load_signing_keys(path, generate_if_missing=False).keys):
        role = "signs" if index == 0 else "verifies"
        click.echo(f"{key.kid}  {role:<8}  created {key.created_at}")


@keys.command("rotate")
@click.option("--keep", default=3, show_default=True, help="how many keys to keep publishing in all")
def rotate(keep: int) -> None:
    """Prepend a new signing key (as `flask identity rotate-signing-key`); older keys keep verifying."""
    path = current_hub().settings.signing_keys_path
    if not Path(path).exists():
        raise click.ClickException(f"no signing keys at {path} (create the first with `flask keys init`)")
    fresh = rotate_signing_keys(path, keep=keep)
    click.echo(f"new signing key {fresh.kid}; restart the hub's processes to sign with it")
