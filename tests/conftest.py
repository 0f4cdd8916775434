"""Shared fixtures: the test database, settings, a hub (built by the composition root) whose background work runs
only when a test says so (``ManualRunner``), and the Flask app and client."""

from __future__ import annotations

import pytest

from api.app import HubFlask
from composition import build_hub, create_app
from config import Settings
from services import clock
from services.background import ManualRunner
from services.hub import Hub
from services.readiness import Readiness, database_check
from tests.celery_harness import celery_worker_runner, redis_url  # noqa: F401  (fixtures)
from tests.database import TestDatabase
from tests.openapi_validation import ValidatingClient
from tests.sandbox import (  # noqa: F401  (fixtures)
    sandbox_app,
    sandbox_client,
    sandbox_hub,
    sandbox_server,
    sandbox_settings,
    sandbox_url,
)

# Every response a test client receives is validated against the app's own /openapi.json.
HubFlask.test_client_class = ValidatingClient


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
def hub(settings, test_database) -> Hub:
    readiness = Readiness(cache_seconds=0)
    readiness.add("database", database_check(test_database.engine))
    yield build_hub(settings, engine=test_database.engine, readiness=readiness, runner=ManualRunner)
    test_database.clean()
    clock.set_now(None)


@pytest.fixture
def app(hub):
    app = create_app(hub=hub)
    app.config["TESTING"] = True
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def db_session(hub):
    with hub.session() as session:
        yield session
