"""The hub's own tokens: short-lived access JWTs (ES256, ``kid``, audience = the app) and opaque refresh tokens.

An access token says who (``sub``: resident id or staff subject), for which app (``aud``), which session
(``sid``) and which kind of principal (``kind``: ``resident``, ``staff`` or ``partner``, whose tokens carry ``scope``). Refresh tokens are random strings;
only their SHA-256 is stored.
"""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
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


def decode_access_token(keys: SigningKeys, token: str, *, issuer: str) -> AccessClaims:
    """Check signature (by ``kid``), algorithm, issuer and lifetime; the caller checks audience and session."""
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
            key.private_key.public_key(),
            algorithms=[ALGORITHM],
            issuer=issuer,
            leeway=LEEWAY_SECONDS,
            options={"verify_aud": False, "require": ["iss", "sub", "aud", "exp", "iat", "sid", "kind"]},
        )
    except jwt.ExpiredSignatureError:
        raise AccessTokenInvalid("The access token has expired; refresh it.") from None
    except jwt.InvalidTokenError:
        raise AccessTokenInvalid("The access token is not valid.") from None
    return AccessClaims(
        subject=str(claims["sub"]),
        kind=str(claims["kind"]),
        session_id=str(claims["sid"]),
        client_id=str(claims["aud"]),
        roles=tuple(claims.get("roles") or ()),
        scopes=tuple(str(claims.get("scope") or "").split()),
    )


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def hash_refresh_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
