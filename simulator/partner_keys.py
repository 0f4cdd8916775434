"""The sandbox partner apps' signing keys (ES256, made when the sandbox starts) and what their receivers got."""

from __future__ import annotations

import collections
import hashlib
import secrets
import threading
import time

import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

SANDBOX_PARTNERS = ("sandbox-partner-dhs", "sandbox-partner-hfs")
ASSERTION_SECONDS = 120
KEEP_CALLBACKS = 200


class PartnerKeys:
    """One ES256 key per sandbox partner app, and the callbacks each app's receiver got."""

    def __init__(self) -> None:
        self._keys = {client_id: ec.generate_private_key(ec.SECP256R1()) for client_id in SANDBOX_PARTNERS}
        self._lock = threading.Lock()
        self.received: dict[str, collections.deque] = {
            client_id: collections.deque(maxlen=KEEP_CALLBACKS) for client_id in SANDBOX_PARTNERS
        }

    def kid(self, client_id: str) -> str:
        public = self._keys[client_id].public_key().public_numbers()
        return hashlib.sha256(f"{client_id}:{public.x}:{public.y}".encode()).hexdigest()[:16]

    def jwks(self, client_id: str) -> dict:
        jwk = ECAlgorithm.to_jwk(self._keys[client_id].public_key(), as_dict=True)
        return {"keys": [{**jwk, "kid": self.kid(client_id), "use": "sig", "alg": "ES256"}]}

    def assertion(self, client_id: str, audience: str) -> str:
        now = int(time.time())
        claims = {
            "iss": client_id,
            "sub": client_id,
            "aud": audience,
            "iat": now,
            "exp": now + ASSERTION_SECONDS,
            "jti": secrets.token_urlsafe(16),
        }
        return jwt.encode(claims, self._keys[client_id], algorithm="ES256", headers={"kid": self.kid(client_id)})

    def keep(self, client_id: str, entry: dict) -> None:
        with self._lock:
            self.received[client_id].appendleft(entry)
