"""The sandbox stays a separate, development-only application."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from simulator.__main__ import main
from simulator.app import create_app
from simulator.settings import ProductionRefused, refuse_production
from tests.import_scan import imported_top_levels

from .conftest import PLATFORM, make_settings

SIMULATOR = Path(__file__).resolve().parents[2] / "simulator"
HUB_PACKAGES = {"api", "services", "notifications", "config", "wsgi", "composition", "celery_worker"}


def test_the_simulator_imports_nothing_from_the_hub():
    offenders = {
        str(path.relative_to(SIMULATOR)): sorted(imported_top_levels(path) & HUB_PACKAGES)
        for path in SIMULATOR.rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}
    assert len(offenders) > 20  # the scan really walked the package


def test_every_simulator_folder_says_what_lives_there():
    for folder in [SIMULATOR, *(p for p in SIMULATOR.rglob("*") if p.is_dir() and p.name != "__pycache__")]:
        doc = ast.get_docstring(ast.parse((folder / "__init__.py").read_text()))
        assert doc and len(doc.splitlines()) == 1, folder


def test_create_app_refuses_production(monkeypatch):
    monkeypatch.setenv("HUB_ENV", "production")
    with pytest.raises(ProductionRefused):
        create_app(make_settings())
    with pytest.raises(ProductionRefused):
        refuse_production({"HUB_ENV": " Production "})
    refuse_production({"HUB_ENV": "development"})


def test_the_command_line_refuses_production(monkeypatch, capsys):
    monkeypatch.setenv("HUB_ENV", "production")
    assert main(["--port", "0"]) == 2
    assert "HUB_ENV=production" in capsys.readouterr().err


def test_python_dash_m_simulator_refuses_production_in_a_real_process():
    root = SIMULATOR.parent
    done = subprocess.run(
        [sys.executable, "-m", "simulator", "--port", "0"],
        cwd=root,
        capture_output=True,
        text=True,
        env={"HUB_ENV": "production", "PATH": "/usr/bin:/bin"},
        timeout=30,
    )
    assert done.returncode == 2 and "refuses" in done.stderr


@pytest.mark.parametrize(
    "path",
    [
        "/platform/dhs/clients/IES100200301/cases",
        "/platform/hfs/fhir/Coverage?beneficiary=Patient/hfs-300400501",
        "/platform/aging/export?person_id=PER000000033",
        "/platform/dceo/applicants/EA100200403",
        "/platform/dec/cases?person_id=PER000000044",
        "/platform/dhs/changes?since=0",
    ],
)
def test_platform_data_needs_the_platform_key(client, path):
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic sandbox-platform-key"}):
        response = client.get(path, headers=headers)
        assert response.status_code == 401
        assert response.json["error"] == "unauthorized"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get(path, headers=PLATFORM).status_code == 200


def test_mpi_needs_the_platform_key_but_sandbox_controls_do_not(client):
    assert client.post("/platform/mpi/match", json={}).status_code == 401
    assert client.post("/platform/mpi/link", json={}).status_code == 401
    assert client.get("/platform/sim/state").status_code == 200
    assert client.get("/platform/sim/letters?persona=maria").status_code == 200
