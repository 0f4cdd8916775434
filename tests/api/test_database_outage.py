"""PostgreSQL stopped, crashed or restarting: while the database is unreachable every request answers a 503
problem with ``Retry-After`` (never a generic 500), the hub answers again as soon as it is back, and no error
ever escapes a request's teardown (the WSGI server would answer with its own HTML page).

Runs against a private PostgreSQL cluster that the tests stop and start (``tests/private_postgres.py``).
"""

from __future__ import annotations

import dataclasses
import sqlite3
import time

import flask
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from api.database import db
from api.problems import database_unreachable
from composition import build_hub, create_app
from services.background import ManualRunner
from services.db import make_engine
from services.readiness import Readiness, database_check
from tests.database import upgrade
from tests.factories import create_signed_in_resident, create_snapshot
from tests.private_postgres import private_postgres
from tests.problem_assertions import assert_problem

pytestmark = pytest.mark.slow


def _psycopg(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


@pytest.fixture(scope="module")
def cluster():
    with private_postgres() as pg:
        admin = create_engine(_psycopg(pg.url()), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text('CREATE DATABASE "hub"'))
        admin.dispose()
        engine = make_engine(pg.url("hub"), pool_size=2)
        upgrade(engine)
        engine.dispose()
        yield pg


@pytest.fixture
def hub(cluster, settings):
    """The hub app on the private cluster, and its hub."""
    hub_settings = dataclasses.replace(settings, database_url=cluster.url("hub"))
    engine = make_engine(hub_settings.database_url, pool_size=3, connect_timeout=2)
    readiness = Readiness(cache_seconds=0)
    readiness.add("database", database_check(engine))
    hub = build_hub(hub_settings, engine=engine, readiness=readiness, runner=ManualRunner)
    yield create_app(hub=hub), hub
    engine.dispose()


@pytest.fixture
def maria(hub):
    _, context = hub
    resident = create_signed_in_resident(context, links={"DHS": "IES100200301"})
    create_snapshot(context, resident.id, "DHS", "dhs_maria_day0.json")
    return resident


SIGN_IN = {
    "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
    "subject_token": "not.a.token",
    "subject_token_type": "urn:ietf:params:oauth:token-type:id_token",
    "client_id": "sandbox-app",
}


def assert_every_route_says_try_again(client, maria) -> None:
    calls = [
        ("GET", "/v1/me/benefits", None),
        ("GET", "/v1/me", None),
        ("GET", "/v1/me/actions", None),
        ("GET", "/v1/me/notifications", None),
        ("POST", "/v1/auth/token", SIGN_IN),
    ]
    for method, path, body in calls:
        response = client.open(path, method=method, json=body, headers=maria.headers if body is None else {})
        problem = assert_problem(response, 503)
        assert problem["type"].endswith("/database-unavailable"), (path, problem)
        assert int(response.headers["Retry-After"]) > 0, path
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert {c["name"]: c["ok"] for c in ready.get_json()["checks"]}["database"] is False
    assert client.get("/healthz").status_code == 200  # the process itself is fine


@pytest.mark.parametrize("stop", ["fast", "immediate"])  # an orderly shutdown, a crash
def test_while_the_database_is_down_every_request_is_a_503_and_it_recovers_at_once(cluster, hub, maria, stop):
    app, _ = hub
    client = app.test_client()
    assert client.get("/v1/me/benefits", headers=maria.headers).status_code == 200  # pooled connections now
    cluster.stop(stop)
    try:
        assert_every_route_says_try_again(client, maria)
    finally:
        cluster.start()
    response = client.get("/v1/me/benefits", headers=maria.headers)
    assert response.status_code == 200, response.get_data(as_text=True)  # dead pooled connections replaced


def test_a_connection_that_dies_after_the_last_statement_never_breaks_the_response(cluster, hub):
    """The request's work is done and its answer made; then its connection dies (a crash, a failover). Closing
    the session at teardown must not raise: the client gets the answer, the connection is discarded."""
    app, context = hub
    admin = create_engine(_psycopg(cluster.url()), isolation_level="AUTOCOMMIT")
    probe = flask.Blueprint("connection_dies", __name__)

    @probe.get("/probe/connection-dies")
    def connection_dies():
        backend = db().execute(text("SELECT pg_backend_pid()")).scalar()  # leaves a transaction open
        with admin.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
        return {"served": True}

    app.register_blueprint(probe)
    response = app.test_client().get("/probe/connection-dies")
    assert response.status_code == 200 and response.get_json() == {"served": True}
    assert app.test_client().get("/readyz").status_code == 200  # the pool lost nothing it needs
    admin.dispose()


def _error_of(engine, statement: str) -> BaseException:
    with pytest.raises(DBAPIError) as caught, engine.connect() as connection:
        connection.execute(text(statement))
    return caught.value


def test_only_an_unreachable_database_is_a_503_real_bugs_stay_500s(cluster, hub, tmp_path):
    app, context = hub
    timeout = _error_of(context.engine, "SET statement_timeout = 1; SELECT pg_sleep(1)")  # QueryCanceled, 57014
    syntax = _error_of(context.engine, "SELEC 1")
    missing = _error_of(context.engine, "SELECT * FROM no_such_table")
    lite = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    sqlite_missing = _error_of(lite, "SELECT * FROM no_such_table")  # an OperationalError on SQLite
    assert isinstance(sqlite_missing.orig, sqlite3.OperationalError)
    for error in (timeout, syntax, missing, sqlite_missing):
        assert not database_unreachable(error), error
    cluster.stop("fast")
    try:
        refused = _error_of(make_engine(cluster.url("hub"), connect_timeout=2), "SELECT 1")
    finally:
        cluster.start()
    assert database_unreachable(refused)

    probe = flask.Blueprint("real_bug", __name__)

    @probe.get("/probe/real-bug")
    def real_bug():
        db().execute(text("SELECT * FROM no_such_table"))

    app.register_blueprint(probe)
    assert_problem(app.test_client().get("/probe/real-bug"), 500)


def test_a_pooled_connection_is_pinged_only_when_its_server_ended_it(cluster, monkeypatch):
    """No ping per checkout (``services.db.ping_when_idle``): a live pooled connection goes out as it is; one whose
    backend was terminated while it sat in the pool is noticed by its socket, pinged, and replaced before use."""
    engine = make_engine(cluster.url("hub"), pool_size=1, connect_timeout=2)
    pings = []
    real_ping = engine.dialect.do_ping
    monkeypatch.setattr(
        engine.dialect, "do_ping", lambda dbapi_connection: pings.append(1) or real_ping(dbapi_connection)
    )
    admin = create_engine(_psycopg(cluster.url()), isolation_level="AUTOCOMMIT")
    try:
        pids = []
        for _ in range(5):
            with engine.connect() as connection:
                pids.append(connection.execute(text("SELECT pg_backend_pid()")).scalar())
        assert len(set(pids)) == 1 and pings == []  # one connection, reused, never pinged
        with admin.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pids[0]})
        time.sleep(0.5)  # the server's farewell reaches the idle socket
        with engine.connect() as connection:  # would raise, had the dead connection gone out
            pid = connection.execute(text("SELECT pg_backend_pid()")).scalar()
        assert pid != pids[0] and pings == [1], "the terminated connection was replaced after one ping"
    finally:
        engine.dispose()
        admin.dispose()
