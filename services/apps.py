"""App registrations: which client ids may hold which kind of hub token."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.models import AppClient

SANDBOX_APPS = (
    ("sandbox-app", "Sandbox resident app", "resident"),
    ("support-console", "Support console", "staff"),
)


def ensure_app_clients(session: Session, apps: tuple[tuple[str, str, str], ...]) -> int:
    """Register each ``(client_id, name, kind)`` that is not registered yet; return how many were added."""
    existing = set(session.scalars(select(AppClient.client_id)))
    added = 0
    for client_id, name, kind in apps:
        if client_id not in existing:
            session.add(AppClient(client_id=client_id, name=name, kind=kind))
            added += 1
    session.commit()
    return added


def find_app_client(session: Session, client_id: str) -> AppClient | None:
    return session.scalar(select(AppClient).where(AppClient.client_id == client_id, AppClient.active.is_(True)))
