"""One flat, typed settings object for the sandbox, read from the command line or the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date


class ProductionRefused(RuntimeError):
    """The sandbox holds fake identities and open controls; it must never run beside production data."""


def refuse_production(environ: os._Environ | dict | None = None) -> None:
    env = os.environ if environ is None else environ
    if str(env.get("HUB_ENV", "")).strip().lower() == "production":
        raise ProductionRefused("the sandbox refuses to start when HUB_ENV=production")


@dataclass(frozen=True)
class SimulatorSettings:
    host: str = "127.0.0.1"
    port: int = 8100
    seed: int = 42
    residents: int = 1000
    hub_events_url: str | None = None
    hub_events_secret: str = "sandbox-events-secret"
    platform_key: str = "sandbox-platform-key"
    public_url: str = "http://127.0.0.1:8100"
    start_date: date | None = None
    delivery_max_attempts: int = 8
    delivery_backoff_seconds: float = 0.5
    delivery_timeout_seconds: float = 5.0
    partner_callback_secret: str = "sandbox-partner-callback-secret"  # noqa: S105  (the hub's sandbox apps use it)

    def __post_init__(self) -> None:
        if not 0 <= self.residents <= 1_000_000:
            raise ValueError("residents must be between 0 and 1,000,000")
        object.__setattr__(self, "public_url", self.public_url.rstrip("/"))


ENV_NAMES = {
    "host": "SANDBOX_HOST",
    "port": "SANDBOX_PORT",
    "seed": "SANDBOX_SEED",
    "residents": "SANDBOX_RESIDENTS",
    "hub_events_url": "SANDBOX_HUB_EVENTS_URL",
    "hub_events_secret": "SANDBOX_HUB_EVENTS_SECRET",
    "platform_key": "SANDBOX_PLATFORM_KEY",
    "public_url": "SANDBOX_PUBLIC_URL",
    "start_date": "SANDBOX_START_DATE",
    "partner_callback_secret": "SANDBOX_PARTNER_CALLBACK_SECRET",
}


def settings_from_env(environ: dict | None = None, **overrides) -> SimulatorSettings:
    """Environment values first, then explicit overrides (the command line) on top."""
    env = os.environ if environ is None else environ
    values: dict = {}
    for field, name in ENV_NAMES.items():
        if env.get(name):
            values[field] = env[name]
    values.update({k: v for k, v in overrides.items() if v is not None})
    for field in ("port", "seed", "residents"):
        if field in values:
            values[field] = int(values[field])
    if isinstance(values.get("start_date"), str):
        values["start_date"] = date.fromisoformat(values["start_date"])
    if "port" in values and "public_url" not in values:
        values["public_url"] = f"http://{values.get('host', '127.0.0.1')}:{values['port']}"
    return SimulatorSettings(**values)
