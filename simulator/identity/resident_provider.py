"""The resident identity provider at /idp: discovery, JWKS, authorization code + PKCE, token, test-login."""

from __future__ import annotations

import re
import secrets
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, Response, redirect, request

from simulator.identity.authorization_codes import CODE_SECONDS, Grant, InvalidGrant
from simulator.identity.claims import ID_TOKEN_SECONDS, resident_claims
from simulator.identity.discovery import resident_discovery
from simulator.identity.login_page import render_login_page
from simulator.sandbox import current_sandbox, json_error

blueprint = Blueprint("resident_idp", __name__, url_prefix="/idp")
CLIENT_ID = re.compile(r"^[a-z0-9-]{3,64}$")
CUSTOM_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*$")
FORBIDDEN_SCHEMES = {"https", "javascript", "data", "file", "vbscript", "about", "blob", "ftp", "ws", "wss"}
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


def issuer() -> str:
    return current_sandbox().settings.public_url + "/idp"


def redirect_uri_allowed(uri: str) -> bool:
    """Loopback http (native apps, RFC 8252 §7.3) or a private-use custom scheme (§7.1); nothing on the open web."""
    parts = urlsplit(uri)
    if parts.scheme == "http":
        return parts.hostname in LOOPBACK_HOSTS and not parts.fragment
    return bool(CUSTOM_SCHEME.match(parts.scheme)) and parts.scheme not in FORBIDDEN_SCHEMES and not parts.fragment


def id_token_for(handle: str, client_id: str, nonce: str | None) -> str | None:
    sandbox = current_sandbox()
    person = sandbox.scenario.population.by_handle(handle)
    if person is None:
        return None
    claims = resident_claims(
        person,
        issuer=issuer(),
        client_id=client_id,
        now=sandbox.clock.epoch_seconds(),
        sub_secret=sandbox.sub_secret,
        nonce=nonce,
    )
    return sandbox.resident_keys.sign(claims)


@blueprint.get("/.well-known/openid-configuration")
def discovery():
    return resident_discovery(issuer())


@blueprint.get("/jwks.json")
def jwks():
    return current_sandbox().resident_keys.jwks()


@blueprint.post("/rotate-keys")
def rotate_keys():
    sandbox = current_sandbox()
    return {"signing_kid": sandbox.resident_keys.rotate(), **sandbox.resident_keys.jwks()}


@blueprint.post("/test-login")
def test_login():
    body = request.get_json(silent=True) or {}
    handle = str(body.get("persona", ""))
    client_id = str(body.get("client_id") or "sandbox-app")
    if not CLIENT_ID.match(client_id):
        return json_error(400, "invalid_client", "client_id must match ^[a-z0-9-]{3,64}$")
    token = id_token_for(handle, client_id, body.get("nonce"))
    if token is None:
        return json_error(404, "unknown_persona", f"no persona called {handle!r}")
    return {"id_token": token}


@blueprint.route("/authorize", methods=["GET", "POST"])
def authorize():
    params = {k: v for k, v in (request.values.items())}
    client_id, redirect_uri = params.get("client_id", ""), params.get("redirect_uri", "")
    if not CLIENT_ID.match(client_id) or not redirect_uri_allowed(redirect_uri):
        return json_error(400, "invalid_request", "unknown client_id or redirect_uri not allowed")

    def back(**query) -> Response:
        if params.get("state"):
            query["state"] = params["state"]
        return redirect(f"{redirect_uri}{'&' if '?' in redirect_uri else '?'}{urlencode(query)}", 302)

    if params.get("response_type") != "code":
        return back(error="unsupported_response_type")
    if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
        return back(error="invalid_request", error_description="PKCE with code_challenge_method=S256 is required")
    handle = params.get("login_hint")
    if not handle:
        personas = current_sandbox().scenario.population.personas.values()
        choices = [
            (p.handle, f"{p.given_name} {p.family_name} · {'verified (IAL2)' if p.verified else 'basic (IAL1)'}")
            for p in personas
        ]
        return Response(render_login_page(params, choices), content_type="text/html; charset=utf-8")
    if current_sandbox().scenario.population.by_handle(handle) is None:
        return back(error="access_denied", error_description="unknown persona")
    sandbox = current_sandbox()
    code = sandbox.codes.issue(
        Grant(
            client_id,
            redirect_uri,
            params["code_challenge"],
            handle,
            params.get("nonce"),
            sandbox.clock.epoch_seconds() + CODE_SECONDS,
        )
    )
    return back(code=code)


@blueprint.post("/token")
def token():
    form = request.form if request.form else (request.get_json(silent=True) or {})
    headers = {"Cache-Control": "no-store", "Pragma": "no-cache"}
    if form.get("grant_type") != "authorization_code":
        return (*json_error(400, "unsupported_grant_type", "only authorization_code"), headers)
    missing = [k for k in ("code", "redirect_uri", "client_id", "code_verifier") if not form.get(k)]
    if missing:
        return (*json_error(400, "invalid_request", f"missing: {', '.join(missing)}"), headers)
    sandbox = current_sandbox()
    try:
        grant = sandbox.codes.redeem(
            form["code"],
            client_id=form["client_id"],
            redirect_uri=form["redirect_uri"],
            verifier=form["code_verifier"],
            now=sandbox.clock.epoch_seconds(),
        )
    except InvalidGrant as exc:
        return (*json_error(400, "invalid_grant", str(exc)), headers)
    id_token = id_token_for(grant.handle, grant.client_id, grant.nonce)
    access_token = secrets.token_urlsafe(32)
    sandbox.access_tokens[access_token] = (grant.handle, grant.client_id)
    return (
        {"id_token": id_token, "access_token": access_token, "token_type": "Bearer", "expires_in": ID_TOKEN_SECONDS},
        200,
        headers,
    )


@blueprint.get("/userinfo")
def userinfo():
    sandbox = current_sandbox()
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    found = sandbox.access_tokens.get(value) if scheme.lower() == "bearer" else None
    if found is None:
        return json_error(401, "invalid_token")
    handle, client_id = found
    person = sandbox.scenario.population.by_handle(handle)
    claims = resident_claims(
        person,
        issuer=issuer(),
        client_id=client_id,
        now=sandbox.clock.epoch_seconds(),
        sub_secret=sandbox.sub_secret,
        nonce=None,
    )
    return {k: v for k, v in claims.items() if k not in ("iss", "aud", "iat", "nbf", "exp", "auth_time")}
