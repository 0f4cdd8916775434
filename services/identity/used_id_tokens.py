"""Each identity provider's ID token signs someone in once.

An ID token is a bearer credential for as long as it is valid (ten minutes or so): whoever holds it could
exchange it again for another session. So every token that signs someone in (token exchange by a resident
app or the support console, and the token the hub itself redeems as the PKCE broker) is recorded by its
``jti`` (with the issuer), or by a hash of the whole token when the provider gave it none, until it expires
(plus the verification leeway); a second use is refused with ``invalid_grant``. The record is an insert on a
primary key, so of two concurrent uses exactly one wins. ``identity.prune_used_id_tokens`` deletes records
whose token can no longer verify anyway.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services import clock
from services.background import job
from services.hub import Hub
from services.identity.id_tokens import LEEWAY_SECONDS
from services.identity.refusals import INVALID_GRANT, OAuthError
from services.models.identity import UsedIdToken

PRUNE_EVERY_SECONDS = 3600


def token_key(claims: dict[str, Any], token: str) -> str:
    """The replay handle of a verified ID token: its issuer and ``jti``, else the token itself, hashed."""
    jti = claims.get("jti")
    handle = f"jti\n{claims.get('iss')}\n{jti}" if isinstance(jti, str) and jti else f"token\n{token}"
    return hashlib.sha256(handle.encode("utf-8", "surrogatepass")).hexdigest()


def spend_id_token(session: Session, claims: dict[str, Any], token: str) -> None:
    """Record ``token`` (already verified) as used, or refuse it if it was; the caller's commit makes it stick.

    If the sign-in fails after this and rolls back, the token was not used and may be tried again.
    """
    expires_at = dt.datetime.fromtimestamp(float(claims["exp"]), dt.UTC) + dt.timedelta(seconds=LEEWAY_SECONDS)
    try:
        with session.begin_nested():
            session.add(UsedIdToken(token_key=token_key(claims, token), expires_at=expires_at, used_at=clock.now()))
    except IntegrityError:
        raise OAuthError(
            INVALID_GRANT, "This ID token has already been used to sign in; sign in at the identity provider again."
        ) from None


def prune_used_id_tokens(session: Session) -> int:
    """Forget tokens that have expired (they fail verification now anyway); return how many."""
    return session.execute(delete(UsedIdToken).where(UsedIdToken.expires_at < clock.now())).rowcount or 0


@job("identity.prune_used_id_tokens", every_seconds=PRUNE_EVERY_SECONDS)
def prune_used_id_tokens_job(hub: Hub) -> int:
    with hub.session() as session:
        pruned = prune_used_id_tokens(session)
        session.commit()
    return pruned
