"""RS256 signing keys with rotation: the signer, the next key (pre-published) and the previous one (still trusted)."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from dataclasses import dataclass

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: rsa.RSAPrivateKey
    public_jwk: dict


def new_signing_key() -> SigningKey:
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = RSAAlgorithm.to_jwk(private_key.public_key(), as_dict=True)
    canonical = json.dumps({k: jwk[k] for k in ("e", "kty", "n")}, separators=(",", ":"), sort_keys=True)
    kid = base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()[:16]
    return SigningKey(kid, private_key, {**jwk, "kid": kid, "use": "sig", "alg": "RS256"})


class KeyRing:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._current, self._next = new_signing_key(), new_signing_key()
        self._previous: SigningKey | None = None

    def rotate(self) -> str:
        """The next key signs from now on; a fresh next key is made; the old signer stays published."""
        fresh = new_signing_key()
        with self._lock:
            self._previous, self._current, self._next = self._current, self._next, fresh
            return self._current.kid

    def jwks(self) -> dict:
        with self._lock:
            keys = [self._current, self._next] + ([self._previous] if self._previous else [])
        return {"keys": [key.public_jwk for key in keys]}

    def sign(self, claims: dict) -> str:
        with self._lock:
            key = self._current
        return jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid, "typ": "JWT"})
