"""Settings: one flat, typed object read from environment variables (12-factor) and ``.env`` files.

With no variables set the hub runs the embedded default: SQLite in ``instance/``, the in-process worker,
the logging push transport and the sandbox platform and identity provider on 127.0.0.1:8100.

Where a value comes from, strongest first: the process environment, the repo's ``.env`` (the operator's file),
``instance/.env`` (written by ``make run`` with the addresses of the sandbox it started, so a ``flask …`` command in
another terminal reaches the same sandbox and database), the default here. ``HUB_ENV_FILE`` names the one file to
read instead of both.
A process whose environment says ``HUB_ENV=test`` reads no file (the suite's settings are its own).

Every value is parsed by its field's type, and every refusal names its variable: ``PORT=abc`` is "PORT='abc':
not a whole number", not a bare ``ValueError``. ``HUB_ENV=production`` and ``HUB_ENV=staging`` (production's rules,
except that the sandbox is allowed) refuse settings that must never run there (``Settings.problems`` lists them).
Entry points (``wsgi.py``, ``celery_worker.py``, ``gunicorn.conf.py``, the ``flask`` CLI factory) print every problem
at once, without a traceback, and exit non-zero (``load_or_exit``).
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import logging
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent
INSTANCE_DIR = ROOT / "instance"

HUB_ENVS = ("development", "test", "staging", "production")
STRICT_ENVS = ("staging", "production")

DEV_PLATFORM_KEY = "sandbox-platform-key"
DEV_EVENTS_SECRET = "sandbox-events-secret"
DEV_FIELD_KEY = "ZGV2ZWxvcG1lbnQtb25seS1maWVsZC1rZXktMzJieXQ="
DEV_LOOKUP_KEY = "development-only-lookup-hmac-key"


DEV_SIGNING_KEYS_PATH = INSTANCE_DIR / "signing-keys.json"
ENV_FILE = ROOT / ".env"  # the operator's file (HUB_ENV_FILE names the one file to read instead)
RUN_ENV_FILE = INSTANCE_DIR / ".env"  # written by ``make run``
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
WORKER_MODES = ("inprocess", "celery")
PUSH_TRANSPORTS = ("", "fcm", "log")
# Secrets: never shown by ``flask settings show`` and never quoted in a refusal.
SECRET_FIELDS = frozenset(
    {"platform_key", "platform_events_secret", "field_encryption_keys", "lookup_hash_key", "metrics_token"}
)


@dataclasses.dataclass(frozen=True)
class Problem:
    """One setting the hub refuses: the variable, and what is wrong with it."""

    variable: str
    message: str

    def __str__(self) -> str:
        return self.message if self.message.startswith(self.variable) else f"{self.variable}: {self.message}"


class SettingsError(RuntimeError):
    """The settings ask for something the hub must refuse to run with: every problem, each naming its variable."""

    def __init__(self, problems: list[Problem], hub_env: str = "") -> None:
        self.problems = list(problems)
        self.hub_env = hub_env
        super().__init__(self.report())

    def report(self) -> str:
        where = f" (HUB_ENV={self.hub_env})" if self.hub_env else ""
        count = f"{len(self.problems)} problem" + ("s" if len(self.problems) != 1 else "")
        lines = [f"Benefits Hub refuses these settings{where}, {count}:"]
        lines += [f"  - {problem}" for problem in self.problems]
        lines.append("Settings come from the environment, then .env, then instance/.env (README, Configuration).")
        return "\n".join(lines)


_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


def _bool(value: str) -> bool:
    word = value.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ValueError("not true or false")


def _int(value: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise ValueError("not a whole number") from None


def _float(value: str) -> float:
    try:
        return float(value.strip())
    except ValueError:
        raise ValueError("not a number") from None


def _list(value: str) -> tuple[str, ...]:
    if value.lstrip().startswith("["):
        try:
            items = json.loads(value)
        except ValueError:
            raise ValueError("not a JSON list (or a comma-separated list)") from None
        if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
            raise ValueError("not a JSON list of strings")
        return tuple(items)
    return tuple(part.strip() for part in value.split(",") if part.strip())


@dataclasses.dataclass(frozen=True)
class Settings:
    """Every setting the hub reads. Field name = environment variable in upper case."""

    hub_env: str = "development"  # development | test | staging | production
    port: int = 8000
    public_url: str = "http://127.0.0.1:8000"
    database_url: str = f"sqlite:///{INSTANCE_DIR / 'hub.db'}"
    database_pool_size: int = 10
    database_connect_timeout_seconds: int = 3
    sql_echo: bool = False
    log_level: str = "INFO"
    access_log: bool = True  # one JSON line per request (gunicorn's, with the route template); make run turns it off
    max_content_length: int = 1024 * 1024
    # Host names this hub answers for (Flask's TRUSTED_HOSTS); empty: PUBLIC_URL's host, plus localhost and
    # 127.0.0.1 outside production. Any other Host header is a 400 problem.
    trusted_hosts: tuple[str, ...] = ()

    # Sandbox: the simulated platform + identity providers (never in production).
    sandbox_enabled: bool = True
    sandbox_port: int = 8100
    sandbox_url: str = "http://127.0.0.1:8100"

    # Resident identity provider (OIDC) and workforce (staff) provider.
    oidc_issuer: str = "http://127.0.0.1:8100/idp"
    oidc_accepted_acr: tuple[str, ...] = (
        "http://idmanagement.gov/ns/assurance/ial/1",
        "http://idmanagement.gov/ns/assurance/ial/2",
    )
    oidc_verified_acr: tuple[str, ...] = ("http://idmanagement.gov/ns/assurance/ial/2",)
    staff_oidc_issuer: str = "http://127.0.0.1:8100/staff-idp"
    jwks_cache_seconds: int = 300

    # The hub's own tokens.
    signing_keys_path: str = str(INSTANCE_DIR / "signing-keys.json")
    access_token_ttl_seconds: int = 900
    refresh_token_ttl_days: int = 30

    # Field-level encryption (Fernet keys, newest first) and keyed lookup hashes.
    field_encryption_keys: tuple[str, ...] = (DEV_FIELD_KEY,)
    lookup_hash_key: str = DEV_LOOKUP_KEY

    # Uploaded documents (services/documents/storage.py): "filesystem" or "database" (the document_blobs table);
    # empty: the database on PostgreSQL (production, the stack), the filesystem on SQLite (the embedded default).
    # Fernet keys newest first, the field keys when empty.
    document_store: str = ""
    document_store_path: str = str(INSTANCE_DIR / "documents")
    document_encryption_keys: tuple[str, ...] = ()
    documents_per_action: int = 5
    document_check_seconds: int = 60  # how long a received upload waits before the hub asks for a decision again

    # The state's unified data platform.
    platform_url: str = "http://127.0.0.1:8100/platform"
    platform_key: str = DEV_PLATFORM_KEY
    platform_events_secret: str = DEV_EVENTS_SECRET
    platform_events_window_seconds: int = 300
    # how often a process submits the drain of accepted events, and how long a drain waits for more
    platform_events_drain_seconds: float = 0.2
    # how often the drain tries an event whose application fails before it sets the event aside
    platform_event_attempts: int = 8
    platform_timeout_seconds: float = 3.0
    read_budget_seconds: float = 2.0
    fresh_seconds: int = 900
    breaker_fail_max: int = 3
    breaker_reset_seconds: int = 30
    inline_fetches_per_agency: int = 2  # per process: how many reads may wait on one agency at once

    # Background work: "inprocess" (embedded default) or "celery".
    worker_mode: str = "inprocess"
    redis_url: str = ""
    celery_broker_url: str = ""
    rate_limit_storage_url: str = "memory://"
    redis_timeout_seconds: float = 0.25  # every Redis call a request makes: rate limits, queuing a job, /readyz
    # Rate limits (Flask-Limiter strings). Sign-in: per app and address, and per address whatever the app.
    rate_limit_sign_in: str = "20/minute"
    rate_limit_sign_in_per_address: str = "60/minute"
    # Refresh: per session (an app refreshes every 15 minutes), and per address (many phones share a carrier NAT).
    rate_limit_refresh: str = "10/minute"
    rate_limit_refresh_per_address: str = "300/minute"
    # Linking a record by letter code: per resident and per address (wrong codes also lock out, see linking).
    rate_limit_links: str = "10/hour"
    rate_limit_links_per_address: str = "60/hour"
    # Registering a phone for push: per session and per address.
    rate_limit_devices: str = "30/hour"
    rate_limit_devices_per_address: str = "600/hour"
    # Partner apps: every partner request counts per app; notifications sent also count in a daily quota per app.
    rate_limit_partner: str = "3000/minute"
    partner_daily_quota: str = "250000/day"
    # Partner access tokens (client credentials) live at most 5 minutes; so may their assertions.
    partner_token_ttl_seconds: int = 300
    # A partner event may say it happened at most this far in the future (clocks drift; a later one is refused).
    partner_event_future_seconds: int = 300
    # Signed callbacks to partners: per-attempt timeout, and how many attempts before giving up.
    partner_callback_timeout_seconds: float = 5.0
    partner_callback_attempts: int = 8
    # Proxies in front of the hub whose X-Forwarded-For/-Proto are trusted (0: none, the socket's peer is the
    # client). Behind one load balancer: 1. Set it to exactly the number of hops you run, never more.
    trusted_proxies: int = 0

    # Push: "fcm" (firebase-admin), "log" (pushes only logged), or empty: fcm when FCM_CREDENTIALS_PATH is set, else
    # log. Staging and production refuse the empty default without credentials: only logging must be said.
    push_transport: str = ""
    fcm_credentials_path: str = ""
    fcm_project_id: str = ""
    fcm_url: str = ""
    fcm_max_in_flight: int = 32  # pushes in flight at once per process: the most a killed worker can send twice

    # Observing the hub: the bearer token Prometheus scrapes /metrics with (required in staging and production;
    # without it /metrics is open in development), and OpenTelemetry tracing (off unless set; the exporter reads
    # the standard OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_SERVICE_NAME, OTEL_TRACES_SAMPLER… itself).
    metrics_token: str = ""
    worker_metrics_bind: str = ""  # host:port where a Celery worker serves its own /metrics (empty: it does not)
    otel_enabled: bool = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Read settings from ``environ`` (default: the process environment over the ``.env`` files, see the
        module's docstring); ``overrides`` win (tests use them). Raises ``SettingsError`` listing every problem."""
        environ = read_environment() if environ is None else environ
        values: dict[str, object] = {}
        problems: list[Problem] = []
        for field in dataclasses.fields(cls):
            name = field.name.upper()
            raw = environ.get(name)
            if raw is None or field.name in overrides:
                continue
            try:
                values[field.name] = _coerce(field.type, raw)
                if field.name == "log_level":
                    values[field.name] = raw.strip().upper()  # logging wants DEBUG, not debug
            except ValueError as error:
                shown = "…" if field.name in SECRET_FIELDS else repr(raw)
                problems.append(Problem(name, f"{name}={shown}: {error}"))
        values.update(overrides)
        settings = cls(**values)
        unreadable = {problem.variable for problem in problems}
        problems += [problem for problem in settings.problems() if problem.variable not in unreadable]
        if problems:
            raise SettingsError(problems, settings.hub_env)
        return settings

    @property
    def is_production(self) -> bool:
        return self.hub_env == "production"

    @property
    def is_strict(self) -> bool:
        """Production's rules: production itself, and staging (the same rules, except that the sandbox is allowed)."""
        return self.hub_env in STRICT_ENVS

    @property
    def hosts_served(self) -> tuple[str, ...]:
        """``trusted_hosts`` as given, or the host of ``public_url`` (plus loopback names outside production)."""
        if self.trusted_hosts:
            return self.trusted_hosts
        own = urlsplit(self.public_url).hostname or "localhost"
        return (own,) if self.is_strict else tuple(dict.fromkeys((own, "localhost", "127.0.0.1")))

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def document_store_kind(self) -> str:
        """``document_store``, or by the database when empty: PostgreSQL keeps the files, SQLite the filesystem."""
        return self.document_store or ("filesystem" if self.is_sqlite else "database")

    @property
    def pushes_only_logged(self) -> bool:
        """The logging transport: asked for (``PUSH_TRANSPORT=log``), or the default without FCM credentials."""
        return self.push_transport == "log" or (self.push_transport == "" and not self.fcm_credentials_path)

    def check(self) -> None:
        """Raise ``SettingsError`` if there is any problem (``from_env`` already did)."""
        if problems := self.problems():
            raise SettingsError(problems, self.hub_env)

    def problems(self) -> list[Problem]:
        """Every setting the hub refuses here: values no environment runs with, then production's rules."""
        problems = self._general_problems()
        if self.is_strict:
            problems += self._strict_problems()
        return problems

    def _general_problems(self) -> list[Problem]:
        problems = []

        def one_of(variable: str, value: str, allowed: tuple[str, ...]) -> None:
            if value not in allowed:
                choices = ", ".join(choice or "(empty)" for choice in allowed)
                problems.append(Problem(variable, f"{variable}={value!r}: must be one of {choices}"))

        one_of("HUB_ENV", self.hub_env, HUB_ENVS)
        one_of("WORKER_MODE", self.worker_mode, WORKER_MODES)
        one_of("PUSH_TRANSPORT", self.push_transport, PUSH_TRANSPORTS)
        one_of("LOG_LEVEL", self.log_level.upper(), LOG_LEVELS)
        if not 1 <= self.partner_token_ttl_seconds <= 300:
            problems.append(
                Problem(
                    "PARTNER_TOKEN_TTL_SECONDS",
                    f"PARTNER_TOKEN_TTL_SECONDS={self.partner_token_ttl_seconds}: must be from 1 to 300 "
                    "(partner tokens live at most 5 min)",
                )
            )
        if not 0 <= self.trusted_proxies <= 5:
            problems.append(
                Problem("TRUSTED_PROXIES", "TRUSTED_PROXIES must be the number of proxies in front of the hub (0 to 5)")
            )
        for variable, port in (("PORT", self.port), ("SANDBOX_PORT", self.sandbox_port)):
            if not 1 <= port <= 65535:
                problems.append(Problem(variable, f"{variable}={port}: not a TCP port (1 to 65535)"))
        for variable in ("PUBLIC_URL", "OIDC_ISSUER", "STAFF_OIDC_ISSUER", "PLATFORM_URL", "SANDBOX_URL"):
            url = getattr(self, variable.lower())
            parts = urlsplit(url)
            if parts.scheme not in {"http", "https"} or not parts.hostname:
                problems.append(Problem(variable, f"{variable}={url!r}: not an http(s) address"))
        for field in dataclasses.fields(self):
            is_limit = field.name.startswith("rate_limit_") and field.name != "rate_limit_storage_url"
            if is_limit or field.name == "partner_daily_quota":
                problems += _rate_limit_problem(field.name.upper(), getattr(self, field.name))
        if self.push_transport == "fcm" and not self.fcm_credentials_path:
            problems.append(Problem("PUSH_TRANSPORT", "PUSH_TRANSPORT=fcm needs FCM_CREDENTIALS_PATH"))
        if self.document_store not in {"", "filesystem", "database"}:
            problems.append(
                Problem("DOCUMENT_STORE", "DOCUMENT_STORE must be filesystem or database (or empty: by the database)")
            )
        return problems

    def _strict_problems(self) -> list[Problem]:
        """Production's rules; staging's are the same except that the sandbox may run (and the identity
        providers and platform may then be the sandbox's addresses), and that a stack wholly on this machine
        (``make stack``: PUBLIC_URL at a loopback address) may serve plain http, as the sandbox does."""
        env = self.hub_env
        problems = []
        if self.sandbox_enabled and self.is_production:
            problems.append(Problem("SANDBOX_ENABLED", "SANDBOX_ENABLED must be false in production"))
        if self.platform_key == DEV_PLATFORM_KEY:
            problems.append(Problem("PLATFORM_KEY", "PLATFORM_KEY is the development key"))
        if self.platform_events_secret == DEV_EVENTS_SECRET:
            problems.append(Problem("PLATFORM_EVENTS_SECRET", "PLATFORM_EVENTS_SECRET is the development secret"))
        if DEV_FIELD_KEY in self.field_encryption_keys:
            problems.append(Problem("FIELD_ENCRYPTION_KEYS", "FIELD_ENCRYPTION_KEYS contains the development key"))
        if DEV_FIELD_KEY in self.document_encryption_keys:
            problems.append(
                Problem("DOCUMENT_ENCRYPTION_KEYS", "DOCUMENT_ENCRYPTION_KEYS contains the development key")
            )
        if self.lookup_hash_key == DEV_LOOKUP_KEY:
            problems.append(Problem("LOOKUP_HASH_KEY", "LOOKUP_HASH_KEY is the development key"))
        if Path(self.signing_keys_path).resolve() == DEV_SIGNING_KEYS_PATH:
            problems.append(
                Problem(
                    "SIGNING_KEYS_PATH", "SIGNING_KEYS_PATH is the development key file (instance/signing-keys.json)"
                )
            )
        if self.is_sqlite:
            problems.append(Problem("DATABASE_URL", f"DATABASE_URL must be PostgreSQL in {env}, not SQLite"))
        for variable, what in (
            ("OIDC_ISSUER", "the resident identity provider"),
            ("STAFF_OIDC_ISSUER", "the workforce identity provider"),
            ("PLATFORM_URL", "the state's data platform"),
        ):
            url = getattr(self, variable.lower())
            if _is_loopback(url) and not self._is_the_sandbox(url):
                problems.append(Problem(variable, f"{variable}={url!r} is a loopback address, not {what}"))
        if urlsplit(self.public_url).scheme != "https":
            if self.is_production:
                problems.append(Problem("PUBLIC_URL", f"PUBLIC_URL={self.public_url!r}: must be https in production"))
            elif not _is_loopback(self.public_url):  # staging on one machine (make stack): nothing crosses a network
                problems.append(
                    Problem(
                        "PUBLIC_URL",
                        f"PUBLIC_URL={self.public_url!r}: must be https in staging (plain http only at a loopback address)",
                    )
                )
        if self.fcm_url and self.is_production and _is_loopback(self.fcm_url):
            problems.append(Problem("FCM_URL", f"FCM_URL={self.fcm_url!r} is a loopback address (a fake FCM)"))
        if self.push_transport == "" and not self.fcm_credentials_path:
            problems.append(
                Problem(
                    "FCM_CREDENTIALS_PATH",
                    "FCM_CREDENTIALS_PATH is empty, so pushes would only be logged: set it, or set "
                    "PUSH_TRANSPORT=log to say that only logging them is intended",
                )
            )
        elif (
            self.fcm_credentials_path and not self.pushes_only_logged and not Path(self.fcm_credentials_path).is_file()
        ):
            problems.append(
                Problem("FCM_CREDENTIALS_PATH", f"FCM_CREDENTIALS_PATH: no file at {self.fcm_credentials_path}")
            )
        if self.worker_mode == "inprocess":
            problems.append(
                Problem("WORKER_MODE", f"WORKER_MODE=inprocess runs jobs in each web process: use celery in {env}")
            )
        elif not (self.celery_broker_url or self.redis_url):
            problems.append(
                Problem(
                    "CELERY_BROKER_URL", "CELERY_BROKER_URL is empty: WORKER_MODE=celery needs a broker (or REDIS_URL)"
                )
            )
        if self.rate_limit_storage_url.startswith("memory://"):
            problems.append(
                Problem(
                    "RATE_LIMIT_STORAGE_URL",
                    "RATE_LIMIT_STORAGE_URL=memory:// keeps limits per process: use redis://… so they hold across them",
                )
            )
        if not self.metrics_token:
            problems.append(Problem("METRICS_TOKEN", "METRICS_TOKEN must be set (Prometheus scrapes /metrics with it)"))
        return problems

    def _is_the_sandbox(self, url: str) -> bool:
        """Staging may sign in and read through the sandbox (it is allowed there); production never."""
        return (
            self.hub_env == "staging"
            and self.sandbox_enabled
            and url.rstrip("/").startswith(self.sandbox_url.rstrip("/") + "/")
        )


def _is_loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def _rate_limit_problem(variable: str, value: str) -> list[Problem]:
    from limits import parse_many

    try:
        parse_many(value)
    except ValueError:
        return [Problem(variable, f"{variable}={value!r}: not a rate limit (e.g. 10/minute)")]
    return []


def _coerce(kind: object, raw: str) -> object:
    kind = str(kind)
    if kind == "bool":
        return _bool(raw)
    if kind == "int":
        return _int(raw)
    if kind == "float":
        return _float(raw)
    if kind.startswith("tuple"):
        return _list(raw)
    return raw


@dataclasses.dataclass(frozen=True)
class Source:
    """Where a value was read: ``environment``, or the path of the ``.env`` file that set it."""

    value: str
    origin: str


def env_files(environ: Mapping[str, str] | None = None) -> list[Path]:
    """The ``.env`` files read, weakest first: ``instance/.env`` (``make run``'s), then ``.env``; or only the file
    HUB_ENV_FILE names (a deployment says exactly which file it runs with)."""
    environ = os.environ if environ is None else environ
    if environ.get("HUB_ENV_FILE"):
        return [Path(environ["HUB_ENV_FILE"])]
    if environ.get("HUB_ENV", "").strip() == "test":
        return []
    return [RUN_ENV_FILE, ENV_FILE]


def read_sources(environ: Mapping[str, str] | None = None, files: list[Path] | None = None) -> dict[str, Source]:
    """Every variable with where it came from: the environment wins over ``.env``, which wins over instance/.env."""
    from dotenv import dotenv_values

    environ = os.environ if environ is None else environ
    named = environ.get("HUB_ENV_FILE")
    if files is None and named and not Path(named).is_file():
        raise SettingsError([Problem("HUB_ENV_FILE", f"HUB_ENV_FILE: no file at {named}")])
    sources: dict[str, Source] = {}
    for file in env_files(environ) if files is None else files:
        if file.is_file():
            for name, value in dotenv_values(file).items():
                if value is not None:
                    sources[name] = Source(value, str(file))
    for name, value in environ.items():
        if name in sources and sources[name].value == value:
            continue  # the file's value, copied into the environment (the flask CLI loads ./.env itself)
        sources[name] = Source(value, "environment")
    return sources


def read_environment(environ: Mapping[str, str] | None = None, files: list[Path] | None = None) -> dict[str, str]:
    """The variables settings are read from: the process environment over the ``.env`` files."""
    return {name: source.value for name, source in read_sources(environ, files).items()}


def load_or_exit(exit_code: int = 2, **overrides: object) -> Settings:
    """The settings of an entry point; on any problem, the list on stderr (no traceback) and ``exit_code``."""
    try:
        return Settings.from_env(**overrides)
    except SettingsError as error:
        print(error.report(), file=sys.stderr, flush=True)
        logging.shutdown()
        raise SystemExit(exit_code) from None
