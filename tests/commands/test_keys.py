"""``flask keys init|list|rotate`` through Flask's CLI runner: the first key is written owner-only and published,
an existing file is never overwritten, and no key material is ever printed."""

from __future__ import annotations

import dataclasses
import json
import stat

import pytest

from composition import build_hub, create_app
from services.background import ManualRunner


@pytest.fixture
def fresh_keys_app(settings, test_database, tmp_path):
    """An app whose SIGNING_KEYS_PATH does not exist yet (a new deployment)."""
    path = tmp_path / "secrets" / "hub-signing-keys.json"
    hub = build_hub(
        dataclasses.replace(settings, signing_keys_path=str(path)), engine=test_database.engine, runner=ManualRunner
    )
    app = create_app(hub=hub)
    app.config["TESTING"] = True
    return app, path


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def test_init_writes_the_first_key_owner_only_and_prints_only_its_kid(fresh_keys_app):
    app, path = fresh_keys_app
    result = run(app, "keys", "init")
    assert result.exit_code == 0, result.output
    (key,) = json.loads(path.read_text())["keys"]
    assert result.output.startswith(f"signing key {key['kid']} written to {path}")
    assert "PRIVATE KEY" not in result.output and key["private_key_pem"].splitlines()[1] not in result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    jwks = app.test_client().get("/.well-known/jwks.json").get_json()
    assert [entry["kid"] for entry in jwks["keys"]] == [key["kid"]]


def test_init_never_overwrites_an_existing_key_file(fresh_keys_app):
    app, path = fresh_keys_app
    assert run(app, "keys", "init").exit_code == 0
    before = path.read_bytes()
    again = run(app, "keys", "init")
    assert again.exit_code == 1 and f"{path} exists; it is never overwritten" in again.output
    assert path.read_bytes() == before


def test_list_and_rotate_need_the_file_then_show_kids_only(fresh_keys_app):
    app, path = fresh_keys_app
    for verb in ("list", "rotate"):
        missing = run(app, "keys", verb)
        assert missing.exit_code == 1 and "flask keys init" in missing.output
    assert run(app, "keys", "init").exit_code == 0
    rotated = run(app, "keys", "rotate")
    assert rotated.exit_code == 0 and rotated.output.startswith("new signing key ")
    kids = [key["kid"] for key in json.loads(path.read_text())["keys"]]
    listed = run(app, "keys", "list").output.splitlines()
    assert [line.split()[:2] for line in listed] == [[kids[0], "signs"], [kids[1], "verifies"]]


def test_a_new_production_deployment_starts_with_keys_init(tmp_path):
    """Production refuses to start without its key file, and ``flask keys init`` (itself run with production's
    settings, which it must not refuse for the missing file) writes it; gunicorn's check then passes."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from tests.test_settings import PRODUCTION

    root = Path(__file__).resolve().parents[2]
    path = tmp_path / "hub-signing-keys.json"
    (tmp_path / "hub.env").touch()
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "HUB_ENV_FILE": str(tmp_path / "hub.env"),
        **PRODUCTION,
        "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/never-connected",
        "SIGNING_KEYS_PATH": str(path),
    }
    flask = [str(Path(sys.executable).parent / "flask"), "--app", "composition:create_app", "keys"]
    done = subprocess.run([*flask, "init"], cwd=root, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    (key,) = json.loads(path.read_text())["keys"]
    assert done.stdout.startswith(f"signing key {key['kid']} written to {path}") and "Traceback" not in done.stderr
    again = subprocess.run([*flask, "init"], cwd=root, env=env, capture_output=True, text=True, timeout=60)
    assert again.returncode == 1 and "is never overwritten" in again.stderr
