"""Field-level encryption of sensitive attributes and keyed hashes for exact-match lookups.

``FieldCipher`` wraps ``MultiFernet`` over ``settings.field_encryption_keys`` (newest first): the first key
encrypts, every key decrypts, so rotation is "prepend a new key, run ``flask identity rotate-field-keys``,
then drop the old key". ``LookupHasher`` is an HMAC-SHA256 of a normalised value, so support can find a
resident by email or phone without the hub holding a searchable plaintext copy.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class FieldCipher:
    def __init__(self, keys: tuple[str, ...] | list[str]) -> None:
        if not keys:
            raise ValueError("at least one field encryption key is needed")
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    def encrypt(self, value: str | None) -> str | None:
        return None if value is None else self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, token: str | None) -> str | None:
        """The plaintext, or a ``ValueError`` if no configured key opens it (never the ciphertext itself)."""
        if token is None:
            return None
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise ValueError("no configured field encryption key decrypts this value") from None

    def rotate(self, token: str | None) -> str | None:
        """Re-encrypt ``token`` under the newest key (keeps its original timestamp)."""
        return None if token is None else self._fernet.rotate(token.encode()).decode()


def normalise_email(email: str) -> str:
    return email.strip().casefold()


def normalise_phone(phone: str) -> str:
    """Digits only, with a US country code when ten digits were given: ``(312) 555-0101`` → ``13125550101``."""
    digits = re.sub(r"\D", "", phone)
    return "1" + digits if len(digits) == 10 else digits


class EmptyIdentifier(ValueError):
    """The value normalises to nothing, so it identifies no one and must never be hashed or looked up."""


class LookupHasher:
    """Keyed hashes of normalised identifiers. An identifier that normalises to nothing (``"-------"`` as a
    phone, spaces as an email) raises ``EmptyIdentifier``: there is no hash of "nothing", so no lookup can be
    built that matches rows without the identifier (``IS NULL``) or that share one "empty" hash."""

    def __init__(self, key: str) -> None:
        self._key = key.encode()

    def _hash(self, kind: str, value: str) -> str:
        if not value:
            raise EmptyIdentifier(f"the {kind} normalises to nothing")
        return hmac.new(self._key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()

    def email(self, email: str) -> str:
        return self._hash("email", normalise_email(email or ""))

    def phone(self, phone: str) -> str:
        return self._hash("phone", normalise_phone(phone or ""))

    def case(self, agency: str, case_number: str) -> str:
        """A case as link throttling counts it, without storing its number."""
        number = (case_number or "").strip().upper()
        return self._hash("case", f"{agency.strip().upper()}:{number}" if number else "")
