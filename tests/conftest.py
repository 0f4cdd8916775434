"""Shared fixtures: the test database, settings, a hub (built by the composition root) whose background work runs
only when a test says so (``ManualRunner``), and the Flask app and client."""

from __future__ import annotations

import os

import pytest

from api.app import HubFlask
from composition import build_hub, create_app
from config import Settings
from services import clock
from services.background import ManualRunner
from services.hub import Hub
from services.readiness import Readiness, database_check
from tests import database as test_databases
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


# Tests of the HTTP edge: what is refused or shaped before a route's work touches a row (forged and expired ID
# tokens, Host and header handling, problem documents, auth declarations). They use the database only to see that
# nothing was written, which is the same on either engine; bad input stays in the PostgreSQL pass (NUL bytes and
# 64-bit overflows are refused by PostgreSQL, not by SQLite).
HTTP_EDGE_MODULES = frozenset(
    {
        "tests.auth.test_id_token_rejections",
        "tests.api.test_hosts_and_headers",
        "tests.api.test_problems",
        "tests.api.test_auth_declarations",
    }
)


def pytest_collection_modifyitems(config, items):
    """The PostgreSQL pass (``TEST_DATABASE_URL`` set) runs only the tests that reach the hub's database.

    A test reaches it through the ``test_database`` fixture, or by building a ``TestDatabase`` of its own (its module
    imports ``tests.database``: migrations, link proofs). A test that does neither (text rendering, rules, the simulator, the fake FCM, the
    bench guard's own SQLite runs…) behaves the same whatever that variable says, and the SQLite pass has already
    run it; running it twice would only spend CI's ten minutes. Nor do the HTTP edge's modules (below). Tests marked ``redis`` or ``stack`` stay: the
    PostgreSQL pass is also the Redis/Celery pass.
    """
    if not os.environ.get("TEST_DATABASE_URL"):
        return
    kept, dropped = [], []
    for item in items:
        reaches_database = "test_database" in getattr(item, "fixturenames", ()) or _builds_its_own_database(item)
        reaches_database = reaches_database and item.module.__name__ not in HTTP_EDGE_MODULES
        marked = item.get_closest_marker("redis") or item.get_closest_marker("stack")
        (kept if reaches_database or marked else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def _builds_its_own_database(item) -> bool:
    module = getattr(item, "module", None)
    return any(value is TestDatabase or value is test_databases for value in vars(module).values()) if module else False


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
        document_store_path=str(tmp_path / "documents"),
        platform_events_drain_seconds=0,  # every accepted event queues a drain; a test runs it when it says
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
