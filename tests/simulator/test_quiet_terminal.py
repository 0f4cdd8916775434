"""`python -m simulator` shares the hub's terminal under ``make run``: no development-server banner, no line per
request and no httpx chatter, unless ``--access-log`` asks for request lines."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.simulator.test_command_line import free_port

ROOT = Path(__file__).resolve().parents[2]


def sandbox_output(tmp_path: Path, *flags: str) -> str:
    port = free_port()
    env = {**os.environ, "SANDBOX_RESIDENTS": "0"}
    env.pop("HUB_ENV", None)
    log = tmp_path / f"sandbox{len(flags)}.log"
    with log.open("w") as output:
        command = [sys.executable, "-m", "simulator", "--host", "127.0.0.1", "--port", str(port), *flags]
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 15
            while True:
                try:
                    httpx.get(f"http://127.0.0.1:{port}/platform/sim/state", timeout=1)
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline and process.poll() is None
                    time.sleep(0.1)
            httpx.post(f"http://127.0.0.1:{port}/platform/sim/advance", json={"days": 1}, timeout=10)
        finally:
            process.terminate()
            process.wait(timeout=10)
    return log.read_text()


def test_the_sandbox_writes_one_line_and_no_banner_or_request_lines(tmp_path):
    quiet = sandbox_output(tmp_path)
    assert quiet.startswith("sandbox on http://127.0.0.1:") and len(quiet.splitlines()) == 1, quiet
    assert "development server" not in quiet and "/platform/sim/state" not in quiet and "HTTP Request" not in quiet


def test_access_log_flag_shows_request_lines(tmp_path):
    loud = sandbox_output(tmp_path, "--access-log")
    assert '"GET /platform/sim/state HTTP/1.1" 200' in loud and '"POST /platform/sim/advance HTTP/1.1" 200' in loud
