"""Every entry point refuses settings the hub must not run with the same way: the whole list on stderr, each
problem naming its variable, no traceback, a non-zero exit; and ``flask`` commands read the same ``.env`` as the
processes they serve. Real processes: gunicorn (with ``gunicorn.conf.py`` and without it), celery and flask."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_settings import PRODUCTION

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

COMMANDS = {
    "gunicorn": [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--bind", "127.0.0.1:0", "wsgi:app"],
    "gunicorn without its conf": [str(BIN / "gunicorn"), "-c", "/dev/null", "--bind", "127.0.0.1:0", "wsgi:app"],
    "celery": [str(BIN / "celery"), "-A", "celery_worker", "worker", "--pool", "solo"],
    "flask": [str(BIN / "flask"), "--app", "composition:create_app", "outbox", "status"],
}


def run(command: list[str], tmp_path: Path, **variables: str) -> subprocess.CompletedProcess:
    env_file = tmp_path / "empty.env"
    env_file.touch()
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "HUB_ENV_FILE": str(env_file), **variables}
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("entry_point", COMMANDS)
def test_refused_settings_are_listed_without_a_traceback_and_exit_non_zero(entry_point, tmp_path):
    done = run(COMMANDS[entry_point], tmp_path, HUB_ENV="production", PORT="abc", READ_BUDGET_SECONDS="soon")
    assert done.returncode != 0, done.stdout + done.stderr
    output = done.stdout + done.stderr
    assert "Traceback" not in output
    assert "Benefits Hub refuses these settings (HUB_ENV=production), 17 problems:" in output
    for says in (
        "PORT='abc': not a whole number",
        "READ_BUDGET_SECONDS='soon': not a number",
        "SANDBOX_ENABLED must be false in production",
        "PUBLIC_URL='http://127.0.0.1:8000': must be https in production",
        "WORKER_MODE=inprocess runs jobs in each web process",
        "RATE_LIMIT_STORAGE_URL=memory://",
        "OIDC_ISSUER='http://127.0.0.1:8100/idp' is a loopback address",
        "FCM_CREDENTIALS_PATH is empty, so pushes would only be logged",
        "METRICS_TOKEN must be set",
    ):
        assert says in output
    assert output.count("refuses these settings") == 1


def test_gunicorn_refuses_production_without_its_signing_key_file(tmp_path):
    missing = tmp_path / "hub-signing-keys.json"
    done = run(COMMANDS["gunicorn"], tmp_path, **{**PRODUCTION, "SIGNING_KEYS_PATH": str(missing)})
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"SIGNING_KEYS_PATH: no key file at {missing}; create the first key with `flask keys init`" in done.stderr
    bare = run(COMMANDS["gunicorn without its conf"], tmp_path, **{**PRODUCTION, "SIGNING_KEYS_PATH": str(missing)})
    assert bare.returncode != 0 and "Traceback" not in bare.stderr
    assert f"SIGNING_KEYS_PATH: no signing keys at {missing}" in bare.stderr and "flask keys init" in bare.stderr


def test_flask_commands_read_the_env_file_and_the_environment_wins(tmp_path):
    env_file = tmp_path / "hub.env"
    env_file.write_text(
        f"DATABASE_URL=sqlite:///{tmp_path / 'hub.db'}\n"
        "SANDBOX_URL=http://127.0.0.1:8199\nPLATFORM_URL=http://127.0.0.1:8199/platform\nFRESH_SECONDS=61\n"
        "PLATFORM_KEY=not-shown-anywhere\n"
    )
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "HUB_ENV_FILE": str(env_file), "FRESH_SECONDS": "62"}
    command = [str(BIN / "flask"), "--app", "composition:create_app", "settings", "show"]
    done = subprocess.run(command, cwd=tmp_path, env={**env, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    shown = {line.split()[0]: line.split(None, 1)[1] for line in done.stdout.splitlines()}
    assert shown["SANDBOX_URL"] == f"http://127.0.0.1:8199  [{env_file}]"
    assert shown["PLATFORM_URL"] == f"http://127.0.0.1:8199/platform  [{env_file}]"
    assert shown["FRESH_SECONDS"] == "62  [environment]"
    assert shown["PORT"] == "8000  [default]"
    assert shown["PLATFORM_KEY"] == f"(set, hidden)  [{env_file}]"
    assert shown["FIELD_ENCRYPTION_KEYS"] == "(development value)  [default]"
    assert "not-shown-anywhere" not in done.stdout
