"""Probes, the OpenAPI document and the docs page (served with no internet)."""

from __future__ import annotations

import re

from sqlalchemy import create_engine

from services.readiness import database_check


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_reports_the_database(client):
    body = client.get("/readyz").get_json()
    assert body["status"] == "ready"
    assert [check["name"] for check in body["checks"]] == ["database"]


def test_readyz_is_503_when_a_dependency_is_down(client, hub, tmp_path):
    unreachable = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 1})
    hub.readiness.add("platform", database_check(unreachable))
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = {check["name"]: check["ok"] for check in response.get_json()["checks"]}
    assert checks == {"database": True, "platform": False}


def test_openapi_declares_security_schemes(client):
    spec = client.get("/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert {"resident", "staff", "platformSignature"} <= set(spec["components"]["securitySchemes"])
    assert "/healthz" in spec["paths"]


def test_docs_page_loads_every_asset_from_this_server(client):
    page = client.get("/docs").get_data(as_text=True)
    assert "swagger-ui" in page
    assert not re.search(r"https?://", page), "the docs page must not reference another host"
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert len(assets) >= 4
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200, asset
        assert len(response.data) > 0
    init = client.get("/docs/init.js").get_data(as_text=True)
    assert "/openapi.json" in init and not re.search(r"https?://", init)


def test_docs_assets_are_an_allow_list(client):
    assert client.get("/docs/assets/..%2Fconfig.py").status_code == 404
    assert client.get("/docs/assets/index.html").status_code == 404
