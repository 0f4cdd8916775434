"""Residents: created on first sign-in keyed by (issuer, ``sub``), profile claims refreshed on every sign-in.

What is kept of the identity provider's claims: email and display name (shown back to the resident), given
and family name (the person index needs them to search again later), date of birth and SSN last four
encrypted at field level (same reason), and keyed hashes of email and phone for support's exact lookups.
``identity_verified`` is sticky: once the provider has proofed this account (an ``acr`` in
``settings.oidc_verified_acr``) a later basic sign-in does not unverify it, as the account stays proofed.
The ``locale`` claim only seeds a new resident's language; afterwards the resident's own choice wins.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.db import commits
from services.identity.field_crypto import FieldCipher, LookupHasher, normalise_phone
from services.models.identity import Resident
from services.texts.catalogue import texts


def _text(claims: dict[str, Any], name: str, limit: int) -> str | None:
    value = claims.get(name)
    if not isinstance(value, str):
        return None
    return value.strip()[:limit] or None


def _locale(claims: dict[str, Any]) -> str:
    """The claim's language as the catalogue has it (``es-MX`` → ``es`` while there is no ``es-MX`` folder)."""
    return texts().language_for(_text(claims, "locale", 16))


def resident_from_claims(
    session: Session,
    claims: dict[str, Any],
    *,
    verified: bool,
    cipher: FieldCipher,
    hasher: LookupHasher,
) -> Resident:
    """The resident these verified ID-token claims describe, created or refreshed."""
    issuer, subject = str(claims["iss"]), str(claims["sub"])
    resident = session.scalar(select(Resident).where(Resident.issuer == issuer, Resident.subject == subject))
    if resident is None:
        resident = Resident(issuer=issuer, subject=subject, locale=_locale(claims), identity_verified=False)
        session.add(resident)
    email = _text(claims, "email", 320)
    if email:
        resident.email = email
        resident.email_hash = hasher.email(email)
    if verified:
        resident.identity_verified = True
        resident.given_name = _text(claims, "given_name", 100)
        resident.family_name = _text(claims, "family_name", 100)
        resident.birthdate_encrypted = cipher.encrypt(_text(claims, "birthdate", 10))
        resident.ssn_last4_encrypted = cipher.encrypt(_text(claims, "ssn_last4", 4))
        phone = _text(claims, "phone_number", 32)
        if phone:
            resident.phone_hash = hasher.phone(phone) if normalise_phone(phone) else None
    display = _text(claims, "name", 200) or " ".join(filter(None, (resident.given_name, resident.family_name)))
    if display:
        resident.name = display
    session.flush()
    return resident


@commits
def reencrypt_resident_fields(session: Session, cipher: FieldCipher, *, batch_size: int = 500) -> int:
    """Re-encrypt every stored sensitive field under the newest key (after prepending one); return rows done.
    Commits each batch, so a rotation over every resident never holds one long transaction."""
    done = 0
    last_id = ""
    while True:
        rows = list(
            session.scalars(select(Resident).where(Resident.id > last_id).order_by(Resident.id).limit(batch_size))
        )
        if not rows:
            return done
        for resident in rows:
            resident.birthdate_encrypted = cipher.rotate(resident.birthdate_encrypted)
            resident.ssn_last4_encrypted = cipher.rotate(resident.ssn_last4_encrypted)
        session.commit()
        done += len(rows)
        last_id = rows[-1].id
