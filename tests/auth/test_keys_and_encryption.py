"""The hub's signing keys (generated in development, required in production, rotatable) and field encryption."""

from __future__ import annotations

import json
import os

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, text

from api.auth_rules import rule_of
from api.current_hub import hub_of
from services.identity.field_crypto import FieldCipher, LookupHasher
from services.identity.residents import reencrypt_resident_fields
from services.identity.signing_keys import SigningKeysMissing, load_signing_keys, rotate_signing_keys
from services.models.identity import Resident
from tests.factories import sign_in


def test_development_generates_and_keeps_its_signing_key(tmp_path):
    path = tmp_path / "keys" / "signing-keys.json"
    first = load_signing_keys(str(path), generate_if_missing=True)
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    assert load_signing_keys(str(path), generate_if_missing=True).signing.kid == first.signing.kid
    assert "private_key_pem" in json.loads(path.read_text())["keys"][0]
    assert "d" not in first.jwks()["keys"][0]  # the JWKS publishes public halves only


def test_production_must_be_given_its_keys(tmp_path):
    with pytest.raises(SigningKeysMissing):
        load_signing_keys(str(tmp_path / "absent.json"), generate_if_missing=False)


def test_after_rotation_old_tokens_verify_and_new_ones_use_the_new_key(sandbox_app, sandbox_client, sandbox_url):
    hub = hub_of(sandbox_app)
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    fresh = rotate_signing_keys(hub.settings.signing_keys_path)
    del hub.signing_keys  # what a restart does
    kids = [key["kid"] for key in sandbox_client.get("/.well-known/jwks.json").get_json()["keys"]]
    assert kids[0] == fresh.kid and len(kids) == 2
    assert sandbox_client.get("/v1/me", headers=maria.headers).status_code == 200
    import jwt

    again = sign_in(sandbox_client, sandbox_url, "maria")
    assert jwt.get_unverified_header(again.access_token)["kid"] == fresh.kid


def test_the_jwks_route_is_public():
    from api.auth.routes import jwks

    assert rule_of(jwks) == "public"


def test_sensitive_fields_are_not_stored_in_plaintext(sandbox_client, sandbox_url, db_session):
    sign_in(sandbox_client, sandbox_url, "maria")
    row = db_session.execute(
        text("SELECT birthdate_encrypted, ssn_last4_encrypted, email_hash, phone_hash FROM residents")
    ).one()
    raw = " ".join(str(value) for value in row)
    assert "1988-04-12" not in raw and "4821" not in raw and "3125550101" not in raw
    resident = db_session.scalar(select(Resident))
    cipher = hub_of(sandbox_client.application).field_cipher
    assert cipher.decrypt(resident.birthdate_encrypted) == "1988-04-12"
    assert cipher.decrypt(resident.ssn_last4_encrypted) == "4821"


def test_support_can_find_a_resident_by_exact_email_or_phone(sandbox_client, sandbox_url, db_session):
    sign_in(sandbox_client, sandbox_url, "maria")
    hasher = hub_of(sandbox_client.application).lookup_hasher
    by_email = db_session.scalar(
        select(Resident).where(Resident.email_hash == hasher.email(" Maria.Lopez@EXAMPLE.com"))
    )
    by_phone = db_session.scalar(select(Resident).where(Resident.phone_hash == hasher.phone("(312) 555-0101")))
    assert by_email is not None and by_email is by_phone
    assert LookupHasher("another-key").email("maria.lopez@example.com") != by_email.email_hash


def test_values_encrypted_with_an_old_key_still_decrypt_after_a_new_key_is_prepended(db_session):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    old = FieldCipher([old_key])
    resident = Resident(
        issuer="https://idp.test",
        subject="rotation",
        birthdate_encrypted=old.encrypt("1990-06-21"),
        ssn_last4_encrypted=old.encrypt("1188"),
    )
    db_session.add(resident)
    db_session.commit()
    rotated = FieldCipher([new_key, old_key])
    assert rotated.decrypt(resident.birthdate_encrypted) == "1990-06-21"
    assert reencrypt_resident_fields(db_session, rotated) == 1
    db_session.refresh(resident)
    assert FieldCipher([new_key]).decrypt(resident.ssn_last4_encrypted) == "1188"  # the old key may now go
    with pytest.raises(ValueError):
        old.decrypt(resident.ssn_last4_encrypted)
