"""Operators' changes to app registrations (``flask apps add|list|suspend|resume``), each in the audit log.

An app registration (``app_clients``) decides which client ids may hold which kind of hub token. Operators add
resident apps (a state's phone apps) and staff apps (support consoles); partner apps come with the partner API
(``flask apps add-partner``), which registers what a partner needs besides. Suspending an app stops it at once:
its registration is inactive (new sign-ins refused; every process's ``AppRegistry`` notices within its cache
time), and every live session it holds is revoked (their access tokens stop on the next request, their refresh
tokens are dead, and the phones they registered get no more pushes). Resuming lets it sign people in again; the
sessions it lost stay ended. Nothing is deleted: an app's history (sessions, audit events) keeps its client id.

Every change is an event in the hash-chained audit log, where staff's changes are: actor ``system`` with the
operator's login as name and role ``operator``, action ``app.add`` / ``app.suspend`` / ``app.resume``, the
command and client id in ``route``, the operator's reason in ``reason``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from services import clock, devices
from services.audit import Actor, record_access
from services.identity.sessions import RevokeReason
from services.models.app_clients import AppClient
from services.models.identity import HubSession

OPERATOR_KINDS = ("resident", "staff")  # partner apps: ``flask apps add-partner`` (the partner API)
CLIENT_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")


class AppChangeRefused(Exception):
    """An operator's change that cannot be made (the message says why and what to do)."""


@dataclasses.dataclass(frozen=True)
class AppRow:
    client_id: str
    name: str
    kind: str
    active: bool
    created_at: dt.datetime
    live_sessions: int


def operator_actor(login: str) -> Actor:
    """The audit actor of a ``flask`` command: the system, run by ``login`` (the operator's account)."""
    return Actor("system", "flask-cli", login, "operator")


def add_app(session: Session, actor: Actor, client_id: str, name: str, kind: str, *, reason: str | None) -> AppClient:
    """Register a resident or staff app; the caller commits."""
    if not CLIENT_ID.match(client_id):
        raise AppChangeRefused(
            f"client id {client_id!r}: 3 to 64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit"
        )
    if kind not in OPERATOR_KINDS:
        raise AppChangeRefused(f"kind {kind!r}: resident or staff (partner apps: flask apps add-partner)")
    if not name.strip():
        raise AppChangeRefused("the app needs a name (--name)")
    existing = session.scalar(select(AppClient).where(AppClient.client_id == client_id))
    if existing is not None:
        state = "active" if existing.active else "suspended"
        raise AppChangeRefused(f"{client_id} is already registered ({existing.kind}, {state})")
    app = AppClient(client_id=client_id, name=name.strip(), kind=kind, active=True, created_at=clock.now())
    session.add(app)
    session.flush()
    _audit(session, actor, "app.add", f"flask apps add {client_id}", ["client_id", "name", "kind"], reason)
    return app


def suspend_app(session: Session, actor: Actor, client_id: str, *, reason: str) -> int:
    """Suspend an app and revoke its live sessions; return how many were revoked. The caller commits."""
    app = _registered(session, client_id)
    if not app.active:
        raise AppChangeRefused(f"{client_id} is already suspended")
    app.active = False
    live = list(
        session.scalars(select(HubSession.id).where(HubSession.client_id == client_id, HubSession.revoked_at.is_(None)))
    )
    session.execute(
        update(HubSession)
        .where(HubSession.id.in_(live))
        .values(revoked_at=clock.now(), revoked_reason=RevokeReason.APP_SUSPENDED)
        .execution_options(synchronize_session="fetch")
    )
    for session_id in live:
        devices.deactivate_for_session(session, session_id)
    _audit(session, actor, "app.suspend", f"flask apps suspend {client_id}", ["active", "sessions", "devices"], reason)
    return len(live)


def resume_app(session: Session, actor: Actor, client_id: str, *, reason: str) -> None:
    """Let a suspended app sign people in again (its revoked sessions stay ended). The caller commits."""
    app = _registered(session, client_id)
    if app.active:
        raise AppChangeRefused(f"{client_id} is not suspended")
    app.active = True
    _audit(session, actor, "app.resume", f"flask apps resume {client_id}", ["active"], reason)


def list_apps(session: Session) -> list[AppRow]:
    """Every registration with its count of live sessions, by kind then client id."""
    live = dict(
        session.execute(
            select(HubSession.client_id, func.count())
            .where(HubSession.revoked_at.is_(None))
            .group_by(HubSession.client_id)
        ).all()
    )
    apps = session.scalars(select(AppClient).order_by(AppClient.kind, AppClient.client_id))
    return [
        AppRow(app.client_id, app.name, app.kind, app.active, app.created_at, live.get(app.client_id, 0))
        for app in apps
    ]


def _registered(session: Session, client_id: str) -> AppClient:
    app = session.scalar(select(AppClient).where(AppClient.client_id == client_id))
    if app is None:
        raise AppChangeRefused(f"no app {client_id!r} is registered (see flask apps list)")
    return app


def _audit(session: Session, actor: Actor, action: str, route: str, fields: list[str], reason: str | None) -> None:
    record_access(session, actor, action, route=route, fields=fields, reason=reason)
