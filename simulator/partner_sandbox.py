"""The sandbox side of the partner API: the keys of the sandbox partner apps, test assertions signed with them,
and a callback receiver that checks the hub's signature and keeps what it received.

- ``GET /partner/<client_id>/jwks.json``: the app's public key (ES256), which the hub fetches by URL;
- ``POST /partner/test-assertion`` ``{"client_id", "audience"}`` → ``{"client_assertion"}``: an RFC 7523
  assertion (``iss`` = ``sub`` = the client id, ``aud`` = the audience, a fresh ``jti``, two minutes to live);
- ``POST /partner/<client_id>/callbacks``: the receiver, as an agency's would be: it verifies ``X-Hub-Signature``
  (HMAC-SHA256 of the raw body with the app's callback secret), refuses a bad one with 401, answers 204;
- ``GET /partner/<client_id>/callbacks``: what it received, newest first, each with ``signature_valid``.

The keys are made when the sandbox starts, so the hub's cached copy of a JWKS is refreshed by ``kid``.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import Blueprint, request

from simulator.partner_keys import SANDBOX_PARTNERS
from simulator.sandbox import current_sandbox, json_error

blueprint = Blueprint("partner", __name__, url_prefix="/partner")


def _partner_or_404(client_id: str):
    if client_id not in SANDBOX_PARTNERS:
        return json_error(404, "unknown_client", f"The sandbox holds keys for {', '.join(SANDBOX_PARTNERS)} only.")
    return None


@blueprint.get("/<client_id>/jwks.json")
def jwks(client_id: str):
    return _partner_or_404(client_id) or current_sandbox().partner_keys.jwks(client_id)


@blueprint.post("/test-assertion")
def test_assertion():
    body = request.get_json(silent=True) or {}
    client_id, audience = body.get("client_id"), body.get("audience")
    if not isinstance(client_id, str) or not isinstance(audience, str) or not audience.startswith("http"):
        return json_error(
            422, "invalid_request", 'Send {"client_id": "sandbox-partner-dhs", "audience": "<token URL>"}'
        )
    return _partner_or_404(client_id) or {
        "client_assertion": current_sandbox().partner_keys.assertion(client_id, audience)
    }


@blueprint.post("/<client_id>/callbacks")
def receive_callback(client_id: str):
    refused = _partner_or_404(client_id)
    if refused:
        return refused
    sandbox = current_sandbox()
    raw = request.get_data()
    expected = "sha256=" + hmac.new(sandbox.settings.partner_callback_secret.encode(), raw, hashlib.sha256).hexdigest()
    valid = hmac.compare_digest(expected, request.headers.get("X-Hub-Signature", ""))
    sandbox.partner_keys.keep(
        client_id,
        {
            "callback_id": request.headers.get("X-Hub-Callback-Id"),
            "timestamp": request.headers.get("X-Hub-Timestamp"),
            "signature_valid": valid,
            "body": request.get_json(silent=True),
        },
    )
    if not valid:
        return json_error(401, "bad_signature", "X-Hub-Signature does not match the body")
    return "", 204


@blueprint.get("/<client_id>/callbacks")
def received_callbacks(client_id: str):
    return _partner_or_404(client_id) or {"data": list(current_sandbox().partner_keys.received[client_id])}
