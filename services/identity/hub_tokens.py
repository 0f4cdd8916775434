"""The hub's own tokens: short-lived access JWTs (ES256, ``kid``, audience = the app) and opaque refresh tokens.

An access token says who (``sub``: resident id or staff subject), for which app (``aud``), which session
(``sid``) and which kind of principal (``kind``: ``resident``, ``staff`` or ``partner``, whose tokens carry ``scope``). Refresh tokens are random strings;
only their SHA-256 is stored.
"""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
import threading
from typing import Any

import jwt

from services import clock
from services.identity.signing_keys import ALGORITHM, SigningKeys

LEEWAY_SECONDS = 30


class AccessTokenInvalid(Exception):
    """The bearer token is not a valid hub access token; the message is safe to show."""


@dataclasses.dataclass(frozen=True)
class AccessClaims:
    subject: str
    kind: str
    session_id: str
    client_id: str
    roles: tuple[str, ...] = ()
    key_id: str | None = None  # the signing key's kid: a token of a key that was rotated out is checked afresh
    scopes: tuple[str, ...] = ()


def issue_access_token(
    keys: SigningKeys,
    *,
    issuer: str,
    subject: str,
    kind: str,
    session_id: str,
    client_id: str,
    ttl_seconds: int,
    roles: tuple[str, ...] = (),
    extra: dict[str, Any] | None = None,
) -> str:
    now = int(clock.now().timestamp())
    claims: dict[str, Any] = {
        "iss": issuer,
        "sub": subject,
        "aud": client_id,
        "iat": now,
        "nbf": now,
        "exp": now + ttl_seconds,
        "jti": secrets.token_hex(8),
        "sid": session_id,
        "kind": kind,
    }
    if roles:
        claims["roles"] = list(roles)
    claims.update(extra or {})
    key = keys.signing
    return jwt.encode(claims, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid, "typ": "at+jwt"})


class _Verified:
    """Tokens whose signature and claims this process already checked, with their lifetime: a phone presents
    the same access token on every request for its lifetime, and checking an ES256 signature is most of a
    read's authentication. Keyed by the whole token (an altered byte is another key, verified afresh); the
    lifetime is checked again on every use, and the session on every request by the caller, so revocation stays
    instant. Bounded: the oldest entries go first."""

    def __init__(self, size: int = 20_000) -> None:
        self.size = size
        self._entries: dict[tuple[str, str, int], tuple[AccessClaims, float, float]] = {}
        self._lock = threading.Lock()

    def get(self, keys: SigningKeys, token: str, issuer: str) -> AccessClaims | None:
        entry = self._entries.get((token, issuer, id(keys)))
        if entry is None:
            return None
        claims, not_before, expires = entry
        now = clock.now().timestamp()
        if now > expires + LEEWAY_SECONDS or now < not_before - LEEWAY_SECONDS:
            return None  # verified afresh: pyjwt says why it is refused
        return claims

    def put(self, keys: SigningKeys, token: str, issuer: str, claims: AccessClaims, raw: dict[str, Any]) -> None:
        not_before = float(raw.get("nbf", raw.get("iat", 0)))
        with self._lock:
            if len(self._entries) >= self.size:
                for key in list(self._entries)[: self.size // 10]:
                    del self._entries[key]
            self._entries[(token, issuer, id(keys))] = (claims, not_before, float(raw["exp"]))


_verified = _Verified()


def decode_access_token(keys: SigningKeys, token: str, *, issuer: str) -> AccessClaims:
    """Check signature (by ``kid``), algorithm, issuer and lifetime; the caller checks audience and session."""
    cached = _verified.get(keys, token, issuer)
    if cached is not None and keys.verifying(cached.key_id) is not None:
        return cached
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError:
        raise AccessTokenInvalid("The access token is malformed.") from None
    key = keys.verifying(header.get("kid"))
    if key is None or header.get("alg") != ALGORITHM:
        raise AccessTokenInvalid("The access token was not signed by this hub.")
    try:
        claims = jwt.decode(
            token,
            key.public_key,
            algorithms=[ALGORITHM],
            issuer=issuer,
            leeway=LEEWAY_SECONDS,
            options={"verify_aud": False, "require": ["iss", "sub", "aud", "exp", "iat", "sid", "kind"]},
        )
    except jwt.ExpiredSignatureError:
        raise AccessTokenInvalid("The access token has expired; refresh it.") from None
    except jwt.InvalidTokenError:
        raise AccessTokenInvalid("The access token is not valid.") from None
    verified = AccessClaims(
        subject=str(claims["sub"]),
        kind=str(claims["kind"]),
        session_id=str(claims["sid"]),
        client_id=str(claims["aud"]),
        roles=tuple(claims.get("roles") or ()),
        key_id=key.kid,
        scopes=tuple(str(claims.get("scope") or "").split()),
    )
    _verified.put(keys, token, issuer, verified, claims)
    return verified


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def hash_refresh_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
