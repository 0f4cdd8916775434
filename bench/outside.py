"""Driving the hub from outside, for benchmarks: start the sandbox and the hub as their own processes (as
``make run`` does), sign residents in over HTTP, and measure with wrk. Imports nothing from the hub.

The machine is shared, so every figure is reported with the load average before the run, and compared with a
reference measured in the same run (``/healthz`` on the same server, a plain client against the same fake).
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
RESULTS = ROOT / "bench" / "results"
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"  # noqa: S105 (a grant type, not a secret)
ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token"  # noqa: S105

# wrk script: round-robin over the tokens in BENCH_TOKENS (one a line), one JSON summary line at the end.
WRK_SCRIPT = """
local tokens = {}
for line in io.lines(os.getenv("BENCH_TOKENS")) do tokens[#tokens + 1] = line end
local counter = 0
local extra = os.getenv("BENCH_HEADER")
request = function()
  counter = counter + 1
  local headers = {}
  if #tokens > 0 then headers["Authorization"] = "Bearer " .. tokens[(counter % #tokens) + 1] end
  if extra and extra ~= "" then
    local name, value = extra:match("^([^:]+):%s*(.*)$")
    headers[name] = value
  end
  return wrk.format("GET", nil, headers)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_s":%f,"non2xx":%d,"socket_errors":%d,"p50_ms":%f,"p99_ms":%f,"mean_ms":%f}\\n',
    summary.requests, summary.duration / 1e6, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.mean / 1000))
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f}"


def machine() -> str:
    return f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs"


def wait_http(url: str, process: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{url}: the process exited: " + log.read_text()[-3000:])
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"{url} did not answer: " + log.read_text()[-3000:])


def fresh_postgres_database(server_url: str, name: str) -> str:
    """Create (again) database ``name`` on the PostgreSQL server at ``server_url``; its URL."""
    for command in (["dropdb", "--if-exists", "--force", name], ["createdb", name]):
        subprocess.run([*command, "--maintenance-db", server_url], check=True, capture_output=True)
    return server_url.rsplit("/", 1)[0] + "/" + name


def drop_postgres_database(server_url: str, name: str) -> None:
    subprocess.run(["dropdb", "--if-exists", "--force", name, "--maintenance-db", server_url], capture_output=True)


class Stack:
    """A hub (gunicorn) and its sandbox, each its own process, in a temporary folder; ``env`` overrides."""

    def __init__(self, folder: Path, *, hub_port: int, sandbox_port: int, env: dict[str, str] | None = None):
        self.folder, self.hub_port, self.sandbox_port = folder, hub_port, sandbox_port
        self.hub_url, self.sandbox_url = f"http://127.0.0.1:{hub_port}", f"http://127.0.0.1:{sandbox_port}"
        self.env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{folder / 'hub.db'}",
            "SIGNING_KEYS_PATH": str(folder / "signing-keys.json"),
            "SANDBOX_URL": self.sandbox_url,
            "PLATFORM_URL": f"{self.sandbox_url}/platform",
            "OIDC_ISSUER": f"{self.sandbox_url}/idp",
            "STAFF_OIDC_ISSUER": f"{self.sandbox_url}/staff-idp",
            "PUBLIC_URL": self.hub_url,
            "LOG_LEVEL": "WARNING",
            **(env or {}),
        }
        self.processes: list[subprocess.Popen] = []

    def run(self, *command: str) -> str:
        done = subprocess.run(command, cwd=ROOT, env=self.env, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"{' '.join(command)} failed: {done.stderr[-3000:]}")
        return done.stdout

    def migrate_and_seed(self) -> None:
        self.run(str(VENV_BIN / "alembic"), "upgrade", "head")
        self.run(str(VENV_BIN / "python"), "-m", "flask", "--app", "composition:create_app", "sandbox", "seed")

    def start_sandbox(self, residents: int = 1000) -> None:
        log = self.folder / "sandbox.log"
        process = subprocess.Popen(
            [
                str(VENV_BIN / "python"),
                "-m",
                "simulator",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.sandbox_port),
                "--residents",
                str(residents),
                "--public-url",
                self.sandbox_url,
                "--hub-events-url",
                f"{self.hub_url}/v1/platform/events",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=log.open("wb"),
        )
        self.processes.append(process)
        wait_http(f"{self.sandbox_url}/idp/.well-known/openid-configuration", process, log)

    def start_hub(self, workers: int = 1, threads: int = 8) -> subprocess.Popen:
        log = self.folder / "gunicorn.log"
        process = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "-c",
                "gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{self.hub_port}",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--log-level",
                "warning",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=log.open("wb"),
        )
        self.processes.append(process)
        wait_http(f"{self.hub_url}/healthz", process, log)
        return process

    def sign_in(self, persona: str, client_id: str = "sandbox-app") -> str:
        """A resident's hub access token, the way an app gets one: the sandbox IdP's ID token, exchanged."""
        id_token = httpx.post(f"{self.sandbox_url}/idp/test-login", json={"persona": persona}, timeout=10).json()
        exchanged = httpx.post(
            f"{self.hub_url}/v1/auth/token",
            json={
                "grant_type": TOKEN_EXCHANGE,
                "subject_token": id_token["id_token"],
                "subject_token_type": ID_TOKEN_TYPE,
                "client_id": client_id,
            },
            timeout=30,
        )
        exchanged.raise_for_status()
        return exchanged.json()["access_token"]

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.terminate()
        for process in reversed(self.processes):
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes.clear()


def wrk(
    url: str, tokens: list[str], *, seconds: int, connections: int, rate: int | None = None, header: str = ""
) -> dict:
    """One wrk run against ``url``; tokens used round-robin. ``rate``: a fixed request rate (wrk2's ``-R`` is
    not in Debian's wrk, so a fixed rate is approximated by the python driver ``paced``)."""
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    with tempfile.TemporaryDirectory() as folder:
        script, tokens_file = Path(folder) / "bench.lua", Path(folder) / "tokens"
        script.write_text(WRK_SCRIPT)
        tokens_file.write_text("\n".join(tokens))
        env = {**os.environ, "BENCH_TOKENS": str(tokens_file), "BENCH_HEADER": header}
        command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency", "-s", str(script), url]
        output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    result = json.loads([line for line in output.splitlines() if line.startswith("{")][-1])
    result["rps"] = result["requests"] / result["duration_s"]
    return result


PACED = r"""
import json, sys, threading, time, httpx
url, rate, seconds, tokens = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4:]
latencies, errors, lock = [], [0], threading.Lock()
start = time.perf_counter() + 0.5
total = int(rate * seconds)
workers = 32
def work(k):
    mine = []
    with httpx.Client(timeout=10) as client:
        for i in range(k, total, workers):
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            headers = {"Authorization": "Bearer " + tokens[i % len(tokens)]} if tokens else {}
            status = client.get(url, headers=headers).status_code
            mine.append(time.perf_counter() - due)  # from when it was due: coordinated omission counted
            if status != 200:
                with lock:
                    errors[0] += 1
    with lock:
        latencies.extend(mine)
threads = [threading.Thread(target=work, args=(k,)) for k in range(workers)]
[t.start() for t in threads]; [t.join() for t in threads]
elapsed = time.perf_counter() - start
latencies.sort()
print(json.dumps({"requests": len(latencies), "rps": len(latencies) / elapsed, "non2xx": errors[0],
                  "p50_ms": latencies[len(latencies) // 2] * 1000, "p99_ms": latencies[int(len(latencies) * .99)] * 1000}))
"""


def paced(url: str, tokens: list[str], *, rate: float, seconds: float) -> dict:
    """Requests at a fixed rate from a separate process; latency counted from when each was due."""
    output = subprocess.run(
        [sys.executable, "-c", PACED, url, str(rate), str(seconds), *tokens],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output.splitlines()[-1])
