"""Factories that go through the real flows: sign a persona in at the sandbox identity provider and exchange
the ID token at ``POST /v1/auth/token`` for hub tokens, as a phone app (or the support console) would.

``sign_in(client, sandbox_url, "maria")`` → ``SignedIn`` with ``headers`` ready for ``client.get(...,
headers=...)``. Use with the ``sandbox_client`` and ``sandbox_url`` fixtures from ``tests/sandbox.py``.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import secrets
from urllib.parse import parse_qs, urlsplit

import httpx

TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token"
ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"
REDIRECT_URI = "http://127.0.0.1:7777/callback"


@dataclasses.dataclass(frozen=True)
class SignedIn:
    access_token: str
    refresh_token: str
    session_id: str
    headers: dict[str, str]


def signed_in(body: dict) -> SignedIn:
    return SignedIn(
        body["access_token"],
        body["refresh_token"],
        body["session_id"],
        {"Authorization": f"Bearer {body['access_token']}"},
    )


def id_token_for(sandbox_url: str, persona: str, client_id: str = "sandbox-app", nonce: str | None = None) -> str:
    """An ID token from the sandbox resident identity provider."""
    body = {"persona": persona, "client_id": client_id, **({"nonce": nonce} if nonce else {})}
    response = httpx.post(f"{sandbox_url}/idp/test-login", json=body, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["id_token"]


def staff_id_token_for(sandbox_url: str, persona: str) -> str:
    response = httpx.post(f"{sandbox_url}/staff-idp/test-login", json={"persona": persona}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["id_token"]


def exchange(client, id_token: str, client_id: str = "sandbox-app", **extra):
    """``POST /v1/auth/token`` with a token exchange of ``id_token``; returns the raw response."""
    body = {
        "grant_type": TOKEN_EXCHANGE,
        "subject_token": id_token,
        "subject_token_type": ID_TOKEN_TYPE,
        "client_id": client_id,
        **extra,
    }
    return client.post("/v1/auth/token", json=body)


def sign_in(client, sandbox_url: str, persona: str, client_id: str = "sandbox-app", **extra) -> SignedIn:
    """A resident persona signed in through the sandbox IdP and the hub's token exchange."""
    response = exchange(client, id_token_for(sandbox_url, persona, client_id, extra.get("nonce")), client_id, **extra)
    assert response.status_code == 200, response.get_data(as_text=True)
    return signed_in(response.get_json())


def sign_in_staff(client, sandbox_url: str, persona: str, client_id: str = "support-console") -> SignedIn:
    """A staff persona (sophie: support, omar: supervisor, ada: admin) signed in at the workforce IdP."""
    response = exchange(client, staff_id_token_for(sandbox_url, persona), client_id)
    assert response.status_code == 200, response.get_data(as_text=True)
    return signed_in(response.get_json())


def refresh(client, refresh_token: str, client_id: str = "sandbox-app"):
    return client.post(
        "/v1/auth/token", json={"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": client_id}
    )


@dataclasses.dataclass(frozen=True)
class Pkce:
    verifier: str
    challenge: str

    @classmethod
    def new(cls) -> Pkce:
        verifier = secrets.token_urlsafe(48)
        digest = hashlib.sha256(verifier.encode()).digest()
        return cls(verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode())


def authorization_code(
    sandbox_url: str, persona: str, pkce: Pkce, *, client_id: str = "sandbox-app", nonce: str | None = None
) -> str:
    """What a phone app gets back from the provider's authorize page (``login_hint`` approves at once)."""
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": "openid email",
        "code_challenge": pkce.challenge,
        "code_challenge_method": "S256",
        "login_hint": persona,
        "state": "s1",
        **({"nonce": nonce} if nonce else {}),
    }
    response = httpx.get(f"{sandbox_url}/idp/authorize", params=params, follow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query["state"] == ["s1"]
    return query["code"][0]
