"""A web worker warmed before it takes traffic: gunicorn's ``post_worker_init`` (``gunicorn.conf.py``) calls
``warm`` in each worker after the app loaded and before it accepts a connection.

Without it a freshly started worker builds what it builds lazily on a phone's first reads. Measured on a
``make run``-like gunicorn (SQLite, 1 worker x 8 threads, the sandbox as the platform, a resident whose read is
stored): a fresh worker's first ``GET /v1/me/benefits`` took 0.15-0.33 s against 1-2 ms for the tenth; warmed, the
first took 11-13 ms. cProfile inside the worker put the cost in Babel loading a locale's CLDR data (pickles, ~0.15
s: a read's maintenance notice formats moments), the platform client's TLS context (``load_verify_locations``, ~50
ms), compiling the read's SQL (~40 ms), the signing keys and the first token check (~30 ms) and the database
connection. ``/healthz`` was 5-16 ms first, 1-2 ms after, and stays so: what is left there is Flask's and
gunicorn's own first request.

What is done here touches no resident's data: every locale's texts read and a date, moment, amount and list
formatted in each; the hub's built-once collaborators (signing keys, the platform client, the field cipher and
lookup hasher, the app registry, the maintenance calendar); a token minted for nobody and checked; the ORM's mappers
configured; and, on one pooled connection that stays in the pool, the authenticated stored read's statements run
with ids that match no row (compiled once, then taken from SQLAlchemy's per-engine cache by every request). Not
here: the identity providers (building one fetches nothing; their JWKS fetch belongs to a sign-in) and the full
read's ORM statements, which need a resident to run (about 10 ms of a never-fetched resident's first read, which
waits on the platform anyway). The OpenAPI description is built with the app, not lazily.

Decision: a warm-up never fails a worker. The database may be briefly down when workers start (a deploy during a
fail-over): a step that fails is logged as a warning, the rest go on, and the worker starts and answers
``/healthz`` (``/readyz`` says whether the database is there); the request that then needs the database does what
the warm-up could not. ``tests/api/test_worker_warmup.py`` holds both.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import time
from collections.abc import Callable
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy.engine import Connection
from sqlalchemy.orm import configure_mappers

from api.current_hub import hub_of
from services.benefits import documents
from services.db import new_id
from services.identity.hub_tokens import AccessClaims, AccessTokenInvalid, decode_access_token, issue_access_token
from services.identity.sessions import SessionInvalid, active_session_rows, session_lookup
from services.texts import formats
from services.texts.catalogue import texts
from services.vocabulary import STATE_TIME_ZONE

log = logging.getLogger("hub.warmup")
_NOBODY_CLIENT = "warm-up"  # names no registered app; the token it signs opens nothing


def warm(app: Flask) -> dict[str, object]:
    """Warm this process's hub for ``app``; returns (and logs, at INFO, as ``worker warmed``) what was done: the
    steps that worked, those that failed, the seconds taken, the process and the connections its pool then holds."""
    hub = hub_of(app)
    started = time.perf_counter()
    done: list[str] = []
    failed: list[str] = []

    def step(name: str, action: Callable[[], object]) -> None:
        try:
            action()
        except Exception as error:  # noqa: BLE001  (a warm-up never fails the worker; the request will try again)
            failed.append(name)
            log.warning("worker warm-up step failed", extra={"step": name, "error_type": type(error).__name__})
        else:
            done.append(name)

    step("mappers", configure_mappers)
    step("texts", _texts_and_formats)
    step("token", lambda: _check_a_token(hub))
    step("platform_client", lambda: hub.platform)
    step("field_crypto", lambda: (hub.field_cipher, hub.lookup_hasher))
    step("database", lambda: _stored_read_statements(hub))
    summary: dict[str, object] = {
        "pid": os.getpid(),
        "warmed": done,
        "failed": failed,
        "seconds": round(time.perf_counter() - started, 3),
        "pooled_connections": hub.engine.pool.checkedin(),
    }
    log.info("worker warmed", extra=summary)
    return summary


def _texts_and_formats() -> None:
    """Every locale's text files read, and a date, a moment, an amount and a list formatted in each: Babel loads a
    locale's CLDR data (pickles) on first use, ~0.15 s for one locale, which was most of a stored read's first
    answer (its maintenance notice formats the window's moments)."""
    catalogue = texts()
    moment = dt.datetime(2026, 3, 2, 14, 5, tzinfo=dt.UTC)
    zone = ZoneInfo(STATE_TIME_ZONE)
    for locale in catalogue.locales():
        for topic in catalogue.topics(locale):
            catalogue.topic(locale, topic)
        formats.format_moment(moment, locale, zone)
        formats.format_date(moment.date(), locale)
        formats.format_money(123450, locale)
        formats.format_list(["DHS", "HFS"], locale)


def _check_a_token(hub) -> None:
    """The signing keys loaded (their key objects built) and the path of a request's token check run once."""
    issuer = hub.settings.public_url.rstrip("/")
    token = issue_access_token(
        hub.signing_keys,
        issuer=issuer,
        subject=new_id(),
        kind="resident",
        session_id=new_id(),
        client_id=_NOBODY_CLIENT,
        ttl_seconds=60,
    )
    with contextlib.suppress(AccessTokenInvalid):  # not expected; the keys and pyjwt are warm either way
        decode_access_token(hub.signing_keys, token, issuer=issuer)


def _stored_read_statements(hub) -> None:
    """One pooled connection opened (and given back to the pool) and the stored read's statements run on it, as
    ``api.auth.guards.authenticate`` and ``api.resident.benefits.stored`` run them, for ids no row has; then the
    maintenance calendar loaded. One step: a database that is down costs one connect timeout, not two."""
    with hub.engine.connect() as connection:
        connection = _as_read_connection(connection)
        hub.app_registry.kind_of(connection, _NOBODY_CLIENT)  # the registered apps: configuration, not residents
        claims = AccessClaims(subject="", kind="resident", session_id=new_id(), client_id=_NOBODY_CLIENT)
        with contextlib.suppress(SessionInvalid):  # as expected: no session has that id
            active_session_rows(connection, claims, session_lookup(documents.with_stored_views))
        documents.stored_resident(connection, new_id())
    hub.maintenance.upcoming()  # the planned outages every read shows, cached per process (one statement)


def _as_read_connection(connection: Connection) -> Connection:
    """As ``api.database.read_connection`` uses it (autocommit on PostgreSQL)."""
    if connection.dialect.name == "postgresql":
        return connection.execution_options(isolation_level="AUTOCOMMIT")
    return connection
