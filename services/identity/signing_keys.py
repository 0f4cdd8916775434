"""The hub's token signing keys: several verify, the first one signs, each has a ``kid``.

Keys live in a JSON file (``settings.signing_keys_path``): ``{"keys": [{"kid", "alg", "private_key_pem",
"created_at"}, ...]}``, newest first. In development and test a missing file is generated (one ES256 key) and
persisted, so tokens survive a restart; in production the file must be provided (a missing file refuses to
start rather than minting keys no other instance knows). Rotation: ``flask identity rotate-signing-key``
prepends a new key; the old one keeps verifying until it is dropped after the access-token lifetime.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

from services import clock

ALGORITHM = "ES256"


class SigningKeysMissing(RuntimeError):
    """Staging or production was started without a signing key file."""


@dataclasses.dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: ec.EllipticCurvePrivateKey
    created_at: str

    @functools.cached_property
    def public_key(self) -> ec.EllipticCurvePublicKey:
        """Derived once per key (every access token check verifies with it)."""
        return self.private_key.public_key()

    @property
    def public_jwk(self) -> dict[str, Any]:
        jwk = ECAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        return {**jwk, "kid": self.kid, "alg": ALGORITHM, "use": "sig"}

    def to_json(self) -> dict[str, str]:
        pem = self.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        return {"kid": self.kid, "alg": ALGORITHM, "private_key_pem": pem.decode(), "created_at": self.created_at}


def new_signing_key() -> SigningKey:
    private_key = ec.generate_private_key(ec.SECP256R1())
    public = private_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    kid = base64.urlsafe_b64encode(hashlib.sha256(public).digest()).rstrip(b"=").decode()[:16]
    return SigningKey(kid, private_key, clock.now().isoformat())


class SigningKeys:
    def __init__(self, keys: list[SigningKey]) -> None:
        if not keys:
            raise ValueError("at least one signing key is needed")
        self.keys = list(keys)
        self._by_kid = {key.kid: key for key in keys}

    @property
    def signing(self) -> SigningKey:
        return self.keys[0]

    def verifying(self, kid: str | None) -> SigningKey | None:
        return self._by_kid.get(kid) if kid else None

    def jwks(self) -> dict[str, list[dict[str, Any]]]:
        return {"keys": [key.public_jwk for key in self.keys]}

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> SigningKeys:
        keys = []
        for entry in document["keys"]:
            if entry.get("alg", ALGORITHM) != ALGORITHM:
                raise ValueError(f"signing key {entry.get('kid')!r} is not {ALGORITHM}")
            private_key = serialization.load_pem_private_key(entry["private_key_pem"].encode(), password=None)
            if not isinstance(private_key, ec.EllipticCurvePrivateKey):
                raise ValueError(f"signing key {entry.get('kid')!r} is not an EC key")
            keys.append(SigningKey(entry["kid"], private_key, entry.get("created_at", "")))
        return cls(keys)

    def to_json(self) -> dict[str, Any]:
        return {"keys": [key.to_json() for key in self.keys]}


def load_signing_keys(path: str, *, generate_if_missing: bool) -> SigningKeys:
    file = Path(path)
    if file.exists():
        return SigningKeys.from_json(json.loads(file.read_text()))
    if not generate_if_missing:
        raise SigningKeysMissing(
            f"SIGNING_KEYS_PATH: no signing keys at {path} (staging and production never make one)"
        )
    write_signing_keys(path, SigningKeys([new_signing_key()]), exclusive=True)
    return SigningKeys.from_json(json.loads(file.read_text()))


def write_signing_keys(path: str, keys: SigningKeys, *, exclusive: bool = False) -> None:
    """Write atomically with owner-only permissions (the file holds private keys). ``exclusive`` leaves an
    existing file alone, so two processes generating at once end up sharing whichever key landed first."""
    file = Path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    temporary = file.with_name(f".{file.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(keys.to_json(), handle, indent=2)
    if not exclusive:
        os.replace(temporary, file)
        return
    try:
        os.link(temporary, file)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()


def rotate_signing_keys(path: str, *, keep: int = 3) -> SigningKey:
    """Prepend a fresh signing key, keeping at most ``keep`` keys in all; return the new key."""
    current = load_signing_keys(path, generate_if_missing=False)
    fresh = new_signing_key()
    write_signing_keys(path, SigningKeys([fresh, *current.keys][:keep]))
    return fresh
