"""The hub and the sandbox as separate processes, as ``make run`` starts them: the sandbox with ``python -m
simulator``, the hub under a real gunicorn. For tests that must measure what a phone sees from outside."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, process: subprocess.Popen, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code < 500:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not answer at {url} within {timeout} s")


@contextlib.contextmanager
def _running(command: list[str], env: dict[str, str], ready_url: str, what: str, log: Path) -> Iterator[None]:
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
        try:
            _wait_for(ready_url, process, what)
            yield
        finally:
            stop(process)


def stop(process: subprocess.Popen) -> None:
    """SIGTERM, and SIGKILL if it has not exited within 20 s."""
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def sandbox_process(folder: Path, residents: int = 0) -> Iterator[str]:
    """``python -m simulator`` on a free port; yields its base URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable,
        "-m",
        "simulator",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--residents",
        str(residents),
        "--public-url",
        url,
    ]
    with _running(
        command,
        {**os.environ, "HUB_ENV": "development"},
        f"{url}/platform/sim/state",
        "the sandbox",
        folder / "sandbox.log",
    ):
        yield url


@contextlib.contextmanager
def gunicorn_process(folder: Path, settings: dict[str, str], options: list[str]) -> Iterator[str]:
    """``gunicorn <options> wsgi:app`` on a free port with ``settings`` as its environment; yields its URL."""
    port = free_port()
    env = {"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8", **settings, "PORT": str(port)}
    command = [str(GUNICORN), "--bind", f"127.0.0.1:{port}", *options, "wsgi:app"]
    with _running(command, env, f"http://127.0.0.1:{port}/healthz", "gunicorn", folder / "gunicorn.log"):
        yield f"http://127.0.0.1:{port}"
