"""``flask identity …``: rotate the hub's token signing key, the field encryption of residents' attributes and the
encryption of uploaded files."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from api.current_hub import current_hub
from services.identity.field_crypto import FieldCipher
from services.identity.residents import reencrypt_resident_fields
from services.identity.signing_keys import rotate_signing_keys

identity = AppGroup("identity", help="Keys behind sign-in and the encryption of residents' sensitive fields.")


@identity.command("rotate-signing-key")
@click.option("--keep", default=3, show_default=True, help="how many keys to keep publishing in all")
def rotate_signing_key(keep: int) -> None:
    """Prepend a new signing key: it signs from the next start; older keys keep verifying until dropped."""
    settings = current_hub().settings
    fresh = rotate_signing_keys(settings.signing_keys_path, keep=keep)
    click.echo(f"new signing key {fresh.kid}; restart the hub's processes to sign with it")


@identity.command("rotate-field-keys")
def rotate_field_keys() -> None:
    """Re-encrypt residents' sensitive fields under the first key of FIELD_ENCRYPTION_KEYS."""
    hub = current_hub()
    with hub.session() as session:
        done = reencrypt_resident_fields(session, FieldCipher(hub.settings.field_encryption_keys))
    click.echo(f"re-encrypted the sensitive fields of {done} residents; older keys may now be removed")


@identity.command("rotate-document-keys")
def rotate_document_keys() -> None:
    """Re-encrypt every uploaded file under the first key of DOCUMENT_ENCRYPTION_KEYS (the field keys when unset)."""
    done = current_hub().document_store.rotate_keys()
    click.echo(f"re-encrypted {done} uploaded files; older keys may now be removed")
