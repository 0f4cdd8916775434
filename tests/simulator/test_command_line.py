"""`python -m simulator` really serves, with settings from flags and SANDBOX_* environment variables."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from simulator.settings import SimulatorSettings, settings_from_env

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_command_line_starts_a_sandbox_that_answers(tmp_path):
    port = free_port()
    env = {**os.environ, "SANDBOX_RESIDENTS": "50"}
    env.pop("HUB_ENV", None)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "simulator",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--seed",
            "7",
            "--start-date",
            "2025-03-03",
            "--platform-key",
            "k-1",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                state = httpx.get(f"http://127.0.0.1:{port}/platform/sim/state", timeout=1).json()
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and process.poll() is None
                time.sleep(0.1)
        assert state["residents"] == 50 and state["seed"] == 7 and state["date"] == "2025-03-03"
        issuer = httpx.get(f"http://127.0.0.1:{port}/idp/.well-known/openid-configuration").json()["issuer"]
        assert issuer == f"http://127.0.0.1:{port}/idp"
        feed = httpx.get(
            f"http://127.0.0.1:{port}/platform/dhs/clients/IES100200301/cases", headers={"Authorization": "Bearer k-1"}
        )
        assert feed.status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_settings_defaults_and_environment_mapping():
    assert SimulatorSettings() == settings_from_env({})
    settings = settings_from_env({"SANDBOX_PORT": "8200", "SANDBOX_SEED": "9"}, residents=10)
    assert (settings.port, settings.seed, settings.residents, settings.public_url) == (
        8200,
        9,
        10,
        "http://127.0.0.1:8200",
    )
    assert settings.hub_events_url is None and settings.platform_key == "sandbox-platform-key"
