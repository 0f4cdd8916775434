"""Shared fixtures: the test database, settings, a hub context whose background work runs only when a test
says so (``ManualRunner``), and the Flask app and client."""

from __future__ import annotations

import pytest

import services.models  # noqa: F401
from config import Settings
from services import clock
from services.background import ManualRunner
from services.context import HubContext
from services.db import make_session_factory
from services.readiness import Readiness, database_check
from tests.celery_harness import celery_worker_runner, redis_url  # noqa: F401  (fixtures)
from tests.database import TestDatabase
from tests.sandbox import (  # noqa: F401  (fixtures)
    sandbox_app,
    sandbox_client,
    sandbox_context,
    sandbox_server,
    sandbox_settings,
    sandbox_url,
)


@pytest.fixture(scope="session")
def test_database(tmp_path_factory):
    database = TestDatabase(tmp_path_factory.mktemp("db"))
    database.create()
    yield database
    database.drop()


@pytest.fixture
def settings(test_database, tmp_path) -> Settings:
    """Test settings: nothing read from the developer's environment; broker URLs that fail loudly."""
    return Settings.from_env(
        {},
        hub_env="test",
        database_url=test_database.url,
        signing_keys_path=str(tmp_path / "signing-keys.json"),
        celery_broker_url="redis://127.0.0.1:1/0",
        log_level="WARNING",
    )


@pytest.fixture
def hub_context(settings, test_database) -> HubContext:
    readiness = Readiness(cache_seconds=0)
    readiness.add("database", database_check(test_database.engine))
    context = HubContext(settings, test_database.engine, make_session_factory(test_database.engine), readiness)
    context.runner = ManualRunner(context)
    yield context
    test_database.clean()
    clock.set_now(None)


@pytest.fixture
def app(settings, hub_context):
    from api.app import create_app

    app = create_app(settings, context=hub_context)
    app.config["TESTING"] = True
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def db_session(hub_context):
    with hub_context.session() as session:
        yield session
