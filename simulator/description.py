"""The sandbox describes itself: ``GET /openapi.json`` (OpenAPI 3.0) and ``GET /docs`` (Swagger UI, offline).

Every route of the sandbox is listed here, grouped by what it plays (the resident and workforce identity
providers, the platform's person index and feeds, the sandbox controls), with the helper routes a developer
calls by hand (``test-login``, ``sim/advance``, ``sim/faults``, ``sim/letters``, …) described in full;
``tests/simulator/test_description.py`` fails when a route is missing. Written by hand, not generated: the
simulator imports nothing of the hub, and its routes are plain Flask. Swagger UI's files come from the
flask-swagger-ui package, as the hub's do.
"""

from __future__ import annotations

from pathlib import Path

import flask_swagger_ui
from flask import Blueprint, Response, abort, send_from_directory

from simulator.sandbox import current_sandbox

blueprint = Blueprint("description", __name__)
BUNDLE = Path(flask_swagger_ui.__file__).with_name("dist")
ASSETS = {"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "favicon-32x32.png"}
PERSONAS = ["maria", "james", "ana", "lee", "sam", "grace", "rosa"]
STAFF_PERSONAS = ["sophie", "omar", "ada"]

ERROR = {"$ref": "#/components/responses/Error"}
JSON_OBJECT = {"type": "object", "additionalProperties": True}


def _ok(description: str, example=None, schema=None) -> dict:
    media = {"schema": schema or JSON_OBJECT}
    if example is not None:
        media["example"] = example
    return {"200": {"description": description, "content": {"application/json": media}}}


def _body(properties: dict, required: list[str], example: dict) -> dict:
    schema = {"type": "object", "properties": properties, **({"required": required} if required else {})}
    return {"required": bool(required), "content": {"application/json": {"schema": schema, "example": example}}}


def _query(name: str, description: str, schema: dict | None = None, *, required: bool = False) -> dict:
    return {
        "in": "query",
        "name": name,
        "description": description,
        "required": required,
        "schema": schema or {"type": "string"},
    }


def _path(name: str) -> dict:
    return {"in": "path", "name": name, "required": True, "schema": {"type": "string"}}


def _op(tag: str, summary: str, responses: dict, *, errors=(), **more) -> dict:
    operation = {"tags": [tag], "summary": summary, "responses": {**responses}}
    for status in errors:
        operation["responses"][str(status)] = ERROR
    operation.update(more)
    return operation


RESIDENT, STAFF, PARTNER, INDEX, FEEDS, CONTROLS = (
    "Resident identity provider",
    "Workforce identity provider",
    "Partner apps",
    "Person index",
    "Agency feeds",
    "Sandbox controls",
)
PARTNERS = ["sandbox-partner-dhs", "sandbox-partner-hfs"]
PLATFORM_KEY = [{"platformKey": []}]


def paths() -> dict:
    persona = {"type": "string", "enum": PERSONAS, "description": "A sandbox persona, or resident-<n>"}
    login = _body(
        {"persona": persona, "client_id": {"type": "string", "default": "sandbox-app"}, "nonce": {"type": "string"}},
        ["persona"],
        {"persona": "maria"},
    )
    advance_example = {
        "scenario_day": 7,
        "date": "2026-03-09",
        "events_emitted": 6,
        "events": [],
        "events_truncated": False,
    }
    return {
        "/idp/.well-known/openid-configuration": {"get": _op(RESIDENT, "OpenID Connect discovery", _ok("Discovery"))},
        "/idp/jwks.json": {"get": _op(RESIDENT, "The provider's signing keys (RS256)", _ok("JWKS"))},
        "/idp/rotate-keys": {
            "post": _op(RESIDENT, "Rotate the signing key (the old one stays listed)", _ok("New key id and JWKS"))
        },
        "/idp/test-login": {
            "post": _op(
                RESIDENT,
                "An ID token for a persona, without the browser: what the README and the tests use",
                _ok("The ID token", {"id_token": "eyJhbGciOiJSUzI1NiIs…"}),
                errors=(400, 404),
                requestBody=login,
                description="Exchange it at the hub's `POST /v1/auth/token` (token exchange, "
                "`subject_token_type=urn:ietf:params:oauth:token-type:id_token`, `client_id=sandbox-app`).",
            )
        },
        "/idp/authorize": {
            "get": _op(
                RESIDENT,
                "Authorization code + PKCE (S256): the persona picker, or straight back with login_hint",
                {
                    "200": {
                        "description": "The persona picker",
                        "content": {"text/html": {"schema": {"type": "string"}}},
                    },
                    "302": {"description": "Back to redirect_uri with code and state (or error)"},
                },
                errors=(400,),
                parameters=[
                    _query("response_type", "Always `code`", {"type": "string", "enum": ["code"]}, required=True),
                    _query("client_id", "The app, e.g. sandbox-app", required=True),
                    _query("redirect_uri", "Loopback http or a private-use scheme (RFC 8252)", required=True),
                    _query("code_challenge", "BASE64URL(SHA-256(verifier))", required=True),
                    _query("code_challenge_method", "`S256`", {"type": "string", "enum": ["S256"]}, required=True),
                    _query("state", "Returned as given"),
                    _query("nonce", "Put in the ID token"),
                    _query("login_hint", "A persona: skips the picker", persona),
                ],
            ),
            "post": _op(
                RESIDENT,
                "The persona picker's form (the same parameters, with login_hint)",
                {"302": {"description": "Back to redirect_uri"}},
                errors=(400,),
            ),
        },
        "/idp/token": {
            "post": _op(
                RESIDENT,
                "Redeem a code (form: grant_type, code, redirect_uri, client_id, code_verifier); the hub calls it as the PKCE broker",
                _ok("id_token, access_token"),
                errors=(400,),
            )
        },
        "/idp/userinfo": {
            "get": _op(RESIDENT, "The claims of the provider's own access token", _ok("Claims"), errors=(401,))
        },
        "/staff-idp/.well-known/openid-configuration": {
            "get": _op(STAFF, "OpenID Connect discovery", _ok("Discovery"))
        },
        "/staff-idp/jwks.json": {"get": _op(STAFF, "The provider's signing keys", _ok("JWKS"))},
        "/staff-idp/rotate-keys": {"post": _op(STAFF, "Rotate the signing key", _ok("New key id and JWKS"))},
        "/staff-idp/test-login": {
            "post": _op(
                STAFF,
                "An ID token for a staff persona (sophie: support, omar: supervisor, ada: admin)",
                _ok("The ID token", {"id_token": "eyJhbGciOiJSUzI1NiIs…"}),
                errors=(404,),
                requestBody=_body(
                    {"persona": {"type": "string", "enum": STAFF_PERSONAS}, "nonce": {"type": "string"}},
                    ["persona"],
                    {"persona": "sophie"},
                ),
                description="Exchange it at the hub's token endpoint with `client_id=support-console`.",
            )
        },
        "/partner/test-assertion": {
            "post": _op(
                PARTNER,
                "A signed RFC 7523 client assertion for a sandbox partner app (ES256, two minutes to live)",
                _ok("The assertion", {"client_assertion": "eyJhbGciOiJFUzI1NiIs…"}),
                errors=(404, 422),
                requestBody=_body(
                    {
                        "client_id": {"type": "string", "enum": PARTNERS},
                        "audience": {"type": "string", "format": "uri"},
                    },
                    ["client_id", "audience"],
                    {"client_id": "sandbox-partner-dhs", "audience": "http://127.0.0.1:8000/v1/auth/token"},
                ),
                description="Send it to the hub's `POST /v1/auth/token` with `grant_type=client_credentials` and "
                "`client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer`.",
            )
        },
        "/partner/{client_id}/jwks.json": {
            "get": _op(
                PARTNER,
                "The app's public key, which the hub fetches by URL",
                _ok("JWKS"),
                errors=(404,),
                parameters=[_path("client_id")],
            )
        },
        "/partner/{client_id}/callbacks": {
            "post": _op(
                PARTNER,
                "The app's callback receiver: checks X-Hub-Signature (HMAC-SHA256 of the raw body), 401 if wrong",
                {"204": {"description": "Received"}},
                errors=(401, 404),
                parameters=[_path("client_id")],
            ),
            "get": _op(
                PARTNER,
                "What the receiver got, newest first, each with signature_valid",
                _ok("Callbacks"),
                errors=(404,),
                parameters=[_path("client_id")],
            ),
        },
        "/platform/mpi/match": {
            "post": _op(
                INDEX,
                "Find a person by verified identity (name, birthdate, SSN last 4)",
                _ok("Candidates"),
                errors=(401, 422),
                security=PLATFORM_KEY,
            )
        },
        "/platform/mpi/link": {
            "post": _op(
                INDEX,
                "Check a letter code (and optionally a birthdate) for a case",
                _ok("Whether it matches"),
                errors=(401, 404, 422),
                security=PLATFORM_KEY,
            )
        },
        "/platform/dhs/clients/{record_id}/cases": {
            "get": _op(
                FEEDS,
                "DHS: a client's cases (JSON codes)",
                _ok("Cases"),
                errors=(401, 404, 503),
                security=PLATFORM_KEY,
                parameters=[_path("record_id")],
            )
        },
        "/platform/hfs/fhir/Coverage": {
            "get": _op(
                FEEDS,
                "HFS: FHIR R4 Coverage bundle",
                _ok("Bundle"),
                errors=(401, 503),
                security=PLATFORM_KEY,
                parameters=[_query("beneficiary", "Patient/<id>")],
            )
        },
        "/platform/aging/export": {
            "get": _op(
                FEEDS,
                "AGING: the flat export",
                _ok("Rows"),
                errors=(401, 503),
                security=PLATFORM_KEY,
                parameters=[_query("person_id", "Only this person")],
            )
        },
        "/platform/dceo/applicants/{record_id}": {
            "get": _op(
                FEEDS,
                "DCEO: an applicant (nested JSON)",
                _ok("Applicant"),
                errors=(401, 404, 503),
                security=PLATFORM_KEY,
                parameters=[_path("record_id")],
            )
        },
        "/platform/dec/cases": {
            "get": _op(
                FEEDS,
                "DEC: cases (XML)",
                {"200": {"description": "Cases", "content": {"application/xml": {"schema": {"type": "string"}}}}},
                errors=(401, 503),
                security=PLATFORM_KEY,
                parameters=[_query("person_id", "The person"), _query("record_id", "Or the record")],
            )
        },
        "/platform/agencies/{agency}/records": {
            "get": _op(
                FEEDS,
                "An agency's bulk export: every record, in pages, each as its per-record feed answers it",
                _ok("Records and the next cursor (null at the end)"),
                errors=(400, 401, 404, 503),
                security=PLATFORM_KEY,
                parameters=[
                    _path("agency"),
                    _query("cursor", "From a previous page's next_cursor"),
                    _query("limit", "At most this many records (1-5000)", {"type": "integer"}),
                    _query("fields", "ids: record and person ids only"),
                ],
            )
        },
        "/platform/{agency}/changes": {
            "get": _op(
                FEEDS,
                "An agency's change feed (what the hub reconciles from)",
                _ok("Changes"),
                errors=(401, 404, 422),
                security=PLATFORM_KEY,
                parameters=[
                    _path("agency"),
                    _query("since", "Cursor"),
                    _query("limit", "At most this many", {"type": "integer"}),
                ],
            )
        },
        "/platform/sim/advance": {
            "post": _op(
                CONTROLS,
                "Move the scenario clock ahead; the platform posts the signed change events to the hub",
                _ok("The new day and the events emitted", advance_example),
                errors=(422,),
                requestBody=_body({"days": {"type": "integer", "minimum": 1, "default": 1}}, [], {"days": 7}),
                description='`{"days": 7}` plays the first week: maria\'s document falls due and her Medicaid renewal '
                "packet arrives; james's interview happens and SNAP is approved; ana's Community Care reassessment "
                "is scheduled.",
            )
        },
        "/platform/sim/reset": {"post": _op(CONTROLS, "Start the story again (day 0, no faults)", _ok("The state"))},
        "/platform/sim/state": {"get": _op(CONTROLS, "The scenario day, date, faults and counts", _ok("The state"))},
        "/platform/sim/faults": {
            "post": _op(
                CONTROLS,
                "Make an agency down, slow, error or malformed (mode ok clears it)",
                _ok("The faults now"),
                errors=(422,),
                requestBody=_body(
                    {
                        "agency": {"type": "string", "enum": ["DHS", "HFS", "AGING", "DCEO", "DEC"]},
                        "mode": {"type": "string", "enum": ["ok", "down", "slow", "error", "malformed"]},
                        "latency_ms": {"type": "integer", "default": 5000},
                        "error_rate": {"type": "number", "default": 1.0},
                    },
                    ["agency", "mode"],
                    {"agency": "HFS", "mode": "down"},
                ),
            )
        },
        "/platform/documents": {
            "post": _op(
                FEEDS,
                "Document intake: a file the hub forwards, acknowledged with a tracking number (idempotent by upload_id)",
                {**_ok("The acknowledgement"), "201": {"description": "Received for the first time"}},
                errors=(401, 422, 503),
                security=PLATFORM_KEY,
                requestBody={
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "required": [
                                    "upload_id",
                                    "agency",
                                    "record_id",
                                    "action_key",
                                    "receipt_number",
                                    "file",
                                ],
                                "properties": {
                                    **{
                                        name: {"type": "string"}
                                        for name in ("upload_id", "agency", "record_id", "action_key", "receipt_number")
                                    },
                                    "file": {"type": "string", "format": "binary"},
                                },
                            }
                        }
                    },
                },
            )
        },
        "/platform/documents/{upload_id}": {
            "get": _op(
                FEEDS,
                "A forwarded document's status on the scenario clock (accepted two days after; a blurry photo "
                "rejected after one)",
                _ok("The status"),
                errors=(401, 404, 503),
                security=PLATFORM_KEY,
                parameters=[_path("upload_id")],
            )
        },
        "/platform/maintenance": {
            "get": _op(
                FEEDS,
                "The agencies' announced maintenance windows",
                _ok("Windows"),
                errors=(401,),
                security=PLATFORM_KEY,
            )
        },
        "/platform/interviews/{agency}/{record_id}/{action_key}/slots": {
            "get": _op(
                FEEDS,
                "Interview times the agency offers (james's SNAP interview among them)",
                _ok("Slots"),
                errors=(401, 404, 503),
                security=PLATFORM_KEY,
                parameters=[_path("agency"), _path("record_id"), _path("action_key")],
            )
        },
        "/platform/interviews/{agency}/{record_id}/{action_key}/appointment": {
            "put": _op(
                FEEDS,
                "Book or move the interview (idempotent by booking_id); the answer is the agency's confirmation",
                _ok("The confirmation"),
                errors=(401, 404, 409, 422, 503),
                security=PLATFORM_KEY,
                parameters=[_path("agency"), _path("record_id"), _path("action_key")],
                requestBody=_body(
                    {"slot_id": {"type": "string"}, "booking_id": {"type": "string"}},
                    ["slot_id", "booking_id"],
                    {"slot_id": "slot-0123456789ab", "booking_id": "b1"},
                ),
            )
        },
        "/platform/representatives/{agency}/{record_id}/{hub_designation_id}": {
            "put": _op(
                FEEDS,
                "Record that the record's person named an authorized representative (idempotent by the hub's id)",
                {"201": {"description": "Recorded"}, **_ok("Already recorded")},
                errors=(401, 404, 422, 503),
                security=PLATFORM_KEY,
                parameters=[_path("agency"), _path("record_id"), _path("hub_designation_id")],
                requestBody=_body(
                    {"representative": {"type": "object"}},
                    ["representative"],
                    {"representative": {"given_name": "Rosa", "family_name": "Morales"}},
                ),
            )
        },
        "/platform/representatives/{agency}/designations/{designation_id}/end": {
            "post": _op(
                FEEDS,
                "End a designation (ended_by: resident, representative, agency or support)",
                _ok("The ended designation"),
                errors=(401, 404, 422, 503),
                security=PLATFORM_KEY,
                parameters=[_path("agency"), _path("designation_id")],
                requestBody=_body({"ended_by": {"type": "string"}}, ["ended_by"], {"ended_by": "resident"}),
            )
        },
        "/platform/representatives/{agency}/{record_id}": {
            "get": _op(
                FEEDS,
                "Every designation of the record, recorded by the hub or by the agency, active or ended",
                _ok("Designations"),
                errors=(401, 404, 503),
                security=PLATFORM_KEY,
                parameters=[_path("agency"), _path("record_id")],
            )
        },
        "/platform/representatives": {
            "get": _op(
                FEEDS,
                "Every designation naming this person as the representative",
                _ok("Designations"),
                errors=(401, 422),
                security=PLATFORM_KEY,
                parameters=[_query("representative_person_id", "The representative's person id", required=True)],
            )
        },
        "/platform/sim/representatives/end": {
            "post": _op(
                CONTROLS,
                "Play an agency ending a designation (a change event for the person's record follows)",
                _ok("The ended designation"),
                errors=(404,),
                requestBody=_body(
                    {"designation_id": {"type": "string"}}, ["designation_id"], {"designation_id": "AR-…"}
                ),
            )
        },
        "/platform/sim/maintenance": {
            "post": _op(
                CONTROLS,
                "Announce a maintenance window (starts_in_minutes may be negative: on now), or clear them all",
                {"201": {"description": "Announced"}, **_ok("Cleared")},
                errors=(422,),
                requestBody=_body(
                    {
                        "agency": {"type": "string", "enum": ["DHS", "HFS", "AGING", "DCEO", "DEC"]},
                        "starts_in_minutes": {"type": "integer", "default": 0},
                        "duration_minutes": {"type": "integer", "default": 60},
                        "message": {"type": "string"},
                        "clear": {"type": "boolean"},
                    },
                    [],
                    {"agency": "HFS", "starts_in_minutes": -5, "duration_minutes": 60},
                ),
            )
        },
        "/platform/sim/events": {
            "get": _op(
                CONTROLS,
                "The change events sent to the hub, newest first, with delivery outcomes",
                _ok("Events"),
                parameters=[_query("limit", "At most this many", {"type": "integer"})],
            )
        },
        "/platform/sim/events/redeliver": {
            "post": _op(
                CONTROLS,
                "Send one event to the hub again",
                _ok("The outcome"),
                errors=(404,),
                requestBody=_body({"event_id": {"type": "string"}}, ["event_id"], {"event_id": "evt-…"}),
            )
        },
        "/platform/sim/letters": {
            "get": _op(
                CONTROLS,
                "The case numbers and letter codes printed on a persona's mailed letters (for POST /v1/me/links)",
                _ok(
                    "Letters",
                    {"persona": "grace", "letters": [{"agency": "DHS", "case_number": "…", "letter_code": "…"}]},
                ),
                errors=(404,),
                parameters=[_query("persona", "A persona", persona), _query("person_id", "Or a person id")],
            )
        },
        "/platform/sim/ground-truth": {
            "get": _op(
                CONTROLS,
                "Who is at risk or may qualify today, decided from the sandbox's own people data (for measuring nudges)",
                _ok(
                    "Ground truth",
                    {
                        "scenario_day": 0,
                        "date": "…",
                        "kinds": ["renewal_at_risk"],
                        "people": {"maria": {"verified": True, "kinds": []}},
                    },
                ),
                errors=(422,),
                parameters=[
                    _query("persona", "A persona handle (repeatable)"),
                    _query("first", "The first generated resident's number", {"type": "integer"}),
                    _query("last", "The last generated resident's number (at most 10,000 in all)", {"type": "integer"}),
                ],
            )
        },
        "/": {"get": _op(CONTROLS, "Where things are", _ok("Links"))},
        "/openapi.json": {"get": _op(CONTROLS, "This document", _ok("OpenAPI 3.0"))},
        "/docs": {
            "get": _op(
                CONTROLS,
                "This document in Swagger UI",
                {"200": {"description": "HTML", "content": {"text/html": {"schema": {"type": "string"}}}}},
            )
        },
    }


def document(public_url: str) -> dict:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Benefits Hub sandbox",
            "version": "1",
            "description": "The sandbox plays the state's unified data platform and both identity providers with "
            "synthetic people only. Sign a persona in with `POST /idp/test-login` (residents) or "
            "`POST /staff-idp/test-login` (staff) and exchange the ID token at the hub; move the story with "
            "`POST /platform/sim/advance`; break an agency with `POST /platform/sim/faults`. Platform data routes "
            "need `Authorization: Bearer <platform key>` (the development key is `sandbox-platform-key`). It "
            "refuses to start with HUB_ENV=production.",
        },
        "servers": [{"url": public_url, "description": "This sandbox"}],
        "tags": [{"name": name} for name in (CONTROLS, RESIDENT, STAFF, PARTNER, INDEX, FEEDS)],
        "paths": paths(),
        "components": {
            "securitySchemes": {"platformKey": {"type": "http", "scheme": "bearer", "description": "The platform key"}},
            "responses": {
                "Error": {
                    "description": "An error: an OAuth-style code and what went wrong",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {"error": {"type": "string"}, "error_description": {"type": "string"}},
                                "required": ["error"],
                            },
                            "example": {"error": "unknown_persona", "error_description": "no persona called 'bob'"},
                        }
                    },
                }
            },
        },
    }


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Benefits Hub sandbox</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/swagger-ui-standalone-preset.js"></script>
<script src="/docs/init.js"></script></body></html>
"""
_INIT = """window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: "StandaloneLayout", validatorUrl: null});
});
"""


@blueprint.get("/openapi.json")
def openapi_json():
    return document(current_sandbox().settings.public_url)


@blueprint.get("/docs")
def docs_page():
    return Response(_PAGE, mimetype="text/html")


@blueprint.get("/docs/init.js")
def docs_init():
    return Response(_INIT, mimetype="text/javascript")


@blueprint.get("/docs/assets/<name>")
def docs_asset(name: str):
    if name not in ASSETS:
        abort(404)
    return send_from_directory(str(BUNDLE), name, max_age=86400)
