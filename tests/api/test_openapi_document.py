"""The document itself: valid OpenAPI 3.0, errors as sent, no ``default``, every header the routes read, method-like
operationIds, audience-ordered tags, and examples that match their schemas."""

from __future__ import annotations

import pytest
from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate
from referencing import Registry
from referencing.jsonschema import DRAFT4

from api.openapi.tags import AUDIENCES, TAGS

OWN_ERROR_BODIES = {("/readyz", "get", "503")}  # readiness answers its checks, not a problem
METHODS = {"get", "put", "post", "patch", "delete"}


@pytest.fixture
def document(sandbox_client):
    return sandbox_client.get("/openapi.json").get_json()


def operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def resolve(document, node):
    while isinstance(node, dict) and "$ref" in node:
        target = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def parameter_names(document, operation, path):
    found = [
        resolve(document, p) for p in operation.get("parameters", []) + document["paths"][path].get("parameters", [])
    ]
    return {(p["in"], p["name"]) for p in found}


def test_the_document_is_valid_openapi(document):
    validate(document)
    assert document["servers"] and document["openapi"].startswith("3.0")


def test_every_error_is_a_problem_document_and_nothing_hides_behind_default(document):
    wrong = []
    for path, method, operation in operations(document):
        assert "default" not in operation["responses"], (method, path)
        for status, response in operation["responses"].items():
            response = resolve(document, response)
            headers = response.get("headers", {})
            if "X-Request-ID" not in headers:
                wrong.append(f"{method} {path} {status}: no X-Request-ID")
            if int(status) < 400 or (path, method, status) in OWN_ERROR_BODIES:
                continue
            content = response.get("content", {})
            if list(content) != ["application/problem+json"]:
                wrong.append(f"{method} {path} {status}: {list(content)}")
            elif content["application/problem+json"]["schema"] != {"$ref": "#/components/schemas/Problem"}:
                wrong.append(f"{method} {path} {status}: not the Problem schema")
            if status in {"429", "503"} and "Retry-After" not in headers:
                wrong.append(f"{method} {path} {status}: no Retry-After")
            if status == "401" and "WWW-Authenticate" not in headers and "/auth/token" not in path:
                wrong.append(f"{method} {path} 401: no WWW-Authenticate")
        statuses = set(operation["responses"])
        if operation.get("security") and "401" not in statuses:
            wrong.append(f"{method} {path}: secured without 401")
        if "{" in path and "404" not in statuses:
            wrong.append(f"{method} {path}: a path parameter without 404")
        if "requestBody" in operation and not {"413", "415"} <= statuses:
            wrong.append(f"{method} {path}: a body without 413/415")
    problem = document["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "request_id"} <= set(problem["required"])
    assert problem["properties"]["status"]["type"] == "integer"
    assert wrong == []


def test_the_headers_routes_read_are_parameters(document):
    def names(path, method):
        return {
            name
            for where, name in parameter_names(document, document["paths"][path][method], path)
            if where == "header"
        }

    for path in ("/v1/me/benefits", "/v1/me/benefits/{benefit_id}", "/v1/me/actions"):
        assert "If-None-Match" in names(path, "get"), path
    for path, method, _ in operations(document):
        if path.startswith("/v1/admin/residents/") or path == "/v1/admin/residents":
            assert "X-Access-Reason" in names(path, method), path
    for path in ("/v1/admin/residents/{resident_id}/benefits", "/v1/admin/residents/{resident_id}/notifications"):
        assert "X-Break-Glass" in names(path, "get")
    for path, method in (("/v1/me/devices", "post"), ("/v1/me/links", "post")):
        assert "Idempotency-Key" in names(path, method)
    for path, _method, operation in operations(document):
        assert ("header", "X-Request-ID") in parameter_names(document, operation, path), path
    token = document["paths"]["/v1/auth/token"]["post"]["requestBody"]["content"]
    assert {"application/json", "application/x-www-form-urlencoded"} <= set(token)


def test_preferences_are_documented_as_closed_as_they_are_validated(document):
    schemas = document["components"]["schemas"]
    categories = schemas["Preferences"]["properties"]["categories"]
    assert categories["additionalProperties"] is False and "payments" in categories["properties"]
    quiet = schemas["Preferences"]["properties"]["quiet_hours"]["anyOf"]
    assert {"type": "object", "nullable": True, "enum": [None]} in quiet
    assert (
        schemas["QuietHours"]["additionalProperties"] is False
        and "pattern" in schemas["QuietHours"]["properties"]["start"]
    )


def test_operation_ids_are_unique_method_names_and_tags_follow_the_audiences(document):
    ids = [operation["operationId"] for _, _, operation in operations(document)]
    assert len(ids) == len(set(ids)) and all(i[:1].islower() and i.isalnum() for i in ids)
    for _, _, operation in operations(document):
        assert operation.get("summary") or operation.get("description"), operation["operationId"]
    listed = [tag["name"] for tag in document["tags"]]
    placed = [name for name, _ in TAGS]
    assert set(listed) <= set(placed), "a blueprint has no tag in api/openapi/tags.py"
    assert listed == [name for name in placed if name in listed]
    audiences = [name.split(":")[0].lower() for name in listed]
    assert audiences == sorted(audiences, key=AUDIENCES.index)
    assert all(tag.get("description") for tag in document["tags"])


def test_every_example_matches_its_schema(document):
    registry = Registry().with_resource("urn:hub", DRAFT4.create_resource(document))
    checked, wrong = 0, []
    for path, method, operation in operations(document):
        bodies = [("request", operation.get("requestBody", {}))]
        bodies += [(status, resolve(document, response)) for status, response in operation["responses"].items()]
        for where, body in bodies:
            for media_type, media in body.get("content", {}).items():
                if "example" not in media or media_type == "application/x-www-form-urlencoded":
                    continue
                schema = {"$ref": "urn:hub" + media["schema"]["$ref"]} if "$ref" in media["schema"] else media["schema"]
                try:
                    OAS30Validator(schema, registry=registry).validate(media["example"])
                except ValidationError as error:
                    wrong.append(f"{method} {path} {where}: {error.message[:200]}")
                checked += 1
    assert wrong == []
    assert checked >= 12
