"""Settings from the environment, and production's refusals."""

from __future__ import annotations

import pytest

from config import Settings, SettingsError


def test_embedded_default_needs_no_variables():
    settings = Settings.from_env({})
    assert settings.is_sqlite and settings.sandbox_enabled and settings.worker_mode == "inprocess"


def test_environment_variables_are_typed():
    settings = Settings.from_env(
        {"PORT": "9000", "SANDBOX_ENABLED": "false", "READ_BUDGET_SECONDS": "1.5", "OIDC_ACCEPTED_ACR": "a,b"}
    )
    assert settings.port == 9000 and settings.sandbox_enabled is False
    assert settings.read_budget_seconds == 1.5 and settings.oidc_accepted_acr == ("a", "b")


def test_production_refuses_sandbox_and_development_secrets():
    with pytest.raises(SettingsError) as error:
        Settings.from_env({"HUB_ENV": "production"})
    message = str(error.value)
    for needle in (
        "SANDBOX_ENABLED",
        "PLATFORM_KEY",
        "FIELD_ENCRYPTION_KEYS",
        "DATABASE_URL",
        "SIGNING_KEYS_PATH",
        "METRICS_TOKEN",
    ):
        assert needle in message


def test_production_starts_with_real_settings():
    settings = Settings.from_env(
        {
            "HUB_ENV": "production",
            "SANDBOX_ENABLED": "false",
            "DATABASE_URL": "postgresql://hub@db/hub",
            "PLATFORM_KEY": "k",
            "PLATFORM_EVENTS_SECRET": "s",
            "FIELD_ENCRYPTION_KEYS": "a2V5",
            "LOOKUP_HASH_KEY": "l",
            "SIGNING_KEYS_PATH": "/run/secrets/hub-signing-keys.json",
            "METRICS_TOKEN": "m",
        }
    )
    assert settings.is_production


def test_unknown_environment_is_refused():
    with pytest.raises(SettingsError):
        Settings.from_env({"HUB_ENV": "staging-ish"})


def test_trusted_proxies_is_a_small_count_and_off_by_default():
    assert Settings.from_env({}).trusted_proxies == 0
    assert Settings.from_env({"TRUSTED_PROXIES": "1"}).trusted_proxies == 1
    for bad in ("-1", "50"):
        with pytest.raises(SettingsError):
            Settings.from_env({"TRUSTED_PROXIES": bad})


def test_rate_limits_are_settings():
    settings = Settings.from_env({"RATE_LIMIT_LINKS": "3/hour", "RATE_LIMIT_REFRESH": "5/minute"})
    assert (settings.rate_limit_links, settings.rate_limit_refresh) == ("3/hour", "5/minute")


def test_staging_holds_production_rules_but_allows_the_sandbox():
    real = {
        "DATABASE_URL": "postgresql://hub@db/hub",
        "PLATFORM_KEY": "k",
        "PLATFORM_EVENTS_SECRET": "s",
        "FIELD_ENCRYPTION_KEYS": "a2V5",
        "LOOKUP_HASH_KEY": "l",
        "SIGNING_KEYS_PATH": "/run/secrets/hub-signing-keys.json",
        "METRICS_TOKEN": "m",
    }
    settings = Settings.from_env({"HUB_ENV": "staging", "SANDBOX_ENABLED": "true", **real})
    assert settings.is_strict and not settings.is_production and settings.sandbox_enabled
    with pytest.raises(SettingsError) as error:
        Settings.from_env({"HUB_ENV": "staging"})
    message = str(error.value)
    assert "staging" in message and "SANDBOX_ENABLED" not in message
    for needle in ("PLATFORM_KEY", "FIELD_ENCRYPTION_KEYS", "DATABASE_URL", "SIGNING_KEYS_PATH", "METRICS_TOKEN"):
        assert needle in message
