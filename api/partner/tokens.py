"""The token endpoint's ``client_credentials`` answer (the route itself is ``api/auth/routes.py``)."""

from __future__ import annotations

from flask import g

from api.database import db
from services.hub import Hub
from services.partner.client_credentials import client_credentials

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def partner_token_response(hub: Hub, body: dict) -> tuple[dict, int, dict]:
    issued = client_credentials(
        hub,
        db(),
        assertion=body.get("client_assertion"),
        assertion_type=body.get("client_assertion_type"),
        scope=body.get("scope"),
        client_id=body.get("client_id"),
        request_id=g.get("request_id"),
    )
    answer = {
        "access_token": issued.access_token,
        "token_type": "Bearer",
        "expires_in": issued.expires_in,
        "scope": " ".join(issued.scopes),
    }
    return answer, 200, NO_STORE
