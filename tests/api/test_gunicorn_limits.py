"""The hub under a real gunicorn (``gunicorn.conf.py``, as ``make run`` and production start it): long addresses
and big headers get the hub's problem documents, what gunicorn still refuses by itself is problem+json too,
and no response names the server."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def gunicorn_hub(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gunicorn-hub")
    port = free_port()
    env = {
        **{key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "LANG"}},
        "HUB_ENV": "test",
        "DATABASE_URL": f"sqlite:///{folder / 'hub.db'}",
        "SIGNING_KEYS_PATH": str(folder / "signing-keys.json"),
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "LOG_LEVEL": "WARNING",
    }
    subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    log = (folder / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-c",
            "gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "4",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            raise AssertionError("gunicorn did not start: " + (folder / "gunicorn.log").read_text()[-3000:])
        time.sleep(0.2)
    yield port
    server.terminate()
    server.wait(timeout=20)
    log.close()


def send(port: int, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Raw bytes in, (status, headers, body) out: no client library tidies the request up."""
    with socket.create_connection(("127.0.0.1", port), timeout=15) as connection:
        connection.sendall(request)
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
            if b"\r\n\r\n" in b"".join(chunks) and _complete(b"".join(chunks)):
                break
    raw = b"".join(chunks)
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(lines[0].split()[1]), headers, body


def _complete(raw: bytes) -> bool:
    head, _, body = raw.partition(b"\r\n\r\n")
    for line in head.decode("latin-1").split("\r\n"):
        if line.lower().startswith("content-length:"):
            return len(body) >= int(line.split(":")[1])
    return False


def get(port: int, target: str, headers: list[tuple[str, str]] = ()) -> tuple[int, dict[str, str], dict]:
    lines = [f"GET {target} HTTP/1.1", "Host: 127.0.0.1", "Connection: close", *(f"{n}: {v}" for n, v in headers)]
    status, response_headers, body = send(port, ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
    return status, response_headers, body


def assert_problem_bytes(status, headers, body, expected: int) -> dict:
    assert status == expected, body[:300]
    assert headers["content-type"] == "application/problem+json"
    assert "server" not in headers
    document = json.loads(body)
    assert document["status"] == expected
    assert {"type", "title", "detail", "request_id"} <= document.keys()
    return document


def test_an_ordinary_request_names_no_server(gunicorn_hub):
    status, headers, body = get(gunicorn_hub, "/healthz")
    assert status == 200 and json.loads(body) == {"status": "ok"}
    assert "server" not in headers
    assert headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("length", [4_200, 6_000, 8_000])
def test_a_long_address_is_the_hubs_414_problem(gunicorn_hub, length):
    """4,094 bytes was gunicorn's HTML page; up to its maximum the hub answers itself, with its request id."""
    status, headers, body = get(gunicorn_hub, "/v1/me?q=" + "a" * length)
    document = assert_problem_bytes(status, headers, body, 414)
    assert document["request_id"] == headers["x-request-id"]


def test_an_address_past_gunicorns_maximum_is_still_a_problem(gunicorn_hub):
    status, headers, body = get(gunicorn_hub, "/v1/me?q=" + "a" * 9_000)
    assert_problem_bytes(status, headers, body, 414)
    assert b"<html" not in body


@pytest.mark.parametrize(
    ("headers", "named"),
    [
        ([("X-Big", "b" * 9_000)], "X-Big"),
        ([("Cookie", "c" * 12_000)], "Cookie"),
        ([(f"X-H{i}", "v") for i in range(150)], None),
        ([(f"X-H{i}", "v" * 4_000) for i in range(10)], None),
    ],
)
def test_big_headers_are_the_hubs_431_problem(gunicorn_hub, headers, named):
    status, response_headers, body = get(gunicorn_hub, "/healthz", headers)
    document = assert_problem_bytes(status, response_headers, body, 431)
    if named:
        assert list(document["errors"]) == [named]


def test_headers_past_gunicorns_limits_are_still_a_problem(gunicorn_hub):
    status, headers, body = get(gunicorn_hub, "/healthz", [("X-Huge", "h" * 20_000)])
    assert_problem_bytes(status, headers, body, 431)
    status, headers, body = get(gunicorn_hub, "/healthz", [(f"X-H{i}", "v") for i in range(250)])
    assert_problem_bytes(status, headers, body, 431)


def test_malformed_http_is_a_problem_too(gunicorn_hub):
    status, headers, body = send(gunicorn_hub, b"GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n")
    assert_problem_bytes(status, headers, body, 400)
