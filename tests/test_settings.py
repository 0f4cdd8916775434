"""Settings from the environment and ``.env`` files, typed parsing that names the variable, and the rules of
staging and production: each unsafe setting refused, every problem in one message."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import DEV_SIGNING_KEYS_PATH, Settings, SettingsError, read_environment, read_sources


def test_embedded_default_needs_no_variables():
    settings = Settings.from_env({})
    assert settings.is_sqlite and settings.sandbox_enabled and settings.worker_mode == "inprocess"
    assert settings.pushes_only_logged


def test_environment_variables_are_typed():
    settings = Settings.from_env(
        {"PORT": "9000", "SANDBOX_ENABLED": "false", "READ_BUDGET_SECONDS": "1.5", "OIDC_ACCEPTED_ACR": "a,b"}
    )
    assert settings.port == 9000 and settings.sandbox_enabled is False
    assert settings.read_budget_seconds == 1.5 and settings.oidc_accepted_acr == ("a", "b")
    assert Settings.from_env({"LOG_LEVEL": "debug"}).log_level == "DEBUG"
    assert Settings.from_env({"TRUSTED_HOSTS": '["a.example", "b.example"]'}).trusted_hosts == (
        "a.example",
        "b.example",
    )


@pytest.mark.parametrize(
    ("variable", "raw", "says"),
    [
        ("PORT", "abc", "PORT='abc': not a whole number"),
        ("PORT", "70000", "PORT=70000: not a TCP port"),
        ("READ_BUDGET_SECONDS", "soon", "READ_BUDGET_SECONDS='soon': not a number"),
        ("SANDBOX_ENABLED", "maybe", "SANDBOX_ENABLED='maybe': not true or false"),
        ("TRUSTED_HOSTS", "[1, 2]", "TRUSTED_HOSTS='[1, 2]': not a JSON list of strings"),
        ("WORKER_MODE", "threads", "WORKER_MODE='threads': must be one of inprocess, celery"),
        ("PUSH_TRANSPORT", "apns", "PUSH_TRANSPORT='apns': must be one of (empty), fcm, log"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL='LOUD': must be one of DEBUG"),
        ("RATE_LIMIT_LINKS", "lots", "RATE_LIMIT_LINKS='lots': not a rate limit"),
        ("PARTNER_DAILY_QUOTA", "lots", "PARTNER_DAILY_QUOTA='lots': not a rate limit"),
        ("PARTNER_TOKEN_TTL_SECONDS", "600", "PARTNER_TOKEN_TTL_SECONDS=600: must be from 1 to 300"),
        ("PUBLIC_URL", "hub.example.gov", "PUBLIC_URL='hub.example.gov': not an http(s) address"),
        ("HUB_ENV", "staging-ish", "HUB_ENV='staging-ish': must be one of development, test, staging, production"),
    ],
)
def test_every_bad_value_names_its_variable(variable, raw, says):
    with pytest.raises(SettingsError) as error:
        Settings.from_env({variable: raw})
    assert [problem.variable for problem in error.value.problems] == [variable]
    assert says in str(error.value)


def test_unreadable_values_are_all_listed_together_and_secrets_are_not_quoted():
    with pytest.raises(SettingsError) as error:
        Settings.from_env({"PORT": "abc", "FRESH_SECONDS": "x", "DATABASE_POOL_SIZE": "", "PUSH_TRANSPORT": "fcm"})
    assert {problem.variable for problem in error.value.problems} == {
        "PORT",
        "FRESH_SECONDS",
        "DATABASE_POOL_SIZE",
        "PUSH_TRANSPORT",
    }
    report = error.value.report()
    assert report.startswith("Benefits Hub refuses these settings (HUB_ENV=development), 4 problems:")
    assert "Traceback" not in report


PRODUCTION = {
    "HUB_ENV": "production",
    "SANDBOX_ENABLED": "false",
    "PUBLIC_URL": "https://hub.example.gov",
    "DATABASE_URL": "postgresql://hub@db/hub",
    "PLATFORM_URL": "https://platform.example.gov/api",
    "OIDC_ISSUER": "https://login.example.gov",
    "STAFF_OIDC_ISSUER": "https://staff-login.example.gov",
    "PLATFORM_KEY": "k",
    "PLATFORM_EVENTS_SECRET": "s",
    "FIELD_ENCRYPTION_KEYS": "a2V5",
    "LOOKUP_HASH_KEY": "l",
    "SIGNING_KEYS_PATH": "/run/secrets/hub-signing-keys.json",
    "WORKER_MODE": "celery",
    "CELERY_BROKER_URL": "redis://redis:6379/0",
    "RATE_LIMIT_STORAGE_URL": "redis://redis:6379/1",
    "PUSH_TRANSPORT": "log",
    "METRICS_TOKEN": "m",
}


def test_production_starts_with_real_settings():
    settings = Settings.from_env(PRODUCTION)
    assert settings.is_production and settings.is_strict and settings.pushes_only_logged


def test_production_with_nothing_set_lists_every_problem_at_once():
    with pytest.raises(SettingsError) as error:
        Settings.from_env({"HUB_ENV": "production"})
    refused = {problem.variable for problem in error.value.problems}
    assert refused == {
        "SANDBOX_ENABLED",
        "PLATFORM_KEY",
        "PLATFORM_EVENTS_SECRET",
        "FIELD_ENCRYPTION_KEYS",
        "LOOKUP_HASH_KEY",
        "SIGNING_KEYS_PATH",
        "DATABASE_URL",
        "OIDC_ISSUER",
        "STAFF_OIDC_ISSUER",
        "PLATFORM_URL",
        "PUBLIC_URL",
        "FCM_CREDENTIALS_PATH",
        "WORKER_MODE",
        "RATE_LIMIT_STORAGE_URL",
        "METRICS_TOKEN",
    }
    assert "(HUB_ENV=production), 15 problems" in str(error.value)


def refused(**changes: str) -> list[str]:
    """What production says about its real settings changed by ``changes`` (variable → value)."""
    try:
        Settings.from_env({**PRODUCTION, **changes})
    except SettingsError as error:
        return [str(problem) for problem in error.problems]
    return []


@pytest.mark.parametrize("variable", ["OIDC_ISSUER", "STAFF_OIDC_ISSUER", "PLATFORM_URL"])
@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8100/idp", "https://localhost/x", "http://[::1]:8100/x", "http://127.0.0.2/x"]
)
def test_production_refuses_identity_providers_and_platform_at_loopback(variable, url):
    assert refused(**{variable: url}) == [f"{variable}={url!r} is a loopback address, " + refused_what(variable)]


def refused_what(variable: str) -> str:
    return {
        "OIDC_ISSUER": "not the resident identity provider",
        "STAFF_OIDC_ISSUER": "not the workforce identity provider",
        "PLATFORM_URL": "not the state's data platform",
    }[variable]


def test_production_refuses_a_public_url_without_https():
    assert refused(PUBLIC_URL="http://hub.example.gov") == [
        "PUBLIC_URL='http://hub.example.gov': must be https in production"
    ]


def test_production_refuses_pushes_only_logged_unless_said_explicitly(tmp_path):
    (problem,) = refused(PUSH_TRANSPORT="")
    assert problem.startswith("FCM_CREDENTIALS_PATH is empty, so pushes would only be logged")
    assert "PUSH_TRANSPORT=log" in problem
    assert refused(PUSH_TRANSPORT="log") == []
    assert refused(PUSH_TRANSPORT="fcm") == ["PUSH_TRANSPORT=fcm needs FCM_CREDENTIALS_PATH"]
    assert refused(PUSH_TRANSPORT="", FCM_CREDENTIALS_PATH=str(tmp_path / "missing.json")) == [
        f"FCM_CREDENTIALS_PATH: no file at {tmp_path / 'missing.json'}"
    ]
    credentials = tmp_path / "service-account.json"
    credentials.write_text("{}")
    assert refused(PUSH_TRANSPORT="", FCM_CREDENTIALS_PATH=str(credentials)) == []
    assert refused(PUSH_TRANSPORT="fcm", FCM_CREDENTIALS_PATH=str(credentials)) == []
    assert refused(PUSH_TRANSPORT="fcm", FCM_CREDENTIALS_PATH=str(credentials), FCM_URL="http://127.0.0.1:9/") == [
        "FCM_URL='http://127.0.0.1:9/' is a loopback address (a fake FCM)"
    ]


def test_production_refuses_the_in_process_worker_and_a_celery_without_broker():
    (problem,) = refused(WORKER_MODE="inprocess")
    assert problem.startswith("WORKER_MODE=inprocess runs jobs in each web process")
    assert refused(CELERY_BROKER_URL="") == [
        "CELERY_BROKER_URL is empty: WORKER_MODE=celery needs a broker (or REDIS_URL)"
    ]
    assert refused(CELERY_BROKER_URL="", REDIS_URL="redis://redis:6379/0") == []


def test_production_refuses_per_process_rate_limits():
    (problem,) = refused(RATE_LIMIT_STORAGE_URL="memory://")
    assert problem.startswith("RATE_LIMIT_STORAGE_URL=memory:// keeps limits per process")


def test_production_refuses_sqlite():
    assert refused(DATABASE_URL="sqlite:////srv/hub.db") == [
        "DATABASE_URL must be PostgreSQL in production, not SQLite"
    ]


def test_production_refuses_the_sandbox():
    assert refused(SANDBOX_ENABLED="true") == ["SANDBOX_ENABLED must be false in production"]


def test_production_refuses_metrics_without_a_token():
    assert refused(METRICS_TOKEN="") == ["METRICS_TOKEN must be set (Prometheus scrapes /metrics with it)"]


def test_production_refuses_development_secrets():
    from config import DEV_EVENTS_SECRET, DEV_FIELD_KEY, DEV_LOOKUP_KEY, DEV_PLATFORM_KEY

    assert refused(PLATFORM_KEY=DEV_PLATFORM_KEY) == ["PLATFORM_KEY is the development key"]
    assert refused(PLATFORM_EVENTS_SECRET=DEV_EVENTS_SECRET) == ["PLATFORM_EVENTS_SECRET is the development secret"]
    assert refused(FIELD_ENCRYPTION_KEYS=f"new,{DEV_FIELD_KEY}") == [
        "FIELD_ENCRYPTION_KEYS contains the development key"
    ]
    assert refused(LOOKUP_HASH_KEY=DEV_LOOKUP_KEY) == ["LOOKUP_HASH_KEY is the development key"]
    assert refused(SIGNING_KEYS_PATH=str(DEV_SIGNING_KEYS_PATH)) == [
        "SIGNING_KEYS_PATH is the development key file (instance/signing-keys.json)"
    ]


SANDBOX_STAGING = {  # make stack's shape: everything on this machine
    **PRODUCTION,
    "HUB_ENV": "staging",
    "SANDBOX_ENABLED": "true",
    "PUBLIC_URL": "http://127.0.0.1:8000",
    "FCM_URL": "http://127.0.0.1:8200",
    "SANDBOX_URL": "http://127.0.0.1:8100",
    "OIDC_ISSUER": "http://127.0.0.1:8100/idp",
    "STAFF_OIDC_ISSUER": "http://127.0.0.1:8100/staff-idp",
    "PLATFORM_URL": "http://127.0.0.1:8100/platform",
}


def test_staging_is_production_rules_with_the_sandbox_allowed():
    staging = Settings.from_env(SANDBOX_STAGING)
    assert staging.is_strict and not staging.is_production and staging.sandbox_enabled
    with pytest.raises(SettingsError) as error:
        Settings.from_env({"HUB_ENV": "staging"})
    refused_in_staging = {problem.variable for problem in error.value.problems}
    assert "SANDBOX_ENABLED" not in refused_in_staging
    assert {
        "DATABASE_URL",
        "WORKER_MODE",
        "RATE_LIMIT_STORAGE_URL",
        "PLATFORM_KEY",
        "FIELD_ENCRYPTION_KEYS",
        "SIGNING_KEYS_PATH",
        "METRICS_TOKEN",
    } <= refused_in_staging


def test_staging_allows_plain_http_only_on_this_machine():
    for public_url in ("http://hub.staging.example.gov", "http://10.0.0.5:8000"):
        with pytest.raises(SettingsError) as error:
            Settings.from_env({**SANDBOX_STAGING, "PUBLIC_URL": public_url})
        assert [str(problem) for problem in error.value.problems] == [
            f"PUBLIC_URL={public_url!r}: must be https in staging (plain http only at a loopback address)"
        ]
    assert Settings.from_env({**SANDBOX_STAGING, "PUBLIC_URL": "https://hub.staging.example.gov"}).is_strict


def test_staging_allows_loopback_only_for_the_sandbox_it_runs():
    with pytest.raises(SettingsError) as error:
        Settings.from_env({**SANDBOX_STAGING, "OIDC_ISSUER": "http://127.0.0.1:9999/idp"})
    assert [problem.variable for problem in error.value.problems] == ["OIDC_ISSUER"]
    with pytest.raises(SettingsError) as error:
        Settings.from_env({**SANDBOX_STAGING, "SANDBOX_ENABLED": "false"})
    assert {problem.variable for problem in error.value.problems} == {
        "OIDC_ISSUER",
        "STAFF_OIDC_ISSUER",
        "PLATFORM_URL",
    }
    with pytest.raises(SettingsError) as error:
        Settings.from_env({**SANDBOX_STAGING, "HUB_ENV": "production", "SANDBOX_ENABLED": "false"})
    assert {problem.variable for problem in error.value.problems} == {
        "OIDC_ISSUER",
        "STAFF_OIDC_ISSUER",
        "PLATFORM_URL",
        "PUBLIC_URL",
        "FCM_URL",
    }


def test_trusted_proxies_is_a_small_count_and_off_by_default():
    assert Settings.from_env({}).trusted_proxies == 0
    assert Settings.from_env({"TRUSTED_PROXIES": "1"}).trusted_proxies == 1
    for bad in ("-1", "50"):
        with pytest.raises(SettingsError):
            Settings.from_env({"TRUSTED_PROXIES": bad})


def test_rate_limits_are_settings():
    settings = Settings.from_env({"RATE_LIMIT_LINKS": "3/hour", "RATE_LIMIT_REFRESH": "5/minute"})
    assert (settings.rate_limit_links, settings.rate_limit_refresh) == ("3/hour", "5/minute")


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_env_files_are_read_and_the_environment_wins(tmp_path):
    run = write(tmp_path / "run.env", "SANDBOX_URL=http://127.0.0.1:8101\nPORT=8001\nFRESH_SECONDS=60\n")
    operator = write(tmp_path / ".env", "# the operator's\nPORT=8002\nDATABASE_URL='sqlite:////tmp/x.db'\n")
    environment = read_environment({"FRESH_SECONDS": "30"}, files=[run, operator])
    settings = Settings.from_env(environment)
    assert settings.sandbox_url == "http://127.0.0.1:8101"  # instance/.env (make run's)
    assert settings.port == 8002  # .env wins over instance/.env
    assert settings.database_url == "sqlite:////tmp/x.db"
    assert settings.fresh_seconds == 30  # the environment wins over both
    sources = read_sources({"FRESH_SECONDS": "30"}, files=[run, operator])
    assert (sources["PORT"].origin, sources["FRESH_SECONDS"].origin) == (str(operator), "environment")


def test_a_bad_value_in_an_env_file_names_its_variable(tmp_path):
    operator = write(tmp_path / ".env", "PORT=eighty\n")
    with pytest.raises(SettingsError) as error:
        Settings.from_env(read_environment({}, files=[operator]))
    assert "PORT='eighty': not a whole number" in str(error.value)


def test_hub_env_file_names_the_file_and_must_exist(tmp_path):
    named = write(tmp_path / "hub.env", "FRESH_SECONDS=61\n")
    assert Settings.from_env(read_environment({"HUB_ENV_FILE": str(named)})).fresh_seconds == 61
    with pytest.raises(SettingsError) as error:
        read_environment({"HUB_ENV_FILE": str(tmp_path / "nope.env")})
    assert [problem.variable for problem in error.value.problems] == ["HUB_ENV_FILE"]


def test_a_test_process_reads_no_env_file():
    from config import env_files

    assert env_files({"HUB_ENV": "test"}) == []
    assert len(env_files({})) == 2
