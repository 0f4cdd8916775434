"""Every way an ID token can be wrong is refused at POST /v1/auth/token with invalid_grant and a clear detail.

Tokens are crafted against the real sandbox: signed by the sandbox provider's own key ring (for claims it would
never issue), by a key of our own (unknown kid), or altered after signing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.factories import exchange, id_token_for, sign_in, staff_id_token_for
from tests.problem_assertions import assert_problem


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(sandbox_url: str, **overrides) -> dict:
    now = int(time.time())
    claims = {
        "iss": f"{sandbox_url}/idp",
        "aud": "sandbox-app",
        "sub": "crafted-subject",
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "acr": "http://idmanagement.gov/ns/assurance/ial/1",
        "email": "crafted@example.com",
    }
    claims.update(overrides)
    return {key: value for key, value in claims.items() if value is not None}


def _signed_by_sandbox(sandbox_server, claims: dict) -> str:
    return sandbox_server.app.extensions["simulator"].resident_keys.sign(claims)


def _refused(client, token: str, text: str, **extra) -> dict:
    body = assert_problem(exchange(client, token, **extra), 400)
    assert body["error"] == "invalid_grant"
    assert text in body["detail"], body["detail"]
    assert token not in json.dumps(body)
    return body


def test_a_genuine_token_is_accepted(sandbox_client, sandbox_url, sandbox_server):
    assert exchange(sandbox_client, _signed_by_sandbox(sandbox_server, _claims(sandbox_url))).status_code == 200


@pytest.mark.parametrize("garbage", ["not-a-jwt", "a.b.c", "", "eyJhbGciOiJSUzI1NiJ9.e30"])
def test_garbage_is_refused(sandbox_client, sandbox_url, garbage):
    response = exchange(sandbox_client, garbage or " ")
    body = assert_problem(response, 400)
    assert body["error"] in {"invalid_grant", "invalid_request"}


def test_alg_none_is_refused(sandbox_client, sandbox_url):
    token = jwt.encode(_claims(sandbox_url), None, algorithm="none")
    _refused(sandbox_client, token, "only RS256")


def test_hs256_signed_with_the_providers_public_key_is_refused(sandbox_client, sandbox_url, sandbox_server):
    """The classic key-confusion attack: the public key used as an HMAC secret."""
    public_jwk = httpx.get(f"{sandbox_url}/idp/jwks.json").json()["keys"][0]
    public_pem = jwt.algorithms.RSAAlgorithm.from_jwk(public_jwk).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": public_jwk["kid"]}).encode())
    payload = _b64(json.dumps(_claims(sandbox_url)).encode())
    signature = _b64(hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest())
    _refused(sandbox_client, f"{header}.{payload}.{signature}", "only RS256")


def test_wrong_issuer_is_refused(sandbox_client, sandbox_url, sandbox_server):
    token = _signed_by_sandbox(sandbox_server, _claims(sandbox_url, iss="https://evil.example/idp"))
    _refused(sandbox_client, token, "(iss)")


def test_token_for_another_app_is_refused(sandbox_client, sandbox_url):
    _refused(sandbox_client, id_token_for(sandbox_url, "maria", client_id="some-other-app"), "another app")


def test_expired_token_is_refused(sandbox_client, sandbox_url, sandbox_server):
    past = int(time.time()) - 3600
    token = _signed_by_sandbox(sandbox_server, _claims(sandbox_url, iat=past, nbf=past, exp=past + 600))
    _refused(sandbox_client, token, "expired")


def test_token_from_the_future_is_refused(sandbox_client, sandbox_url, sandbox_server):
    future = int(time.time()) + 3600
    token = _signed_by_sandbox(sandbox_server, _claims(sandbox_url, iat=future, nbf=future, exp=future + 600))
    _refused(sandbox_client, token, "not valid yet")


def test_unknown_kid_is_refused(sandbox_client, sandbox_url):
    own_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(_claims(sandbox_url), own_key, algorithm="RS256", headers={"kid": "not-a-published-kid"})
    _refused(sandbox_client, token, "unknown kid")


def test_token_without_kid_is_refused(sandbox_client, sandbox_url):
    own_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    _refused(sandbox_client, jwt.encode(_claims(sandbox_url), own_key, algorithm="RS256"), "no key id")


def test_tampered_payload_is_refused(sandbox_client, sandbox_url):
    header, payload, signature = id_token_for(sandbox_url, "lee").split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["acr"] = "http://idmanagement.gov/ns/assurance/ial/2"  # lee promotes himself to verified
    _refused(sandbox_client, f"{header}.{_b64(json.dumps(claims).encode())}.{signature}", "signature")


def test_missing_subject_is_refused(sandbox_client, sandbox_url, sandbox_server):
    _refused(sandbox_client, _signed_by_sandbox(sandbox_server, _claims(sandbox_url, sub=None)), "'sub'")


def test_nonce_must_match_when_the_app_sent_one(sandbox_client, sandbox_url):
    token = id_token_for(sandbox_url, "maria", nonce="nonce-the-app-sent")
    _refused(sandbox_client, token, "nonce", nonce="another-nonce")
    _refused(sandbox_client, id_token_for(sandbox_url, "maria"), "nonce", nonce="expected-but-absent")
    assert exchange(sandbox_client, token, nonce="nonce-the-app-sent").status_code == 200


def test_unaccepted_assurance_level_is_refused(sandbox_client, sandbox_url, sandbox_server):
    token = _signed_by_sandbox(sandbox_server, _claims(sandbox_url, acr="urn:example:loa:0"))
    _refused(sandbox_client, token, "assurance level")


def test_verified_token_without_identity_attributes_is_refused(sandbox_client, sandbox_url, sandbox_server):
    token = _signed_by_sandbox(sandbox_server, _claims(sandbox_url, acr="http://idmanagement.gov/ns/assurance/ial/2"))
    _refused(sandbox_client, token, "given_name")


def test_staff_token_cannot_sign_a_resident_in(sandbox_client, sandbox_url):
    _refused(sandbox_client, staff_id_token_for(sandbox_url, "ada"), "")


def test_resident_token_cannot_sign_into_the_support_console(sandbox_client, sandbox_url):
    token = id_token_for(sandbox_url, "maria", client_id="support-console")
    _refused(sandbox_client, token, "unknown kid", client_id="support-console")  # not the workforce provider's key


def test_unregistered_app_is_an_invalid_client(sandbox_client, sandbox_url):
    response = exchange(sandbox_client, id_token_for(sandbox_url, "maria", client_id="unknown-app"), "unknown-app")
    body = assert_problem(response, 401)
    assert body["error"] == "invalid_client"


def test_a_key_rotation_at_the_provider_is_picked_up(sandbox_client, sandbox_url, sandbox_server):
    """The hub caches the provider's keys; a token signed with a key it has not seen forces one refetch."""
    sign_in(sandbox_client, sandbox_url, "maria")  # keys now cached
    sandbox_server.post("/idp/rotate-keys")
    sandbox_server.post("/idp/rotate-keys")  # the signer is now a key published after the cache was filled
    sign_in(sandbox_client, sandbox_url, "maria")


def test_unknown_kids_refetch_the_keys_at_most_once_per_interval(sandbox_client, sandbox_url, monkeypatch):
    fetches = []
    original = jwt.PyJWKClient.fetch_data

    def counting(self):
        fetches.append(self.uri)
        return original(self)

    monkeypatch.setattr(jwt.PyJWKClient, "fetch_data", counting)
    sign_in(sandbox_client, sandbox_url, "maria")
    assert len(fetches) == 1
    own_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    for n in range(5):
        token = jwt.encode(_claims(sandbox_url), own_key, algorithm="RS256", headers={"kid": f"made-up-{n}"})
        _refused(sandbox_client, token, "unknown kid")
    assert len(fetches) == 2  # one refetch for the first unknown kid, none for the flood after it
