"""The sandbox documents its own routes: every route is in its /openapi.json (a valid OpenAPI 3.0 document), the
helper calls a developer makes by hand answer as described (openapi-core validates them), and /docs works offline."""

from __future__ import annotations

import json
import re

from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIResponse
from openapi_spec_validator import validate

from tests.openapi_validation import RequestOf

UNDOCUMENTED = {"static", "description.docs_init", "description.docs_asset"}  # Swagger UI's own files


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[a-z]+:)?(\w+)>", r"{\1}", rule)


def test_every_sandbox_route_is_in_its_document(shared_app, client):
    document = client.get("/openapi.json").get_json()
    validate(document)
    missing = []
    for rule in shared_app.url_map.iter_rules():
        if rule.endpoint in UNDOCUMENTED:
            continue
        documented = document["paths"].get(_openapi_path(rule.rule), {})
        missing += [
            f"{method} {rule.rule}" for method in rule.methods - {"HEAD", "OPTIONS"} if method.lower() not in documented
        ]
    assert missing == []
    assert {"/idp/test-login", "/staff-idp/test-login", "/platform/sim/advance", "/platform/mpi/match"} <= set(
        document["paths"]
    )


def test_the_helper_routes_answer_as_described(client):
    document = client.get("/openapi.json").get_json()
    document["servers"] = [{"url": "/"}]
    checker = OpenAPI.from_dict(document)
    calls = [
        client.post("/idp/test-login", json={"persona": "maria"}),
        client.post("/idp/test-login", json={"persona": "nobody"}),
        client.post("/staff-idp/test-login", json={"persona": "sophie"}),
        client.get("/platform/sim/letters?persona=grace"),
        client.post("/platform/sim/faults", json={"agency": "HFS", "mode": "ok"}),
        client.post("/platform/sim/advance", json={"days": 0}),
        client.get("/platform/sim/state"),
    ]
    assert [call.status_code for call in calls] == [200, 404, 200, 200, 200, 422, 200]
    for call in calls:
        checker.validate_response(RequestOf(call.request), WerkzeugOpenAPIResponse(call))


def test_the_sandbox_docs_page_needs_no_internet(client):
    page = client.get("/docs").get_data(as_text=True)
    assert not re.search(r"https?://", page)
    for asset in re.findall(r'(?:src|href)="([^"]+)"', page):
        response = client.get(asset)
        assert response.status_code == 200 and response.data, asset
    assert json.loads(client.get("/").get_data())["docs"].endswith("/docs")
