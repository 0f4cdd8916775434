"""The workforce identity provider at /staff-idp: staff personas with roles, for the support console."""

from __future__ import annotations

from flask import Blueprint, request

from simulator.identity.claims import staff_claims
from simulator.identity.discovery import staff_discovery
from simulator.sandbox import current_sandbox, json_error

blueprint = Blueprint("staff_idp", __name__, url_prefix="/staff-idp")
AUDIENCE = "support-console"
STAFF = {
    "sophie": {
        "sub": "staff-0001",
        "name": "Sophie Turner",
        "email": "sophie.turner@support.example.gov",
        "roles": ("support",),
    },
    "omar": {
        "sub": "staff-0002",
        "name": "Omar Haddad",
        "email": "omar.haddad@support.example.gov",
        "roles": ("supervisor",),
    },
    "ada": {
        "sub": "staff-0003",
        "name": "Ada Okonkwo",
        "email": "ada.okonkwo@support.example.gov",
        "roles": ("admin",),
    },
}


def issuer() -> str:
    return current_sandbox().settings.public_url + "/staff-idp"


@blueprint.get("/.well-known/openid-configuration")
def discovery():
    return staff_discovery(issuer())


@blueprint.get("/jwks.json")
def jwks():
    return current_sandbox().staff_keys.jwks()


@blueprint.post("/rotate-keys")
def rotate_keys():
    sandbox = current_sandbox()
    return {"signing_kid": sandbox.staff_keys.rotate(), **sandbox.staff_keys.jwks()}


@blueprint.post("/test-login")
def test_login():
    body = request.get_json(silent=True) or {}
    staff = STAFF.get(str(body.get("persona", "")))
    if staff is None:
        return json_error(404, "unknown_persona", f"no staff persona called {body.get('persona')!r}")
    sandbox = current_sandbox()
    claims = staff_claims(
        staff, issuer=issuer(), audience=AUDIENCE, now=sandbox.clock.epoch_seconds(), nonce=body.get("nonce")
    )
    return {"id_token": sandbox.staff_keys.sign(claims)}
