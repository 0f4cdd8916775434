"""Fixtures for the sandbox's own tests: an app per test, a live server thread, and a tiny hub receiver."""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, field
from datetime import date

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from simulator.app import create_app
from simulator.settings import SimulatorSettings

START = date(2025, 3, 3)  # a fixed day 0 keeps dates in assertions stable
PLATFORM = {"Authorization": "Bearer sandbox-platform-key"}


def make_settings(**overrides) -> SimulatorSettings:
    values = {"residents": 200, "start_date": START, "delivery_backoff_seconds": 0.02, "delivery_timeout_seconds": 2.0}
    values.update(overrides)
    return SimulatorSettings(**values)


@pytest.fixture(scope="session")
def shared_app():
    """One app for read-mostly tests (RSA key generation is the slow part); reset before each use."""
    return create_app(make_settings())


@pytest.fixture
def client(shared_app):
    client = shared_app.test_client()
    assert client.post("/platform/sim/reset").status_code == 200
    return client


@contextlib.contextmanager
def serving(wsgi_app):
    """A real HTTP server on 127.0.0.1 and a free port, in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@dataclass
class HubReceiver:
    """Plays the hub's events endpoints (one event, or a batch beside it): records every POST and fails the first
    `fail_first` of them with 503."""

    fail_first: int = 0
    received: list[dict] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    def __call__(self, environ, start_response):
        request = Request(environ)
        with self.arrived:
            self.received.append({"path": request.path, "body": request.get_data(), "headers": dict(request.headers)})
            answered = 200 if request.path.endswith("/event-batches") else 202  # as the hub answers each
            status = 503 if len(self.received) <= self.fail_first else answered
            self.arrived.notify_all()
        return Response("", status=status)(environ, start_response)

    def wait_for(self, count: int, timeout: float = 5.0) -> list[dict]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.received) >= count, timeout)
            return list(self.received)


@pytest.fixture
def hub_receiver():
    receiver = HubReceiver()
    with serving(receiver) as url:
        receiver.url = url + "/v1/platform/events"
        yield receiver
