"""Hub sessions (one per device or staff sign-in) and their tokens: issue, refresh with rotation, revoke.

A refresh token is used once: each use marks it used and issues the next one in the same session (its
family). Presenting a token that was already used means two parties hold it, so the whole session is revoked
and a security event is logged (with ids only). Revoking a session makes its access tokens fail on their next
request, because every authenticated request looks the session up by primary key.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable
from enum import StrEnum

from sqlalchemy import Row, Select, bindparam, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from services import clock, devices
from services.db import commits
from services.errors import NotFound
from services.identity import hub_tokens
from services.identity.refusals import INVALID_GRANT, OAuthError
from services.identity.signing_keys import SigningKeys
from services.models.identity import HubSession, RefreshToken
from services.pagination import Page, keyset_page

security_log = logging.getLogger("hub.security")


class RevokeReason(StrEnum):
    """Why a session ended (``hub_sessions.revoked_reason``)."""

    RESIDENT = "resident"  # the resident signed one device out (``DELETE /v1/me/sessions/{id}``)
    LOGOUT = "logout"  # the session's own app logged out
    SUPPORT = "support"  # support signed the resident out everywhere
    REFRESH_TOKEN_REUSE = "refresh_token_reuse"  # noqa: S105  (a used refresh token came back: two hold it)
    APP_SUSPENDED = "app_suspended"  # an operator suspended the session's app (``flask apps suspend``)


@dataclasses.dataclass(frozen=True)
class TokenSettings:
    issuer: str
    access_ttl_seconds: int
    refresh_ttl_days: int


@dataclasses.dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    refresh_token: str
    expires_in: int
    session_id: str


class SessionInvalid(Exception):
    """The access token's session is gone, revoked, or not the one the token claims."""


def open_session(
    session: Session,
    *,
    kind: str,
    client_id: str,
    resident_id: str | None = None,
    staff_subject: str | None = None,
    staff_name: str | None = None,
    staff_roles: tuple[str, ...] = (),
    device_label: str | None = None,
    user_agent: str | None = None,
) -> HubSession:
    hub_session = HubSession(
        kind=kind,
        client_id=client_id,
        resident_id=resident_id,
        staff_subject=staff_subject,
        staff_name=staff_name,
        staff_roles=list(staff_roles),
        device_label=(device_label or None) and device_label[:100],
        user_agent=(user_agent or None) and user_agent[:255],
    )
    session.add(hub_session)
    session.flush()
    return hub_session


def issue_tokens(session: Session, hub_session: HubSession, keys: SigningKeys, config: TokenSettings) -> IssuedTokens:
    """A fresh access token and the session's next refresh token."""
    access = hub_tokens.issue_access_token(
        keys,
        issuer=config.issuer,
        subject=str(session_principal(hub_session)),
        kind=hub_session.kind,
        session_id=hub_session.id,
        client_id=hub_session.client_id,
        ttl_seconds=config.access_ttl_seconds,
        roles=tuple(hub_session.staff_roles or ()),
    )
    refresh = hub_tokens.new_refresh_token()
    session.add(
        RefreshToken(
            session_id=hub_session.id,
            token_hash=hub_tokens.hash_refresh_token(refresh),
            expires_at=clock.now() + dt.timedelta(days=config.refresh_ttl_days),
        )
    )
    hub_session.last_seen_at = clock.now()
    session.flush()
    return IssuedTokens(access, refresh, config.access_ttl_seconds, hub_session.id)


@commits
def refresh_session(
    session: Session, refresh_token: str, *, client_id: str, keys: SigningKeys, config: TokenSettings
) -> IssuedTokens:
    """Rotate ``refresh_token``; a reused one revokes its whole session. Commits either way: the revocation must
    stay written although the request fails, and new tokens leave only once their refresh token is stored."""
    row = session.scalar(
        select(RefreshToken).where(RefreshToken.token_hash == hub_tokens.hash_refresh_token(refresh_token))
    )
    if row is None:
        raise OAuthError(INVALID_GRANT, "The refresh token is not one this hub issued.")
    hub_session = session.get(HubSession, row.session_id)
    if hub_session is None or hub_session.client_id != client_id:
        raise OAuthError(INVALID_GRANT, "The refresh token was issued to another app.")
    if hub_session.revoked_at is not None:
        raise OAuthError(INVALID_GRANT, "The session has ended; sign in again.")
    now = clock.now()
    # Spend the token atomically: of two concurrent uses, exactly one wins; the other is a reuse.
    spent = session.execute(
        update(RefreshToken)
        .where(RefreshToken.id == row.id, RefreshToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if spent != 1:
        revoke_session(session, hub_session, RevokeReason.REFRESH_TOKEN_REUSE)
        session.commit()
        security_log.warning(
            "refresh token reused; session revoked",
            extra={
                "security_event": RevokeReason.REFRESH_TOKEN_REUSE,
                "session_id": hub_session.id,
                "resident_id": hub_session.resident_id,
                "client_id": hub_session.client_id,
            },
        )
        raise OAuthError(INVALID_GRANT, "The refresh token was already used; the session has been ended.")
    if row.expires_at < now:
        session.commit()
        raise OAuthError(INVALID_GRANT, "The refresh token has expired; sign in again.")
    issued = issue_tokens(session, hub_session, keys, config)
    session.commit()
    return issued


def session_id_of_refresh_token(session: Session, refresh_token: str) -> str | None:
    """The session a refresh token belongs to (used or not), or ``None``: what per-session refresh limits count."""
    return session.scalar(
        select(RefreshToken.session_id).where(RefreshToken.token_hash == hub_tokens.hash_refresh_token(refresh_token))
    )


def revoke_session(session: Session, hub_session: HubSession, reason: RevokeReason) -> None:
    """End ``hub_session`` now (idempotent)."""
    if hub_session.revoked_at is None:
        hub_session.revoked_at = clock.now()
        hub_session.revoked_reason = reason
    devices.deactivate_for_session(session, hub_session.id)  # a signed-out phone gets no more pushes
    session.flush()


def revoke_resident_sessions(session: Session, resident_id: str, reason: RevokeReason) -> int:
    """End every live session of a resident ("sign out everywhere"); return how many."""
    result = session.execute(
        update(HubSession)
        .where(HubSession.resident_id == resident_id, HubSession.revoked_at.is_(None))
        .values(revoked_at=clock.now(), revoked_reason=reason)
        .execution_options(synchronize_session="fetch")
    )
    devices.deactivate_for_resident(session, resident_id)  # signed out everywhere: no more pushes anywhere
    return result.rowcount


def session_principal(hub_session: HubSession) -> str | None:
    """Who a session belongs to, as its access tokens name it in ``sub``: the resident id or the staff subject."""
    return hub_session.resident_id if hub_session.kind == "resident" else hub_session.staff_subject


# Columns, not the ORM entity: the check runs on every authenticated request, and a row needs no identity map.
_LIVE_SESSION = select(
    HubSession.id,
    HubSession.kind,
    HubSession.client_id,
    HubSession.resident_id,
    HubSession.staff_subject,
    HubSession.staff_name,
    HubSession.staff_roles,
    HubSession.revoked_at,
).where(HubSession.id == bindparam("session_id"))


def active_session(connection: Connection, claims: hub_tokens.AccessClaims) -> Row:
    """``active_session_rows``' session row."""
    return active_session_rows(connection, claims)[0]


def session_lookup(joined: Callable[[Select], Select] | None = None) -> Select:
    """The session's primary-key lookup, or that statement extended by ``joined`` (more columns and outer joins
    on ``hub_sessions``, built once per route): a read then gets what it needs in the same statement."""
    return _LIVE_SESSION if joined is None else joined(_LIVE_SESSION)


def active_session_rows(
    connection: Connection, claims: hub_tokens.AccessClaims, statement: Select = _LIVE_SESSION
) -> list[Row]:
    """The live session behind an access token: one primary-key lookup (this is what makes revocation instant).

    Every claim that names the session's owner must agree with the session: kind, app and ``sub``. A token
    whose ``sub`` is someone else is refused even though its ``sid`` is live, so a token can never speak for one
    principal while holding another's session (used by every authenticated request and by single sign-on).
    The answer is read-only rows of the session's columns (``id``, ``kind``, ``client_id``, ``resident_id``, ``staff_*``,
    ``revoked_at``), one, or more when ``statement`` (``session_lookup``) joins rows to it: no ORM entity, no
    identity map.
    """
    rows = connection.execute(statement, {"session_id": claims.session_id}).all()
    hub_session = rows[0] if rows else None
    if hub_session is None or hub_session.revoked_at is not None:
        raise SessionInvalid("The session has ended; sign in again.")
    principal = session_principal(hub_session)
    if (
        hub_session.kind != claims.kind
        or hub_session.client_id != claims.client_id
        or principal is None
        or claims.subject != principal
    ):
        raise SessionInvalid("The access token does not belong to its session.")
    return rows


def _resident_sessions(resident_id: str, *, live_only: bool) -> Select:
    stmt = select(HubSession).where(HubSession.resident_id == resident_id)
    return stmt.where(HubSession.revoked_at.is_(None)) if live_only else stmt


def resident_sessions_page(
    session: Session, resident_id: str, *, limit: int, after: dict | None, live_only: bool = True
) -> Page:
    """A resident's sessions, newest first, one keyset page at a time."""
    return keyset_page(
        session,
        _resident_sessions(resident_id, live_only=live_only),
        key=[HubSession.created_at, HubSession.id],
        limit=limit,
        after=after,
    )


def resident_session(session: Session, resident_id: str, session_id: str) -> HubSession:
    """One of the resident's own sessions; anyone else's is simply not found."""
    hub_session = session.get(HubSession, session_id)
    if hub_session is None or hub_session.resident_id != resident_id:
        raise NotFound("There is no such session.")
    return hub_session
