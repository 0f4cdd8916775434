"""Models and migrations agree, and there is exactly one head."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from services.db import Base
from tests.database import alembic_config


def test_exactly_one_alembic_head():
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert len(heads) == 1, f"several heads: {heads}; chain the newest migration onto the previous one"


def test_models_and_migrations_agree(test_database):
    """The test database was built by the migrations; autogenerate against it must find nothing to do."""
    with test_database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == [], f"models differ from migrations (add a migration): {diff}"
