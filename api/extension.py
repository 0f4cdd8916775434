"""flask-smorest adapted to the hub: problem+json for every error, security schemes, cursor pages.

Routes use ``api.extension.Blueprint`` and marshmallow schemas through ``@blp.arguments`` /
``@blp.response`` so one schema validates input, shapes output and writes the OpenAPI document.
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
from typing import Any

import flask_smorest
import marshmallow as ma
from flask import Flask

from api import idempotency, problems
from api.body_rules import body_rules
from api.fields import Text
from api.json_bodies import HubParser, JsonBodyError
from api.json_bodies import parse as parse_json
from api.openapi.description import SANDBOX_SIGN_IN, document_info, security_schemes, servers
from api.openapi.operations import OperationsPlugin
from api.openapi.problem_schema import ProblemSchema
from api.openapi.schemas import close_nullable_objects, closed_keys2properties
from api.openapi.tags import document_tags
from config import Settings


class Api(flask_smorest.Api):
    """Registers the hub's problem handlers instead of flask-smorest's JSON error bodies, and documents errors as
    they are sent: the ``Problem`` schema as ``application/problem+json`` for every status each operation can
    answer (``api/openapi/operations.py``), never flask-smorest's ``Error`` schema nor a ``default`` response."""

    ERROR_SCHEMA = ProblemSchema
    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_error_handlers(self) -> None:
        problems.register(self._app)

    def _register_responses(self) -> None:
        """flask-smorest's lazy per-status responses (its ``Error`` schema, as application/json) are not used."""

    def finish(self) -> None:
        """Once every blueprint is registered: the document's tags, in audience order (``api/openapi/tags.py``).
        apispec keeps them in ``spec._tags`` (pinned apispec); flask-smorest adds one per blueprint."""
        used = {
            tag
            for path in self.spec._paths.values()
            for operation in path.values()
            if isinstance(operation, dict)
            for tag in operation.get("tags", ())
        }
        self.spec._tags[:] = document_tags(used)
        close_nullable_objects(self.spec.components.schemas)


class Blueprint(flask_smorest.Blueprint):
    """A flask-smorest blueprint that parses bodies with the hub's JSON parse, checks a body's content type
    and presence where it is parsed (after the route's auth decorator, see ``api/body_rules.py``), and can
    document which token a route needs."""

    ARGUMENTS_PARSER = HubParser()

    def arguments(self, schema, *, location="json", required=True, **kwargs):
        parse_arguments = super().arguments(schema, location=location, required=required, **kwargs)
        checks = body_rules(location, required=required)
        facts = {"form_body": location == "json_or_form", "validation_status": kwargs.get("error_status_code", 422)}

        def decorator(view):
            checked = checks(parse_arguments(view))
            checked.openapi_facts = {**getattr(checked, "openapi_facts", {}), **facts}  # api/openapi/operations.py
            return checked

        return decorator

    def idempotent(self):
        """Take ``Idempotency-Key`` on this write (``api/idempotency.py``), documented in OpenAPI. Put it under
        the auth decorator: a key belongs to the caller."""

        def decorator(func):
            return self.doc(**copy.deepcopy(idempotency.DOC))(idempotency.idempotent(func))

        return decorator

    def requires(self, scheme: str):
        """Document that the decorated view needs ``scheme`` (``resident``, ``staff``, …) and may 401/403."""

        def decorator(func):
            doc = {"security": [{scheme: []}], "responses": {"401": {"description": "Missing or invalid token"}}}
            if scheme == "staff":
                doc["responses"]["403"] = {"description": "The staff role may not do this"}
            return self.doc(**doc)(func)

        return decorator


def create_api(app: Flask, settings: Settings) -> Api:
    """The flask-smorest Api over ``app``; call ``finish()`` once the blueprints are registered."""
    app.config.setdefault("API_TITLE", "Benefits Hub")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    spec_kwargs = {
        "info": document_info(settings),
        "servers": servers(settings),
        "extra_plugins": [OperationsPlugin(app, sandbox_sign_in=SANDBOX_SIGN_IN if settings.sandbox_enabled else None)],
    }
    api = Api(app, spec_kwargs=spec_kwargs)
    api.ma_plugin.converter.add_attribute_function(closed_keys2properties)
    app.extensions["hub_api"] = api
    for name, scheme in security_schemes(settings).items():
        api.spec.components.security_scheme(name, scheme)
    return api


class JsonBoolean(ma.fields.Boolean):
    """JSON ``true``/``false`` only in request bodies: marshmallow's Boolean also takes 0/1/"yes", and a resident's
    ``0`` must not silently revoke consent or switch a category off. (``1 in {True}`` holds in Python, so
    ``truthy={True}`` alone is not enough.)"""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


# Cursor pagination ---------------------------------------------------------------------------------


MAX_CURSOR_CHARS = 512


class PageArgs(ma.Schema):
    """``?limit=&cursor=`` on every list route."""

    limit = ma.fields.Integer(load_default=50, validate=ma.validate.Range(min=1, max=200))
    cursor = Text(load_default=None, validate=ma.validate.Length(max=MAX_CURSOR_CHARS))


class PageMeta(ma.Schema):
    next_cursor = ma.fields.String(allow_none=True)


def encode_cursor(values: dict[str, Any]) -> str:
    raw = json.dumps(values, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    """The values a cursor carries, or a 400 problem naming ``cursor`` when it was not ours."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = parse_json(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, JsonBodyError):
        values = None
    if not isinstance(values, dict):
        from services.errors import InvalidInput

        raise InvalidInput("The cursor is not one this API issued.", errors={"cursor": ["Not a valid cursor."]})
    return values
