"""Test databases: a SQLite file per test run, or a fresh PostgreSQL database created and dropped per run.

``TEST_DATABASE_URL`` (a PostgreSQL server URL, e.g. ``postgresql://postgres@127.0.0.1:5432/postgres``)
switches the suite to PostgreSQL. The schema is always built by the Alembic migrations, so every test also
exercises them.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import Engine

from services.db import Base, make_engine

ROOT = Path(__file__).resolve().parent.parent


def alembic_config() -> Config:
    return Config(str(ROOT / "alembic.ini"))


def upgrade(engine: Engine, revision: str = "head") -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


class TestDatabase:
    def __init__(self, tmp_dir: Path) -> None:
        server = os.environ.get("TEST_DATABASE_URL", "")
        self.server_url = make_url(server.replace("postgresql://", "postgresql+psycopg://", 1)) if server else None
        if self.server_url is None:
            self.url = f"sqlite:///{tmp_dir / 'hub-test.db'}"
            self.name = None
        else:
            worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
            self.name = f"hub_test_{worker}_{uuid.uuid4().hex[:8]}"
            self.url = self.server_url.set(database=self.name).render_as_string(hide_password=False)
        self.engine: Engine | None = None

    @property
    def is_postgres(self) -> bool:
        return self.server_url is not None

    def create(self, revision: str = "head") -> Engine:
        if self.is_postgres:
            admin = create_engine(self.server_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{self.name}"'))
            admin.dispose()
        self.engine = make_engine(self.url, pool_size=5)
        upgrade(self.engine, revision)
        return self.engine

    def clean(self) -> None:
        """Empty every table (the schema stays), fast enough to run after each test.

        On PostgreSQL a ``DELETE`` per table with triggers off (``session_replication_role = replica``: foreign keys
        in any order, and the audit log's append-only guard, which the app can never switch off; the harness connects
        as a superuser) and the sequences that moved restarted: about 8 ms where one ``TRUNCATE … CASCADE`` of every
        table took 200 ms (new files for each table and index), which was a quarter of the PostgreSQL pass.
        """
        assert self.engine is not None
        tables = [table.name for table in reversed(Base.metadata.sorted_tables)]
        with self.engine.begin() as connection:
            if self.is_postgres:
                connection.execute(text("SET LOCAL session_replication_role = replica"))
                for name in tables:
                    connection.execute(text(f'DELETE FROM "{name}"'))
                moved = connection.scalars(
                    text(
                        "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename) FROM pg_sequences"
                        " WHERE last_value IS NOT NULL"
                    )
                )
                for sequence in list(moved):
                    connection.execute(text(f"ALTER SEQUENCE {sequence} RESTART"))
            else:
                for name in tables:
                    connection.execute(text(f'DELETE FROM "{name}"'))

    def drop(self) -> None:
        if self.engine is not None:
            self.engine.dispose()
        if self.is_postgres:
            admin = create_engine(self.server_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
            admin.dispose()
