"""Partner campaign benchmark: an agency system messages 10,000 cases through the partner API, measured from outside.

    .venv/bin/python bench/partner_campaign.py [--cases 10000] [--senders 16] [--database-url postgresql://…]

Everything runs as it would in production, each in its own process: PostgreSQL (a fresh database
``bench_partner_campaign`` on the given server), Redis (rate limits and the Celery broker, db 3 unless told),
``gunicorn wsgi:app`` (2 workers × 4 threads, ``WORKER_MODE=celery``), a Celery worker and one beat, and the fake
FCM server (``python -m tests.fakes.fcm_server``, run as a program, not imported). The Celery workers hold a real
service-account file whose ``token_uri`` is the fake's OAuth endpoint, so firebase-admin does its whole credential
and send flow. The hub is seeded only through its CLI (``alembic upgrade head``, ``flask apps add-partner``,
``flask sandbox seed-partner-cases``); this script imports nothing of the hub or its tests: it is the agency's
system, signing its own assertions and posting over HTTP.

Measured: notifications accepted per second (the send phase: every 202 from the first request to the last), and for
each case the time from its 202 to the fake FCM receiving its push request (p50, p95, max). Written to
``bench/results/partner_campaign.txt``.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import json
import os
import platform
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import jwt
import psycopg
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"
RESULTS = ROOT / "bench" / "results" / "partner_campaign.txt"
DATABASE = "bench_partner_campaign"
PREFIX = "BENCH"
PROJECT = "bench-project"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def case_number(n: int) -> str:  # as ``flask sandbox seed-partner-cases`` makes them
    return f"{PREFIX}{n:08d}"


def push_token(n: int) -> str:
    return f"{PREFIX.lower()}-phone-{n:08d}-" + "x" * 24


def fresh_database(server_url: str) -> str:
    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {DATABASE}")
    return server_url.rsplit("/", 1)[0] + f"/{DATABASE}"


def service_account(folder: Path, fcm_url: str) -> Path:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    path = folder / "service-account.json"
    path.write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": PROJECT,
                "private_key_id": secrets.token_hex(8),
                "private_key": pem.decode(),
                "client_email": f"bench@{PROJECT}.iam.gserviceaccount.com",
                "client_id": "1",
                "token_uri": f"{fcm_url}/_fake/oauth2/token",
            }
        )
    )
    return path


def run(command: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def wait_for(url: str, process: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not come up: " + log.read_text()[-2000:])


class Agency:
    """The agency's system: its key, its assertions, a token renewed before it runs out."""

    def __init__(self, hub_url: str) -> None:
        self.hub_url = hub_url
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.kid = secrets.token_hex(4)
        self.client_id = ""
        self._token: tuple[float, str] | None = None
        self._lock = threading.Lock()

    def jwks(self) -> dict:
        jwk = ECAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**jwk, "kid": self.kid, "alg": "ES256", "use": "sig"}]}

    def token(self, http: httpx.Client) -> str:
        with self._lock:
            if self._token is None or time.monotonic() > self._token[0]:
                now = int(time.time())
                claims = {"iss": self.client_id, "sub": self.client_id, "aud": f"{self.hub_url}/v1/auth/token"}
                claims.update(iat=now, exp=now + 120, jti=secrets.token_urlsafe(12))
                assertion = jwt.encode(claims, self.key, algorithm="ES256", headers={"kid": self.kid})
                answer = http.post(
                    f"{self.hub_url}/v1/auth/token",
                    data={
                        "grant_type": "client_credentials",
                        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                        "client_assertion": assertion,
                    },
                )
                answer.raise_for_status()
                body = answer.json()
                self._token = (time.monotonic() + body["expires_in"] - 30, body["access_token"])
            return self._token[1]


def send_campaign(agency: Agency, cases: int, senders: int) -> tuple[dict[int, float], dict[int, str], float, int]:
    """POST one notification per case from ``senders`` threads; (accepted time per case, id per case, seconds,
    refusals)."""
    accepted: dict[int, float] = {}
    ids: dict[int, str] = {}
    refused = [0]
    lock = threading.Lock()
    numbers = iter(range(1, cases + 1))

    def sender() -> None:
        with httpx.Client(timeout=30) as http:
            while True:
                with lock:
                    n = next(numbers, None)
                if n is None:
                    return
                body = {
                    "case_number": case_number(n),
                    "category": "documents",
                    "title": {"en": "Your interview is confirmed", "es": "Tu entrevista está confirmada"},
                    "body": {"en": "Case {case}: see you on Monday.", "es": "Caso {case}: nos vemos el lunes."},
                    "personalisation": {"case": str(n)},
                    "reference": f"campaign-2026-12-{n:08d}",
                }
                headers = {"Authorization": f"Bearer {agency.token(http)}", "Idempotency-Key": f"campaign-{n:08d}"}
                answer = http.post(f"{agency.hub_url}/v1/partner/notifications", json=body, headers=headers)
                with lock:
                    if answer.status_code == 202:
                        accepted[n] = time.time()
                        ids[n] = answer.json()["id"]
                    else:
                        refused[0] += 1
                        if refused[0] <= 3:
                            print(f"refused: {answer.status_code} {answer.text[:300]}")

    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(senders) as pool:
        for _ in range(senders):
            pool.submit(sender)
    return accepted, ids, time.perf_counter() - started, refused[0]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--senders", type=int, default=16, help="threads of the agency's system posting at once")
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/3")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--celery-concurrency", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for every push")
    parser.add_argument("--quick", action="store_true", help="200 cases, figures to bench/results/quick/")
    args = parser.parse_args()
    if args.quick:
        args.cases = min(args.cases, 200)

    processes: list[subprocess.Popen] = []
    with tempfile.TemporaryDirectory(prefix="partner-campaign-") as tmp:
        folder = Path(tmp)
        port, fcm_port = free_port(), free_port()
        hub_url, fcm_url = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{fcm_port}"
        database_url = fresh_database(args.database_url)
        env = {
            **os.environ,
            "HUB_ENV": "development",
            "DATABASE_URL": database_url,
            "DATABASE_POOL_SIZE": "6",
            "SIGNING_KEYS_PATH": str(folder / "signing-keys.json"),
            "PUBLIC_URL": hub_url,
            "PLATFORM_URL": "http://127.0.0.1:9/platform",
            "WORKER_MODE": "celery",
            "CELERY_BROKER_URL": args.redis_url,
            "RATE_LIMIT_STORAGE_URL": args.redis_url,
            "RATE_LIMIT_PARTNER": "1000000/minute",
            "PARTNER_DAILY_QUOTA": "1000000/day",
            "FCM_CREDENTIALS_PATH": str(service_account(folder, fcm_url)),
            "FCM_PROJECT_ID": PROJECT,
            "FCM_URL": fcm_url,
            "LOG_LEVEL": "WARNING",
            "FLASK_APP": "composition:create_app",
        }
        agency = Agency(hub_url)
        (folder / "jwks.json").write_text(json.dumps(agency.jwks()))
        try:
            print(f"migrating {database_url} and seeding {args.cases:,} cases through the CLI …")
            started = time.perf_counter()
            run([str(VENV / "alembic"), "upgrade", "head"], env)
            registered = run(
                [str(VENV / "flask"), "apps", "add-partner", "--agency", "DHS", "--name", "DHS campaign system",
                 "--jwks-file", str(folder / "jwks.json"), "--scopes", "notifications:send,notifications:read"],
                env,
            )  # fmt: skip
            agency.client_id = registered.split("client_id: ", 1)[1].split()[0]
            run(
                [str(VENV / "flask"), "sandbox", "seed-partner-cases", "--cases", str(args.cases), "--prefix", PREFIX],
                env,
            )
            seed_seconds = time.perf_counter() - started
            subprocess.run(
                [str(VENV / "python"), "-c", f"import redis; redis.Redis.from_url('{args.redis_url}').flushdb()"]
            )

            logs = {name: folder / f"{name}.log" for name in ("fcm", "gunicorn", "worker", "beat")}
            fcm = subprocess.Popen(
                [str(VENV / "python"), "-m", "tests.fakes.fcm_server", "--port", str(fcm_port), "--no-record"],
                cwd=ROOT, env=env, stdout=logs["fcm"].open("wb"), stderr=subprocess.STDOUT,
            )  # fmt: skip
            processes.append(fcm)
            wait_for(f"{fcm_url}/_fake/stats", fcm, logs["fcm"])
            web = subprocess.Popen(
                [str(VENV / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", str(args.web_workers),
                 "--worker-class", "gthread", "--threads", "4", "--log-level", "warning", "wsgi:app"],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=logs["gunicorn"].open("wb"),
            )  # fmt: skip
            processes.append(web)
            for name, command in (
                ("worker", ["worker", "--concurrency", str(args.celery_concurrency), "--loglevel", "warning"]),
                ("beat", ["beat", "--loglevel", "warning", "--schedule", str(folder / "beat-schedule")]),
            ):
                processes.append(
                    subprocess.Popen(
                        [str(VENV / "celery"), "-A", "celery_worker", *command],
                        cwd=ROOT,
                        env=env,
                        stdout=subprocess.DEVNULL,
                        stderr=logs[name].open("wb"),
                    )  # fmt: skip
                )
            wait_for(f"{hub_url}/healthz", web, logs["gunicorn"])
            time.sleep(3)  # the worker connects to the broker

            print(f"sending {args.cases:,} partner notifications from {args.senders} threads …")
            load = os.getloadavg()
            accepted, ids, send_seconds, refused = send_campaign(agency, args.cases, args.senders)
            print(f"accepted {len(accepted):,} in {send_seconds:.1f} s ({len(accepted) / send_seconds:.0f}/s)")

            wanted = {push_token(n): n for n in accepted}
            deadline = time.monotonic() + args.timeout
            seen: dict[str, float] = {}
            while time.monotonic() < deadline:
                seen = httpx.get(f"{fcm_url}/_fake/first-seen", timeout=30).json()
                if all(token in seen for token in wanted):
                    break
                time.sleep(1)
            latencies = [seen[token] - accepted[n] for token, n in wanted.items() if token in seen]
            with httpx.Client(timeout=30) as http:
                sample = http.get(
                    f"{hub_url}/v1/partner/notifications/{ids[min(ids)]}",
                    headers={"Authorization": f"Bearer {agency.token(http)}"},
                ).json()
            stats = httpx.get(f"{fcm_url}/_fake/stats", timeout=30).json()
            errors = [name for name, log in logs.items() if "Traceback" in log.read_text(errors="replace")]
        finally:
            for process in reversed(processes):
                process.terminate()
            for process in processes:
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
        with psycopg.connect(args.database_url, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")

    if not latencies:
        raise SystemExit("no push reached the fake FCM server")
    last_push = max(seen[token] for token in wanted if token in seen)
    lines = [
        f"partner campaign benchmark, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {platform.node()} "
        f"({os.cpu_count()} cores), load before the run {load[0]:.2f}",
        f"PostgreSQL ({DATABASE}), Redis {args.redis_url}, gunicorn wsgi:app {args.web_workers} workers × 4 threads, "
        f"WORKER_MODE=celery with 1 Celery worker (concurrency {args.celery_concurrency}) + beat, "
        "firebase-admin (real credential flow) → fake FCM in its own process",
        f"load: {args.senders} threads of the agency's system in this process (signing its own assertions), "
        "one POST /v1/partner/notifications per case with Idempotency-Key",
        f"seeding {args.cases:,} cases through the CLI: {seed_seconds:.1f} s",
        "",
        f"accepted: {len(accepted):,} of {args.cases:,} ({refused} refused) in {send_seconds:.1f} s "
        f"= {len(accepted) / send_seconds:.0f} notifications/s",
        f"accepted → FCM request: p50 {statistics.median(latencies):.2f} s, p95 {percentile(latencies, 0.95):.2f} s, "
        f"max {max(latencies):.2f} s ({len(latencies):,} pushes)",
        f"first accepted → last push: {last_push - min(accepted.values()):.1f} s",
        f"fake FCM: {stats}",
        f"a sample status: {json.dumps({k: sample.get(k) for k in ('status', 'pushes')})}",
        f"tracebacks in logs: {', '.join(errors) or 'none'}",
    ]
    results = RESULTS.parent / "quick" / RESULTS.name if args.quick else RESULTS
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
