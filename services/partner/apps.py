"""Registering partner apps, and what admins do with them: list, suspend, unsuspend, re-key.

A partner app is an ``AppClient`` of kind ``partner`` (client ids are one namespace whatever the kind) plus a
``PartnerApp`` row. Its client id is made by the hub (``<agency>-<name slug>-<random>``) unless given (the
sandbox's fixed ids). The callback secret is made by the hub too, shown once, and stored encrypted. Every change
is written to the audit log by whoever asks for it (the CLI, the admin API), in the same transaction.
"""

from __future__ import annotations

import dataclasses
import re
import secrets
from collections.abc import Iterable
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from services import clock
from services.errors import Conflict, InvalidInput, NotFound
from services.identity.field_crypto import FieldCipher
from services.models.app_clients import AppClient
from services.models.partners import PartnerApp
from services.partner.keys import JwksInvalid, check_jwks
from services.vocabulary import AGENCIES

SEND = "notifications:send"
READ = "notifications:read"
EVENTS = "events:write"
SCOPES = (SEND, READ, EVENTS)
CLIENT_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")


@dataclasses.dataclass(frozen=True)
class Registered:
    """A new partner app and its callback secret (``None`` without a callback URL), shown once."""

    app: PartnerApp
    callback_secret: str | None


def _scopes(scopes: Iterable[str]) -> list[str]:
    wanted = list(dict.fromkeys(scope.strip() for scope in scopes if scope.strip()))
    unknown = [scope for scope in wanted if scope not in SCOPES]
    if unknown or not wanted:
        raise InvalidInput(
            f"Scopes are some of {', '.join(SCOPES)}.", errors={"scopes": [f"Unknown: {', '.join(unknown) or 'none'}"]}
        )
    return wanted


def check_url(url: str, field: str, *, allow_http: bool) -> str:
    """An absolute https URL (http too outside production, for local receivers and the sandbox)."""
    parts = urlsplit(url.strip())
    schemes = ("https", "http") if allow_http else ("https",)
    if parts.scheme not in schemes or not parts.hostname or parts.username or parts.password:
        raise InvalidInput(
            f"The {field} must be an absolute {' or '.join(schemes)} URL.", errors={field: ["Not usable."]}
        )
    return url.strip()


def _jwks(document, jwks_url: str | None, *, allow_http: bool) -> tuple[dict | None, str | None]:
    if (document is None) == (jwks_url is None):
        raise InvalidInput(
            "Give the public keys either inline (jwks) or by URL (jwks_url).", errors={"jwks": ["One of."]}
        )
    if jwks_url is not None:
        return None, check_url(jwks_url, "jwks_url", allow_http=allow_http)
    try:
        return check_jwks(document), None
    except JwksInvalid as error:
        raise InvalidInput(f"The JWKS was refused: {error}", errors={"jwks": [str(error)]}) from None


def new_client_id(agency: str, name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:32] or "app"
    return f"{agency.lower()}-{slug}-{secrets.token_hex(3)}"


def register_partner_app(
    session: Session,
    cipher: FieldCipher,
    *,
    agency: str,
    name: str,
    scopes: Iterable[str],
    jwks: dict | None = None,
    jwks_url: str | None = None,
    callback_url: str | None = None,
    client_id: str | None = None,
    callback_secret: str | None = None,
    allow_http: bool = False,
) -> Registered:
    """Add a partner app in ``session`` (the caller audits and commits)."""
    if agency not in AGENCIES:
        raise InvalidInput(f"Unknown agency {agency!r}.", errors={"agency": [f"One of {', '.join(AGENCIES)}."]})
    if not name.strip() or len(name) > 200:
        raise InvalidInput("A name of 1 to 200 characters.", errors={"name": ["1 to 200 characters."]})
    client_id = client_id or new_client_id(agency, name)
    if not CLIENT_ID.match(client_id):
        raise InvalidInput("Not a usable client id.", errors={"client_id": ["3-64 of a-z 0-9 . _ -"]})
    if session.scalar(select(AppClient.id).where(AppClient.client_id == client_id)) is not None:
        raise Conflict(f"The client id {client_id!r} is taken.", errors={"client_id": ["Already registered."]})
    keys, url = _jwks(jwks, jwks_url, allow_http=allow_http)
    secret = None
    if callback_url is not None:
        callback_url = check_url(callback_url, "callback_url", allow_http=allow_http)
        secret = callback_secret or secrets.token_urlsafe(32)
    session.add(AppClient(client_id=client_id, name=name.strip(), kind="partner"))
    session.flush()
    app = PartnerApp(
        client_id=client_id,
        agency=agency,
        name=name.strip(),
        jwks=keys,
        jwks_url=url,
        scopes=_scopes(scopes),
        callback_url=callback_url,
        callback_secret_encrypted=cipher.encrypt(secret),
    )
    session.add(app)
    session.flush()
    return Registered(app, secret)


def partner_app(session: Session, client_id: str) -> PartnerApp:
    app = session.get(PartnerApp, client_id)
    if app is None:
        raise NotFound("There is no partner app with this client id.")
    return app


def partner_apps(session: Session, *, agency: str | None = None) -> list[PartnerApp]:
    stmt = select(PartnerApp).order_by(PartnerApp.agency, PartnerApp.client_id)
    if agency is not None:
        stmt = stmt.where(PartnerApp.agency == agency)
    return list(session.scalars(stmt))


def set_suspended(session: Session, client_id: str, suspended: bool) -> PartnerApp:
    """Suspend (its tokens stop working on their next request) or reinstate a partner app."""
    app = partner_app(session, client_id)
    app.suspended = suspended
    app.updated_at = clock.now()
    return app


def rekey(session: Session, client_id: str, *, jwks: dict | None = None, jwks_url: str | None = None, allow_http=False):
    """Replace the app's public keys (inline or by URL); assertions signed by the old keys stop verifying."""
    app = partner_app(session, client_id)
    app.jwks, app.jwks_url = _jwks(jwks, jwks_url, allow_http=allow_http)
    app.keys_updated_at = app.updated_at = clock.now()
    return app


def callback_secret(app: PartnerApp, cipher: FieldCipher) -> str | None:
    return cipher.decrypt(app.callback_secret_encrypted)


SANDBOX_PARTNERS = (
    ("sandbox-partner-dhs", "DHS", "Sandbox DHS case system"),
    ("sandbox-partner-hfs", "HFS", "Sandbox HFS case system"),
)
SANDBOX_CALLBACK_SECRET = "sandbox-partner-callback-secret"  # noqa: S105  (the sandbox's receiver knows it too)


def ensure_sandbox_partners(session: Session, cipher: FieldCipher, sandbox_url: str) -> int:
    """Register the sandbox partner apps (keys by URL at the sandbox, callbacks to its receiver) unless present;
    return how many were added. The caller commits."""
    added = 0
    for client_id, agency, name in SANDBOX_PARTNERS:
        if session.get(PartnerApp, client_id) is not None:
            continue
        base = sandbox_url.rstrip("/")
        register_partner_app(
            session,
            cipher,
            agency=agency,
            name=name,
            scopes=SCOPES,
            jwks_url=f"{base}/partner/{client_id}/jwks.json",
            callback_url=f"{base}/partner/{client_id}/callbacks",
            client_id=client_id,
            callback_secret=SANDBOX_CALLBACK_SECRET,
            allow_http=True,
        )
        added += 1
    return added
