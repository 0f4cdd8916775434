"""The sandbox for hub tests: the real simulator app served over HTTP, and hub settings that point at it.

The hub reaches the sandbox only over HTTP, exactly as it reaches the real identity providers and platform,
so these fixtures start the simulator (``simulator.app.create_app``) on 127.0.0.1 and a free port in a
background thread, once per test session (RSA key generation and the population are the slow part).

Fixtures (imported into ``tests/conftest.py``):

- ``sandbox_server`` (session): the running sandbox; ``.url`` is its base URL, ``.app`` the simulator app.
- ``sandbox_url``: the base URL, after ``POST /platform/sim/reset`` (scenario day 0, no faults), so every
  test that uses the sandbox starts from the same story.
- ``sandbox_settings``: the test ``settings`` with ``oidc_issuer``, ``staff_oidc_issuer``, ``platform_url``
  and ``sandbox_url`` pointing at the sandbox.
- ``sandbox_hub``: a ``Hub`` with those settings over the test database, background work on a
  ``ManualRunner`` (run it with ``sandbox_hub.runner.run_pending()``).
- ``sandbox_app`` / ``sandbox_client``: the hub app with the sandbox apps registered (``sandbox-app``,
  ``support-console``), and its test client. Sign in with ``tests.factories.sign_in``.

To start another sandbox with different simulator settings (a hub events URL, a fixed start date), use
``serve_sandbox(**simulator_settings)`` as a context manager.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import threading
from collections.abc import Iterator

import httpx
import pytest
from flask import Flask
from werkzeug.serving import make_server

from composition import build_hub, create_app
from services.background import ManualRunner
from services.hub import Hub
from services.identity.app_registry import SANDBOX_APPS, ensure_app_clients
from services.readiness import Readiness
from simulator.app import create_app as create_simulator_app
from simulator.settings import SimulatorSettings

SANDBOX_RESIDENTS = 20
PLATFORM_KEY = "sandbox-platform-key"  # the development key both sides default to


@dataclasses.dataclass
class SandboxServer:
    url: str
    app: Flask

    def post(self, path: str, json: dict | None = None) -> httpx.Response:
        return httpx.post(self.url + path, json=json or {}, timeout=10)


@contextlib.contextmanager
def serve_sandbox(**simulator_settings) -> Iterator[SandboxServer]:
    """The simulator on 127.0.0.1 and a free port; its ``public_url`` (the token issuer) is that address."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per sandbox request is noise here
    holder: dict[str, Flask] = {}
    server = make_server("127.0.0.1", 0, lambda environ, start: holder["app"](environ, start), threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    values = {"residents": SANDBOX_RESIDENTS, "platform_key": PLATFORM_KEY, **simulator_settings}
    holder["app"] = create_simulator_app(
        SimulatorSettings(host="127.0.0.1", port=server.server_port, public_url=url, **values)
    )
    thread = threading.Thread(target=server.serve_forever, name="sandbox-server", daemon=True)
    thread.start()
    try:
        yield SandboxServer(url, holder["app"])
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[SandboxServer]:
    with serve_sandbox() as server:
        yield server


@pytest.fixture
def sandbox_url(sandbox_server) -> str:
    response = sandbox_server.post("/platform/sim/reset")
    assert response.status_code == 200, response.text
    return sandbox_server.url


@pytest.fixture
def sandbox_settings(settings, sandbox_url):
    return dataclasses.replace(
        settings,
        sandbox_url=sandbox_url,
        oidc_issuer=f"{sandbox_url}/idp",
        staff_oidc_issuer=f"{sandbox_url}/staff-idp",
        platform_url=f"{sandbox_url}/platform",
        platform_key=PLATFORM_KEY,
    )


@pytest.fixture
def sandbox_hub(sandbox_settings, hub, test_database) -> Hub:
    """Shares the test database (and its per-test cleanup) with ``hub``; only settings differ."""
    sandbox = build_hub(
        sandbox_settings, engine=test_database.engine, readiness=Readiness(cache_seconds=0), runner=ManualRunner
    )
    with sandbox.session() as session:
        ensure_app_clients(session, SANDBOX_APPS)
    return sandbox


@pytest.fixture
def sandbox_app(sandbox_hub):
    app = create_app(hub=sandbox_hub)
    app.config["TESTING"] = True
    return app


@pytest.fixture
def sandbox_client(sandbox_app):
    return sandbox_app.test_client()
