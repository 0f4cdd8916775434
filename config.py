"""Settings: one flat, typed object read from environment variables (12-factor).

With no variables set the hub runs the embedded default: SQLite in ``instance/``, the in-process worker,
the logging push transport and the sandbox platform and identity provider on 127.0.0.1:8100.
``HUB_ENV=production`` refuses to start with sandbox features on or with any development secret;
``HUB_ENV=staging`` (``make stack``) holds the same rules except that the sandbox is allowed.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent
INSTANCE_DIR = ROOT / "instance"

DEV_PLATFORM_KEY = "sandbox-platform-key"
DEV_EVENTS_SECRET = "sandbox-events-secret"
DEV_FIELD_KEY = "ZGV2ZWxvcG1lbnQtb25seS1maWVsZC1rZXktMzJieXQ="
DEV_LOOKUP_KEY = "development-only-lookup-hmac-key"


class SettingsError(RuntimeError):
    """The environment asks for something the hub must refuse to run with."""


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _list(value: str) -> tuple[str, ...]:
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

    # The state's unified data platform.
    platform_url: str = "http://127.0.0.1:8100/platform"
    platform_key: str = DEV_PLATFORM_KEY
    platform_events_secret: str = DEV_EVENTS_SECRET
    platform_events_window_seconds: int = 300
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

    # Push: no credentials → the logging transport.
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
        """Read settings from ``environ`` (default ``os.environ``); ``overrides`` win (tests use them)."""
        environ = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for field in dataclasses.fields(cls):
            raw = environ.get(field.name.upper())
            if raw is None:
                continue
            values[field.name] = _coerce(field.type, raw)
        values.update(overrides)
        settings = cls(**values)
        settings.check()
        return settings

    @property
    def is_production(self) -> bool:
        return self.hub_env == "production"

    @property
    def is_strict(self) -> bool:
        """Production's rules: production itself, and staging (the same, except that the sandbox is allowed)."""
        return self.hub_env in {"staging", "production"}

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

    def check(self) -> None:
        """Refuse combinations that must never run, above all sandbox features or dev secrets in production."""
        if self.hub_env not in {"development", "test", "staging", "production"}:
            raise SettingsError(f"HUB_ENV must be development, test, staging or production, not {self.hub_env!r}")
        if self.worker_mode not in {"inprocess", "celery"}:
            raise SettingsError("WORKER_MODE must be inprocess or celery")
        if not 1 <= self.partner_token_ttl_seconds <= 300:
            raise SettingsError("PARTNER_TOKEN_TTL_SECONDS must be from 1 to 300 (partner tokens live at most 5 min)")
        if not 0 <= self.trusted_proxies <= 5:
            raise SettingsError("TRUSTED_PROXIES must be the number of proxies in front of the hub (0 to 5)")
        if not self.is_strict:
            return
        problems = []
        if self.sandbox_enabled and self.is_production:
            problems.append("SANDBOX_ENABLED must be false")
        if self.platform_key == DEV_PLATFORM_KEY:
            problems.append("PLATFORM_KEY is the development key")
        if self.platform_events_secret == DEV_EVENTS_SECRET:
            problems.append("PLATFORM_EVENTS_SECRET is the development secret")
        if DEV_FIELD_KEY in self.field_encryption_keys:
            problems.append("FIELD_ENCRYPTION_KEYS contains the development key")
        if self.lookup_hash_key == DEV_LOOKUP_KEY:
            problems.append("LOOKUP_HASH_KEY is the development key")
        if self.signing_keys_path.startswith(str(INSTANCE_DIR)):
            problems.append("SIGNING_KEYS_PATH points at the development key file")
        if self.is_sqlite:
            problems.append("DATABASE_URL must be PostgreSQL")
        if not self.metrics_token:
            problems.append("METRICS_TOKEN must be set (Prometheus scrapes /metrics with it)")
        if problems:
            raise SettingsError(f"refusing to start in {self.hub_env}: " + "; ".join(problems))


def _coerce(kind: object, raw: str) -> object:
    kind = str(kind)
    if kind == "bool":
        return _bool(raw)
    if kind == "int":
        return int(raw)
    if kind == "float":
        return float(raw)
    if kind.startswith("tuple"):
        return tuple(json.loads(raw)) if raw.lstrip().startswith("[") else _list(raw)
    return raw
