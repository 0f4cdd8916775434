"""Client credentials for partner apps: a signed assertion (RFC 7523 ``private_key_jwt``) in, a short-lived
partner access token out.

The assertion must be a JWT signed with RS256 or ES256 by a key in the app's JWKS, with ``iss`` = ``sub`` =
the client id, ``aud`` = the hub's token URL, ``exp`` at most 5 minutes ahead, and a ``jti`` not seen before
(kept in ``used_id_tokens`` like ID tokens, under a key of its own, until the assertion expires). Every
refusal is ``invalid_client`` (401; RFC 7523 §3.2: the client's authentication failed) with a detail that says
what was wrong, except a scope the app was not granted (``invalid_scope``, 400).

The partner access token is one of the hub's ES256 tokens of ``kind`` ``partner``: ``sub`` = ``aud`` = the
client id, ``scope`` the granted scopes, ``sid`` a fresh id (partner tokens have no session: suspension is
checked on every request instead). It lives ``PARTNER_TOKEN_TTL_SECONDS`` (5 minutes, never more) and is
never accepted on resident or staff routes, nor their tokens on partner routes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import secrets

import jwt
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services import clock
from services.identity.hub_tokens import issue_access_token
from services.identity.refusals import INVALID_CLIENT, OAuthError
from services.identity.signing_keys import SigningKeys
from services.models.identity import UsedIdToken
from services.models.partners import PartnerApp
from services.partner.keys import ALGORITHMS, JwksUnavailable, PartnerKeySets, find_key

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
INVALID_SCOPE = "invalid_scope"
MAX_ASSERTION_LIFETIME = 300
LEEWAY_SECONDS = 30
PARTNER_KIND = "partner"


@dataclasses.dataclass(frozen=True)
class PartnerToken:
    access_token: str
    expires_in: int
    scopes: tuple[str, ...]


def _refuse(detail: str) -> OAuthError:
    return OAuthError(INVALID_CLIENT, detail)


def claimed_client(assertion: str) -> str | None:
    """The ``iss`` an assertion claims, unverified (to name the app in the audit log of a refusal)."""
    try:
        issuer = jwt.decode(assertion, options={"verify_signature": False}).get("iss")
    except jwt.InvalidTokenError:
        return None
    return issuer[:64] if isinstance(issuer, str) and issuer else None


def verify_assertion(
    session: Session, key_sets: PartnerKeySets, assertion: str, *, token_url: str, client_id: str | None
) -> PartnerApp:
    """The partner app the assertion authenticates, its ``jti`` now spent; else ``OAuthError(invalid_client)``.

    The unverified read below only chooses which registered app, and so which key, to verify with; nothing it says
    is trusted until the signed claims are decoded with that key, which checks ``iss`` against the app again and
    ``sub`` after it."""
    try:
        header = jwt.get_unverified_header(assertion)
        unverified = jwt.decode(assertion, options={"verify_signature": False})
    except jwt.InvalidTokenError:
        raise _refuse("The client_assertion is not a well-formed JWT.") from None
    alg = header.get("alg")
    if alg not in ALGORITHMS.values():
        raise _refuse("The client_assertion must be signed with RS256 or ES256.")
    issuer, subject = unverified.get("iss"), unverified.get("sub")
    if not isinstance(issuer, str) or not issuer or issuer != subject:
        raise _refuse("The client_assertion's iss and sub must both be the client id.")
    if client_id is not None and client_id != issuer:
        raise _refuse("client_id and the client_assertion's iss differ.")
    app = session.get(PartnerApp, issuer) if len(issuer) <= 64 else None  # never a prefix of a longer claim
    if app is None:
        raise _refuse("The client id is not a registered partner app.")
    if app.suspended:
        raise _refuse("This partner app is suspended; ask the hub's administrators.")
    key = _key(app, key_sets, header.get("kid"), alg)
    try:
        claims = jwt.decode(
            assertion,
            key.key,
            algorithms=[alg],
            audience=token_url,
            issuer=app.client_id,
            leeway=LEEWAY_SECONDS,
            options={"require": ["iss", "sub", "aud", "exp", "jti"]},
        )
    except jwt.ExpiredSignatureError:
        raise _refuse("The client_assertion has expired; make a new one for each token request.") from None
    except jwt.InvalidAudienceError:
        raise _refuse(f"The client_assertion's aud must be the token URL, {token_url}.") from None
    except jwt.MissingRequiredClaimError as error:
        raise _refuse(f"The client_assertion has no {error.claim} claim.") from None
    except jwt.ImmatureSignatureError:
        raise _refuse("The client_assertion's nbf or iat is in the future; check your system's clock.") from None
    except jwt.InvalidSignatureError:
        raise _refuse("The client_assertion's signature does not verify with the app's registered key.") from None
    except jwt.InvalidTokenError:
        raise _refuse("The client_assertion is not valid.") from None
    if claims.get("sub") != app.client_id:
        raise _refuse("The client_assertion's iss and sub must both be the client id.")
    now = clock.now().timestamp()
    if not isinstance(claims["exp"], int | float) or claims["exp"] - now > MAX_ASSERTION_LIFETIME + LEEWAY_SECONDS:
        raise _refuse("The client_assertion's exp must be at most 5 minutes ahead.")
    if not isinstance(claims["jti"], str) or not 1 <= len(claims["jti"]) <= 255:
        raise _refuse("The client_assertion's jti must be a string of 1 to 255 characters.")
    _spend(session, app.client_id, claims)
    return app


def _key(app: PartnerApp, key_sets: PartnerKeySets, kid, alg: str):
    if kid is not None and not isinstance(kid, str):
        raise _refuse("The client_assertion's kid must be a string.")
    if app.jwks is not None:
        key = find_key(app.jwks, kid, alg)
    else:
        try:
            key = key_sets.key_for(app.jwks_url or "", kid, alg)
        except JwksUnavailable:
            raise _refuse("The app's JWKS URL did not answer with a usable key set.") from None
    if key is None:
        raise _refuse(f"The client_assertion was signed with a key ({alg}, kid {kid!r}) not in the app's JWKS.")
    return key


def _spend(session: Session, client_id: str, claims: dict) -> None:
    handle = f"partner-assertion\n{client_id}\n{claims['jti']}"
    key = hashlib.sha256(handle.encode("utf-8", "surrogatepass")).hexdigest()
    expires_at = dt.datetime.fromtimestamp(float(claims["exp"]), dt.UTC) + dt.timedelta(seconds=LEEWAY_SECONDS)
    try:
        with session.begin_nested():
            session.add(UsedIdToken(token_key=key, expires_at=expires_at, used_at=clock.now()))
    except IntegrityError:
        raise _refuse("This client_assertion's jti was already used; sign a new assertion for each request.") from None


def granted_scopes(app: PartnerApp, requested: str | None) -> tuple[str, ...]:
    """The scopes to put in the token: those asked for (space-separated), each granted to the app; all if none."""
    granted = tuple(app.scopes or ())
    if not requested or not requested.strip():
        return granted
    wanted = tuple(dict.fromkeys(requested.split()))
    missing = [scope for scope in wanted if scope not in granted]
    if missing:
        raise OAuthError(INVALID_SCOPE, f"Not granted to this app: {', '.join(missing)}.", errors={"scope": missing})
    return wanted


def issue_partner_token(
    keys: SigningKeys, app: PartnerApp, scopes: tuple[str, ...], *, issuer: str, ttl_seconds: int
) -> PartnerToken:
    ttl = min(ttl_seconds, MAX_ASSERTION_LIFETIME)
    token = issue_access_token(
        keys,
        issuer=issuer,
        subject=app.client_id,
        kind=PARTNER_KIND,
        session_id=f"partner-{secrets.token_hex(8)}",
        client_id=app.client_id,
        ttl_seconds=ttl,
        extra={"scope": " ".join(scopes)},
    )
    return PartnerToken(token, ttl, scopes)
