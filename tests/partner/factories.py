"""Partner apps as an agency developer has them: keys of their own (or the sandbox's), assertions signed with them,
tokens from ``POST /v1/auth/token``, and a resident whose case is in the hub (maria's DHS SNAP case)."""

from __future__ import annotations

import dataclasses
import secrets
import time

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from services.partner.apps import register_partner_app
from tests.factories import sign_in

CLIENT_CREDENTIALS = "client_credentials"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
TOKEN_URL = "http://127.0.0.1:8000/v1/auth/token"  # the test settings' PUBLIC_URL + the token path
MARIA_SNAP_CASE = "204815367"
PHONE = {"platform": "android", "push_token": "fcm-token-of-marias-phone-0001", "app_id": "sandbox-app"}


@dataclasses.dataclass
class PartnerKey:
    """A partner's own key pair; ``jwks`` is what it registers."""

    private_key: object
    alg: str
    kid: str

    @classmethod
    def new(cls, alg: str = "ES256") -> PartnerKey:
        if alg == "ES256":
            key = ec.generate_private_key(ec.SECP256R1())
        else:
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return cls(key, alg, secrets.token_hex(4))

    @property
    def jwks(self) -> dict:
        algorithm = ECAlgorithm if self.alg == "ES256" else RSAAlgorithm
        jwk = algorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        return {"keys": [{**jwk, "kid": self.kid, "alg": self.alg, "use": "sig"}]}

    def assertion(self, client_id: str, *, audience: str = TOKEN_URL, lifetime: int = 120, **claims) -> str:
        now = int(time.time())
        body = {"iss": client_id, "sub": client_id, "aud": audience, "iat": now, "exp": now + lifetime}
        body["jti"] = secrets.token_urlsafe(12)
        body.update(claims)
        body = {key: value for key, value in body.items() if value is not None}
        return jwt.encode(body, self.private_key, algorithm=self.alg, headers={"kid": self.kid})


def register_app(hub, *, agency="DHS", key: PartnerKey | None = None, scopes=None, callback_url=None, client_id=None):
    """A partner app with inline keys, committed; returns ``(client_id, key, callback_secret)``."""
    key = key or PartnerKey.new()
    with hub.session() as session:
        registered = register_partner_app(
            session,
            hub.field_cipher,
            agency=agency,
            name=f"{agency} test system",
            scopes=scopes or ("notifications:send", "notifications:read", "events:write"),
            jwks=key.jwks,
            callback_url=callback_url,
            client_id=client_id,
            allow_http=True,
        )
        session.commit()
        return registered.app.client_id, key, registered.callback_secret


def token_request(client, assertion: str | None, **extra):
    body = {"grant_type": CLIENT_CREDENTIALS, "client_assertion_type": JWT_BEARER, **extra}
    if assertion is not None:
        body["client_assertion"] = assertion
    return client.post("/v1/auth/token", data=body)


def token_for(client, client_id: str, key: PartnerKey, **extra) -> dict[str, str]:
    response = token_request(client, key.assertion(client_id), **extra)
    assert response.status_code == 200, response.get_data(as_text=True)
    return {"Authorization": f"Bearer {response.get_json()['access_token']}"}


def sandbox_assertion(sandbox_url: str, client_id: str = "sandbox-partner-dhs", audience: str = TOKEN_URL) -> str:
    response = httpx.post(
        f"{sandbox_url}/partner/test-assertion", json={"client_id": client_id, "audience": audience}, timeout=10
    )
    assert response.status_code == 200, response.text
    return response.json()["client_assertion"]


def sandbox_token(client, sandbox_url: str, client_id: str = "sandbox-partner-dhs", **extra) -> dict[str, str]:
    response = token_request(client, sandbox_assertion(sandbox_url, client_id), **extra)
    assert response.status_code == 200, response.get_data(as_text=True)
    return {"Authorization": f"Bearer {response.get_json()['access_token']}"}


def maria_with_phone(client, sandbox_url: str):
    """maria signed in, her phone registered, and her benefits read once (so the hub holds her cases)."""
    maria = sign_in(client, sandbox_url, "maria")
    assert client.post("/v1/me/devices", json=PHONE, headers=maria.headers).status_code == 201
    assert client.get("/v1/me/benefits", headers=maria.headers).status_code == 200
    return maria


def message(case_number: str = MARIA_SNAP_CASE, **overrides) -> dict:
    body = {
        "case_number": case_number,
        "category": "documents",
        "title": {"en": "We got your document", "es": "Recibimos tu documento"},
        "body": {"en": "Thanks {first_name}, your proof of income arrived.", "es": "Gracias {first_name}, llegó."},
        "personalisation": {"first_name": "Maria"},
        "reference": "snap-docs-0001",
    }
    body.update(overrides)
    return body
