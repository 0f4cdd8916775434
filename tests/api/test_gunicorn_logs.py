"""gunicorn's own logs as the hub's JSON lines, under a real gunicorn started as production starts it
(``gunicorn -c gunicorn.conf.py wsgi:app``): every line JSON with an ISO-8601 UTC timestamp; the access line
written once per request by gunicorn, with the route template and the request id, never the path's ids, the
query string or the client's address."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.api.test_gunicorn_limits import free_port

ROOT = Path(__file__).resolve().parents[2]
ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


@pytest.fixture(scope="module")
def gunicorn_log(tmp_path_factory):
    """Start gunicorn, send a few requests, stop it; the JSON lines it wrote and the request ids it answered."""
    folder = tmp_path_factory.mktemp("gunicorn-logs")
    port = free_port()
    env = {
        **{key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "LANG"}},
        "HUB_ENV": "test",
        "DATABASE_URL": f"sqlite:///{folder / 'hub.db'}",
        "SIGNING_KEYS_PATH": str(folder / "signing-keys.json"),
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "LOG_LEVEL": "INFO",
        "TZ": "America/Chicago",  # the timestamps must be UTC whatever the machine's zone
    }
    subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"], cwd=ROOT, env=env, check=True)
    log = folder / "gunicorn.log"
    command = [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"]
    with log.open("w") as output:
        server = subprocess.Popen(
            [*command, "--workers", "1", "--threads", "2", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert server.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
                time.sleep(0.2)
            answers = {
                "me": httpx.get(f"{url}/v1/me?email=maria@example.com"),
                "admin": httpx.get(f"{url}/v1/admin/residents/0f1e2d3c4b5a69788796a5b4c3d2e1f0/benefits"),
                "unknown": httpx.get(f"{url}/no/such/4f3e2d1c"),
            }
        finally:
            server.terminate()
            server.wait(timeout=20)
    lines = [line for line in log.read_text().splitlines() if line.strip()]
    return lines, {name: answer.headers.get("X-Request-ID") for name, answer in answers.items()}


def test_every_line_is_json_with_an_iso_8601_utc_timestamp(gunicorn_log):
    lines, _ = gunicorn_log
    assert lines
    for line in lines:
        record = json.loads(line)  # no plain-text line from gunicorn, the hub or a library
        assert ISO_UTC.match(record["time"]), record
        moment = dt.datetime.fromisoformat(record["time"])
        assert moment.utcoffset() == dt.timedelta(0)
        assert abs((dt.datetime.now(dt.UTC) - moment).total_seconds()) < 600


def test_gunicorn_access_lines_carry_route_templates_and_request_ids_once_per_request(gunicorn_log):
    lines, request_ids = gunicorn_log
    records = [json.loads(line) for line in lines]
    access = [record for record in records if record["name"] == "gunicorn.access"]
    assert [record for record in records if record["name"] == "hub.access"] == []  # not twice
    by_id = {record["request_id"]: record for record in access if record["request_id"]}
    me, admin, unknown = (by_id[request_ids[name]] for name in ("me", "admin", "unknown"))
    assert (me["method"], me["route"], me["status"]) == ("GET", "/v1/me", 401)
    fields = {"time", "level", "name", "message", "request_id", "method", "route", "status", "duration_ms", "bytes"}
    assert all(set(record) == fields for record in access)  # no path, query, address or user agent
    assert admin["route"] == "/v1/admin/residents/<resident_id>/benefits" and admin["status"] == 401
    assert unknown["route"] is None and unknown["status"] == 404
    assert all(isinstance(record["duration_ms"], float) and record["level"] == "INFO" for record in access)
    assert not any("/healthz" in json.dumps(record) for record in access)  # probes are not logged
    text = "\n".join(lines)
    for secret in ("maria@example.com", "0f1e2d3c4b5a69788796a5b4c3d2e1f0", "4f3e2d1c"):
        assert secret not in text


def test_gunicorn_error_log_lines_are_the_same_json(gunicorn_log):
    lines, _ = gunicorn_log
    errors = [json.loads(line) for line in lines if json.loads(line)["name"] == "gunicorn.error"]
    messages = " ".join(record["message"] for record in errors)
    assert "Starting gunicorn" in messages and "Booting worker" in messages and "Shutting down" in messages
