"""What ``make stack`` will run, checked without starting it: its options, its formation, its secrets, and that
the environment it writes is one ``HUB_ENV=staging`` accepts (booting it is ``test_stack.py``)."""

from __future__ import annotations

import re

import pytest

from config import Settings
from ops.stack import (
    PROCFILE,
    StackError,
    StackOptions,
    ensure_secrets,
    ensure_service_account,
    ensure_signing_keys,
    honcho_command,
    read_env_file,
    stack_environment,
)


def test_the_defaults_are_make_runs_ports_and_one_of_each_process():
    options = StackOptions.from_env({})
    assert (options.port, options.sandbox_port) == (8000, 8100)
    assert options.formation_counts() == {"web": 1, "worker": 1, "beat": 1, "sandbox": 1, "fcm": 1}
    assert options.web_urls() == ["http://127.0.0.1:8000"]


def test_more_web_nodes_get_the_next_ports_and_workers_scale():
    options = StackOptions.from_env({"PORT": "9000", "STACK_FORMATION": "web=2,worker=3"})
    assert options.web_urls() == ["http://127.0.0.1:9000", "http://127.0.0.1:9001"]
    assert "web=2,worker=3,beat=1,sandbox=1,fcm=1" in honcho_command(options)


@pytest.mark.parametrize(
    ("formation", "named"),
    [("beat=2", "exactly one beat"), ("beat=0", "exactly one beat"), ("web=0", "at least one web"), ("cron=1", "cron")],
)
def test_a_formation_that_must_not_run_is_refused(formation, named):
    with pytest.raises(StackError, match=named):
        StackOptions.from_env({"STACK_FORMATION": formation})


def test_a_bad_number_names_its_variable():
    with pytest.raises(StackError, match="WEB_CONCURRENCY must be a whole number"):
        StackOptions.from_env({"WEB_CONCURRENCY": "many"})


def test_the_procfile_has_the_processes_of_the_formation_and_web_first():
    names = re.findall(r"^([a-z]+):", PROCFILE.read_text(), flags=re.MULTILINE)
    assert names[0] == "web"
    assert sorted(names) == sorted(StackOptions().formation_counts())
    assert "HUB_ENV" not in PROCFILE.read_text()  # every setting comes from .stack/stack.env


def test_the_stack_environment_is_one_staging_accepts(tmp_path):
    options = StackOptions.from_env({"STACK_DIR": str(tmp_path)})
    values = ensure_secrets(tmp_path, database_is_new=True)
    ensure_signing_keys(tmp_path / "signing-keys.json")
    ensure_service_account(tmp_path / "fcm-service-account.json", f"{options.fcm_url}/token")  # staging needs it
    environment = stack_environment(options, values)

    settings = Settings.from_env(environment)
    assert settings.hub_env == "staging" and settings.is_strict and settings.sandbox_enabled
    assert settings.worker_mode == "celery" and settings.rate_limit_storage_url.startswith("redis://")
    assert settings.fcm_credentials_path and settings.fcm_url == options.fcm_url
    assert environment["SANDBOX_HUB_EVENTS_SECRET"] == settings.platform_events_secret
    assert environment["SANDBOX_PLATFORM_KEY"] == settings.platform_key
    assert (tmp_path / "secrets.env").stat().st_mode & 0o077 == 0


def test_secrets_are_kept_across_starts_and_never_regenerated_for_an_existing_database(tmp_path):
    first = ensure_secrets(tmp_path, database_is_new=True)
    assert ensure_secrets(tmp_path, database_is_new=False) == first == read_env_file(tmp_path / "secrets.env")
    (tmp_path / "secrets.env").unlink()
    with pytest.raises(StackError, match="make stack-reset"):
        ensure_secrets(tmp_path, database_is_new=False)
