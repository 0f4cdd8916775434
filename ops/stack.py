"""``make stack``: the production topology on this machine, under honcho, with ``HUB_ENV=staging``.

``python -m ops.stack up`` (what ``make stack`` runs) makes sure PostgreSQL and Redis answer (the machine's, or
started as ``.ci/run`` starts them), creates the stack's own database if it is missing, keeps the stack's
secrets in ``.stack/`` (generated once: the platform key and event secret shared with the sandbox, the field
encryption and lookup keys, the hub's signing key file, a Firebase service account, the metrics token), runs
the migrations against PostgreSQL, seeds the sandbox's app registrations, and then replaces itself with
``honcho start`` on the ``Procfile``: gunicorn (``WEB_CONCURRENCY`` workers), Celery workers, exactly one beat,
the sandbox and the fake FCM server. Ctrl-C stops every process (honcho does).

Decisions:

- **Pushes go through firebase-admin** to the fake FCM server (``tests/fakes/fcm_server.py``), from a real
  service-account file whose ``token_uri`` points at the fake's OAuth endpoint: the hub signs its own OAuth
  assertion and gets an access token exactly as it would from Google, so the stack exercises the production
  push path end to end; ``GET http://127.0.0.1:$FCM_PORT/_fake/pushes`` shows what each phone received.
- **Secrets live with the database.** They are generated once and kept in ``.stack/secrets.env`` (owner-only),
  because the field encryption key must outlive restarts for the stored dates of birth to stay readable. A
  stack database that exists without that file is refused (``make stack-reset`` drops both).
- **One beat.** Beat schedules the periodic jobs; two would run each of them twice as often, so the formation
  refuses any other count. Workers and web nodes scale: ``STACK_FORMATION=web=2,worker=2`` runs two gunicorn
  masters (``PORT`` and ``PORT+1``, as two machines behind a load balancer would be) and two Celery nodes.
- **Started engines stay up** after Ctrl-C, as with ``.ci/run``: they are the machine's from then on.

Every knob is an environment variable (defaults in ``StackOptions``), so the CI test boots the same code on
its own ports, database and Redis database.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PROCFILE = ROOT / "Procfile"
FCM_PROJECT_ID = "benefits-hub-stack"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


class StackError(RuntimeError):
    """The stack cannot start; the message says why and what to do."""


@dataclasses.dataclass(frozen=True)
class StackOptions:
    """What ``make stack`` runs, from the environment (same ports as ``make run`` by default)."""

    port: int = 8000
    sandbox_port: int = 8100
    fcm_port: int = 8200
    state_dir: Path = ROOT / ".stack"
    database_url: str = "postgresql://postgres@127.0.0.1:5432/benefits_hub"
    redis_url: str = "redis://127.0.0.1:6379/0"
    web_concurrency: int = 3
    web_threads: int = 4
    celery_concurrency: int = 2
    formation: str = "web=1,worker=1,beat=1,sandbox=1,fcm=1"
    sandbox_residents: int = 1000

    ENV_NAMES = {
        "port": "PORT",
        "sandbox_port": "SANDBOX_PORT",
        "fcm_port": "FCM_PORT",
        "state_dir": "STACK_DIR",
        "database_url": "STACK_DATABASE_URL",
        "redis_url": "STACK_REDIS_URL",
        "web_concurrency": "WEB_CONCURRENCY",
        "web_threads": "WEB_THREADS",
        "celery_concurrency": "CELERY_CONCURRENCY",
        "formation": "STACK_FORMATION",
        "sandbox_residents": "SANDBOX_RESIDENTS",
    }

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> StackOptions:
        environ = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for field in dataclasses.fields(cls):
            raw = environ.get(cls.ENV_NAMES[field.name], "").strip()
            if not raw:
                continue
            if field.type == "int":
                try:
                    values[field.name] = int(raw)
                except ValueError:
                    raise StackError(f"{cls.ENV_NAMES[field.name]} must be a whole number, not {raw!r}") from None
            elif field.type == "Path":
                values[field.name] = Path(raw).resolve()
            else:
                values[field.name] = raw
        options = cls(**values)
        options.formation_counts()  # refuses a bad formation before anything starts
        return options

    def formation_counts(self) -> dict[str, int]:
        """``STACK_FORMATION`` over the defaults (one of each), refusing unknown processes and a second beat."""
        counts = {"web": 1, "worker": 1, "beat": 1, "sandbox": 1, "fcm": 1}
        for part in filter(None, (piece.strip() for piece in self.formation.split(","))):
            name, _, count = part.partition("=")
            if name not in counts or not count.isdigit():
                raise StackError(f"STACK_FORMATION: {part!r} is not <process>=<count> for one of {sorted(counts)}")
            counts[name] = int(count)
        if counts["beat"] != 1:
            raise StackError("STACK_FORMATION: exactly one beat (two would run every periodic job twice)")
        if counts["web"] < 1 or counts["worker"] < 1:
            raise StackError("STACK_FORMATION: at least one web and one worker")
        return counts

    @property
    def public_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def sandbox_url(self) -> str:
        return f"http://127.0.0.1:{self.sandbox_port}"

    @property
    def fcm_url(self) -> str:
        return f"http://127.0.0.1:{self.fcm_port}"

    def web_urls(self) -> list[str]:
        """Each web node's address: honcho gives ``web.N`` the port ``PORT + N - 1``."""
        return [f"http://127.0.0.1:{self.port + index}" for index in range(self.formation_counts()["web"])]


# -- the engines -----------------------------------------------------------------------------------------------
def _with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))


def _database_name(url: str) -> str:
    name = urlsplit(url).path.lstrip("/")
    if not name or not all(char.isalnum() or char == "_" for char in name):
        raise StackError(f"STACK_DATABASE_URL must name a database of letters, digits and _ (got {name!r})")
    return name


def _postgres_answers(server_url: str) -> bool:
    import psycopg

    try:
        psycopg.connect(server_url, connect_timeout=2).close()
    except psycopg.OperationalError:
        return False
    return True


def _wait(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return condition()


def ensure_postgres(database_url: str) -> bool:
    """The server answers (started as ``.ci/run`` does when it is the machine's and down); the database exists.
    Answers whether the database was created now."""
    import psycopg

    server_url = _with_database(database_url, "postgres")
    if not _postgres_answers(server_url):
        host = urlsplit(database_url).hostname or "127.0.0.1"
        clusters = Path("/etc/postgresql")
        if host not in LOCAL_HOSTS or not shutil.which("pg_ctlcluster") or not clusters.is_dir():
            raise StackError(f"PostgreSQL does not answer at {host} (set STACK_DATABASE_URL)")
        version = sorted(clusters.iterdir())[-1].name
        print(f"stack: starting PostgreSQL {version}", file=sys.stderr)
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"], check=False)
        if not _wait(lambda: _postgres_answers(server_url), 30):
            raise StackError("PostgreSQL did not start within 30 s")
    name = _database_name(database_url)
    with psycopg.connect(server_url, autocommit=True, connect_timeout=5) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            return False
        connection.execute(f'CREATE DATABASE "{name}"')
    print(f"stack: created database {name}", file=sys.stderr)
    return True


def ensure_redis(redis_url: str) -> None:
    """Redis answers (started as ``.ci/run`` does when it is the machine's and down)."""
    import redis

    client = redis.Redis.from_url(redis_url, socket_timeout=2, socket_connect_timeout=2)

    def answers() -> bool:
        try:
            return bool(client.ping())
        except redis.exceptions.RedisError:
            return False

    if answers():
        return
    parts = urlsplit(redis_url)
    if (parts.hostname or "127.0.0.1") not in LOCAL_HOSTS or not shutil.which("redis-server"):
        raise StackError(f"Redis does not answer at {parts.hostname}:{parts.port or 6379} (set STACK_REDIS_URL)")
    print("stack: starting Redis", file=sys.stderr)
    subprocess.run(
        ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", str(parts.port or 6379)]
        + ["--save", "", "--appendonly", "no"],
        check=False,
        stdout=subprocess.DEVNULL,
    )
    if not _wait(answers, 30):
        raise StackError("Redis did not start within 30 s")


# -- the secrets -----------------------------------------------------------------------------------------------
def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)


def read_env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def ensure_secrets(state_dir: Path, *, database_is_new: bool) -> dict[str, str]:
    """The stack's secrets, generated on its first start and kept with its database."""
    path = state_dir / "secrets.env"
    if path.exists():
        return read_env_file(path)
    if not database_is_new:
        raise StackError(
            f"the stack's database exists but {path} does not: its encrypted fields cannot be read without "
            "the keys kept there. `make stack-reset` drops the stack's database and state to start afresh."
        )
    from cryptography.fernet import Fernet

    values = {
        "PLATFORM_KEY": secrets.token_urlsafe(32),
        "PLATFORM_EVENTS_SECRET": secrets.token_urlsafe(32),
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "LOOKUP_HASH_KEY": secrets.token_urlsafe(32),
        "METRICS_TOKEN": secrets.token_urlsafe(24),
    }
    _write_private(path, "".join(f"{name}={value}\n" for name, value in values.items()))
    return values


def ensure_signing_keys(path: Path) -> None:
    """The hub's first signing key (production is given its file; staging holds the same rule)."""
    if path.exists():
        return
    from services.identity.signing_keys import SigningKeys, new_signing_key, write_signing_keys

    write_signing_keys(str(path), SigningKeys([new_signing_key()]), exclusive=True)


def ensure_service_account(path: Path, token_uri: str) -> None:
    """A Firebase service-account file as Google issues it, with its own RSA key, whose ``token_uri`` is the
    fake FCM server's OAuth endpoint (rewritten when the port changes; the key is kept)."""
    account = json.loads(path.read_text()) if path.exists() else None
    if account is None:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        email = f"hub-push@{FCM_PROJECT_ID}.iam.gserviceaccount.com"
        account = {
            "type": "service_account",
            "project_id": FCM_PROJECT_ID,
            "private_key_id": secrets.token_hex(20),
            "private_key": pem,
            "client_email": email,
            "client_id": str(10**20 + secrets.randbelow(9 * 10**20)),
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": token_uri,
            "universe_domain": "googleapis.com",
        }
    elif account.get("token_uri") == token_uri:
        return
    account["token_uri"] = token_uri
    _write_private(path, json.dumps(account, indent=2) + "\n")


# -- the environment of every process ----------------------------------------------------------------------------
def stack_environment(options: StackOptions, secret_values: Mapping[str, str]) -> dict[str, str]:
    """What every process of the stack runs with (written to ``.stack/stack.env`` for honcho)."""
    state = options.state_dir
    return {
        "HUB_ENV": "staging",
        "PORT": str(options.port),
        "PUBLIC_URL": options.public_url,
        "DATABASE_URL": options.database_url,
        "WORKER_MODE": "celery",
        "REDIS_URL": options.redis_url,
        "CELERY_BROKER_URL": options.redis_url,
        "RATE_LIMIT_STORAGE_URL": options.redis_url,
        "SANDBOX_ENABLED": "true",
        "SANDBOX_PORT": str(options.sandbox_port),
        "SANDBOX_URL": options.sandbox_url,
        "SANDBOX_RESIDENTS": str(options.sandbox_residents),
        "PLATFORM_URL": f"{options.sandbox_url}/platform",
        "OIDC_ISSUER": f"{options.sandbox_url}/idp",
        "STAFF_OIDC_ISSUER": f"{options.sandbox_url}/staff-idp",
        **{name: secret_values[name] for name in sorted(secret_values)},
        "SIGNING_KEYS_PATH": str(state / "signing-keys.json"),
        "FCM_CREDENTIALS_PATH": str(state / "fcm-service-account.json"),
        "FCM_PROJECT_ID": FCM_PROJECT_ID,
        "FCM_URL": options.fcm_url,
        "FCM_PORT": str(options.fcm_port),
        "WEB_CONCURRENCY": str(options.web_concurrency),
        "WEB_THREADS": str(options.web_threads),
        "CELERY_CONCURRENCY": str(options.celery_concurrency),
        "STACK_DIR": str(state),
        # The sandbox's own names (simulator/settings.py): secrets in the environment, never on a command line.
        "SANDBOX_PUBLIC_URL": options.sandbox_url,
        "SANDBOX_HUB_EVENTS_URL": f"{options.public_url}/v1/platform/events",
        "SANDBOX_HUB_EVENTS_SECRET": secret_values["PLATFORM_EVENTS_SECRET"],
        "SANDBOX_PLATFORM_KEY": secret_values["PLATFORM_KEY"],
        "PYTHONUNBUFFERED": "1",
    }


def _run_step(what: str, command: list[str], env: Mapping[str, str]) -> None:
    result = subprocess.run(command, cwd=ROOT, env=dict(env), capture_output=True, text=True)
    if result.returncode != 0:
        raise StackError(f"{what} failed:\n{result.stdout}{result.stderr}".rstrip())
    if result.stdout.strip():
        print(result.stdout.rstrip(), file=sys.stderr)


def prepare(options: StackOptions) -> dict[str, str]:
    """Everything before the processes start; returns their environment (also in ``.stack/stack.env``)."""
    options.state_dir.mkdir(parents=True, exist_ok=True)
    ensure_redis(options.redis_url)
    database_is_new = ensure_postgres(options.database_url)
    values = ensure_secrets(options.state_dir, database_is_new=database_is_new)
    ensure_signing_keys(options.state_dir / "signing-keys.json")
    ensure_service_account(options.state_dir / "fcm-service-account.json", f"{options.fcm_url}/token")
    environment = stack_environment(options, values)
    _write_private(options.state_dir / "stack.env", "".join(f"{k}={v}\n" for k, v in environment.items()))
    env = {**os.environ, **environment}
    bin_dir = Path(sys.executable).parent
    _run_step("migrations (alembic upgrade head)", [str(bin_dir / "alembic"), "upgrade", "head"], env)
    flask = [sys.executable, "-m", "flask", "--app", "composition:create_app"]
    _run_step("flask sandbox seed", [*flask, "sandbox", "seed"], env)
    return environment


def honcho_command(options: StackOptions) -> list[str]:
    counts = options.formation_counts()
    formation = ",".join(f"{name}={count}" for name, count in counts.items())
    honcho = str(Path(sys.executable).parent / "honcho")
    env_file = str(options.state_dir / "stack.env")
    return [honcho, "-f", str(PROCFILE), "-d", str(ROOT), "-e", env_file, "start", "-c", formation]


def up(options: StackOptions) -> None:
    """Prepare, say what runs where, and become honcho (so Ctrl-C and signals reach it directly)."""
    environment = prepare(options)
    counts = options.formation_counts()
    print(
        f"\nmake stack (HUB_ENV=staging): hub {', '.join(options.web_urls())} "
        f"(gunicorn × {counts['web']} node(s) × {options.web_concurrency} workers × {options.web_threads} threads); "
        f"sandbox {options.sandbox_url}; Celery worker × {counts['worker']} (concurrency "
        f"{options.celery_concurrency}) + 1 beat on {options.redis_url}; PostgreSQL {urlsplit(options.database_url).path[1:]}; "
        f"pushes: firebase-admin → fake FCM {options.fcm_url} (GET /_fake/pushes); state and secrets in "
        f"{options.state_dir}. Ctrl-C stops everything.\n",
        file=sys.stderr,
    )
    env = {**os.environ, **environment}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    command = honcho_command(options)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(command[0], command, env)


def reset(options: StackOptions) -> None:
    """Drop the stack's database and its state folder (secrets, keys, beat schedule)."""
    import psycopg

    name = _database_name(options.database_url)
    with contextlib.suppress(psycopg.OperationalError):
        server_url = _with_database(options.database_url, "postgres")
        with psycopg.connect(server_url, autocommit=True, connect_timeout=5) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    shutil.rmtree(options.state_dir, ignore_errors=True)
    print(f"stack: dropped database {name} and {options.state_dir}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.stack", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["up", "prepare", "reset"])
    args = parser.parse_args(argv)
    try:
        options = StackOptions.from_env()
        if args.command == "up":
            up(options)
        elif args.command == "prepare":
            prepare(options)
        else:
            reset(options)
    except StackError as error:
        print(f"stack: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
