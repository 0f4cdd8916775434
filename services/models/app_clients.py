"""Registered apps: the client ids the hub issues tokens to (resident apps, the support console, partners)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from services import clock
from services.db import Base


class AppClient(Base):
    """An app registration. ``kind`` decides which tokens it may hold: ``resident``, ``staff`` or ``partner``."""

    __tablename__ = "app_clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
