"""``/metrics`` under a real gunicorn with two workers (``gunicorn.conf.py``, as production runs it): requests
served by both workers are counted once each, whichever worker answers the scrape, and a worker that dies takes
none of its counts with it."""

from __future__ import annotations

import concurrent.futures
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from prometheus_client.mmap_dict import MmapedDict

from tests.live_servers import free_port
from tests.operations.scrape import Scrape

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "gunicorn-metrics-token-5678"
BEARER = {"Authorization": f"Bearer {TOKEN}"}
pytestmark = pytest.mark.slow

HEALTHZ = ("hub_http_requests", "hub_http_requests_total", {"method": "GET", "route": "/healthz", "status": "200"})


class Gunicorn:
    def __init__(self, url: str, process: subprocess.Popen, metrics_dir: Path) -> None:
        self.url, self.process, self.metrics_dir = url, process, metrics_dir

    def workers(self) -> set[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return {int(pid) for pid in children}

    def scrape(self) -> Scrape:
        response = httpx.get(f"{self.url}/metrics", headers=BEARER, timeout=10)
        assert response.status_code == 200, response.text
        return Scrape.parse(response.text)

    def counted_by_pid(self, route: str) -> Counter:
        """Each process's own count of ``GET route`` (200), read from its file in the metrics directory."""
        counts: Counter = Counter()
        for file in self.metrics_dir.glob("counter_*.db"):
            pid = int(file.stem.removeprefix("counter_"))
            for key, value, _timestamp, _pos in MmapedDict.read_all_values_from_file(str(file)):
                _family, name, labels, _help = json.loads(key)
                if name == "hub_http_requests_total" and labels == {"method": "GET", "route": route, "status": "200"}:
                    counts[pid] += value
        return counts


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gunicorn-metrics")
    metrics_dir = folder / "metrics"
    metrics_dir.mkdir()
    port = free_port()
    env = {
        **{key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "LANG"}},
        "HUB_ENV": "test",
        "DATABASE_URL": f"sqlite:///{folder / 'hub.db'}",
        "SIGNING_KEYS_PATH": str(folder / "signing-keys.json"),
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "LOG_LEVEL": "WARNING",
        "METRICS_TOKEN": TOKEN,
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    command = [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", "2", "--worker-class", "sync", "wsgi:app"]
    with (folder / "gunicorn.log").open("w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = Gunicorn(f"http://127.0.0.1:{port}", process, metrics_dir)
    deadline = time.monotonic() + 60
    while not _answers(server.url) or len(server.workers()) < 2:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise AssertionError("gunicorn did not start: " + (folder / "gunicorn.log").read_text()[-3000:])
        time.sleep(0.2)
    yield server
    process.terminate()
    process.wait(timeout=20)


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _get_many(url: str, count: int, headers: dict | None = None) -> None:
    def one(_):
        return httpx.get(url, headers=headers or {}, timeout=10).status_code  # a new connection each time

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(one, range(count))) == {200}


def test_the_token_is_required(gunicorn):
    response = httpx.get(f"{gunicorn.url}/metrics", timeout=10)
    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/problem+json"


def test_requests_served_by_both_workers_are_counted_in_every_scrape(gunicorn):
    sent = 0
    while True:  # until both workers have served some (sync workers: one request at a time each)
        _get_many(f"{gunicorn.url}/healthz", 60)
        sent += 60
        by_pid = gunicorn.counted_by_pid("/healthz")
        if len([pid for pid in by_pid if by_pid[pid] > 0]) >= 2 or sent >= 600:
            break
    assert set(by_pid) <= gunicorn.workers() and len(by_pid) == 2, by_pid
    assert sum(by_pid.values()) == sent

    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        scrapes = list(pool.map(lambda _: gunicorn.scrape(), range(12)))
    family, sample, labels = HEALTHZ
    assert {found.value(sample, **labels) for found in scrapes} == {sent}  # whichever worker answered
    assert len(gunicorn.counted_by_pid("/metrics")) == 2  # and both answered some of the scrapes
    latencies = scrapes[-1].value("hub_http_request_duration_seconds_count", method="GET", route="/healthz")
    assert latencies == sent
    assert scrapes[-1].value("hub_outbox_backlog") == 0
    assert scrapes[-1].value("hub_metrics_source_up", source="database") == 1


def test_a_worker_that_dies_takes_none_of_its_counts_with_it(gunicorn):
    family, sample, labels = HEALTHZ
    _get_many(f"{gunicorn.url}/healthz", 8)  # the victim must have counted something of its own, whatever ran before
    victim = max(gunicorn.workers(), key=lambda pid: gunicorn.counted_by_pid("/healthz")[pid])
    assert gunicorn.counted_by_pid("/healthz")[victim] > 0
    counted = gunicorn.scrape().value(sample, **labels)
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while victim in gunicorn.workers() or len(gunicorn.workers()) < 2:
        assert time.monotonic() < deadline, "gunicorn did not replace the worker"
        time.sleep(0.1)
    while not _answers(gunicorn.url):
        time.sleep(0.1)
    _get_many(f"{gunicorn.url}/healthz", 5)
    assert gunicorn.scrape().value(sample, **labels) == counted + 5  # nothing of the dead worker's is lost
    assert gunicorn.counted_by_pid("/healthz")[victim] > 0  # its file stays: counters are totals
