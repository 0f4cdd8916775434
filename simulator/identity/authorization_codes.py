"""Authorization codes: single use, short-lived, bound to client, redirect URI and the PKCE S256 challenge."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import threading
from dataclasses import dataclass

CODE_SECONDS = 60
VERIFIER = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")


class InvalidGrant(Exception):
    """Maps to RFC 6749 `invalid_grant`; the message is the error_description."""


def s256_challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    code_challenge: str
    handle: str
    nonce: str | None
    expires_at: int
    used: bool = False


class AuthorizationCodes:
    def __init__(self) -> None:
        self._grants: dict[str, Grant] = {}
        self._lock = threading.Lock()

    def issue(self, grant: Grant) -> str:
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._grants[code] = grant
        return code

    def redeem(self, code: str, *, client_id: str, redirect_uri: str, verifier: str, now: int) -> Grant:
        with self._lock:
            grant = self._grants.get(code)
            if grant is None:
                raise InvalidGrant("unknown authorization code")
            if grant.used:
                raise InvalidGrant("authorization code already used")
            grant.used = True  # any attempt spends the code, as a stolen code must not be retried
            self._grants = {c: g for c, g in self._grants.items() if g.expires_at >= now or c == code}
        if now > grant.expires_at:
            raise InvalidGrant("authorization code expired")
        if grant.client_id != client_id or grant.redirect_uri != redirect_uri:
            raise InvalidGrant("authorization code was issued to another client or redirect_uri")
        if not VERIFIER.match(verifier or "") or s256_challenge(verifier) != grant.code_challenge:
            raise InvalidGrant("code_verifier does not match the code_challenge")
        return grant
