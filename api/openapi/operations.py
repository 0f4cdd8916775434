"""What each operation can answer, decided in one place from what its view is (an apispec plugin).

A route documents what only it knows (its body and answer schemas, its own 404 or 409 with a sentence of why);
this plugin adds what follows from the route's shape and from the hub's cross-cutting rules, so no operation
can forget one:

- every operation: 400 (a header with a control character, an untrusted host), 414, 431 (``api/request_guards``),
  500 and 503 (the database cannot be reached, with ``Retry-After``);
- a token: 401 with ``WWW-Authenticate``; a staff permission: 403; a path parameter: 404;
- a body: 413, 415, 422 (400 where the route's validation answers 400: the OAuth token endpoint, whose form
  body is documented beside its JSON one); query or
  header parameters: 422; ``Idempotency-Key``: 409 and 422 (and ``Idempotent-Replayed`` on success);
- a rate limit: 429 with ``Retry-After`` and the ``X-RateLimit-*`` headers on every answer;
- a 304: ``ETag`` (and ``Content-Language``) on the 200 and the 304, ``If-None-Match`` as a parameter.

Every error is ``application/problem+json`` with the ``Problem`` schema, every answer carries ``X-Request-ID``,
and there is no ``default`` response: a status that is not listed is a bug, and the suite's response validator
(``tests/openapi_validation.py``) fails on it. Each operation gets an ``operationId`` (the view's name in
camelCase, unique) and its audience's tag (``api/openapi/tags.py``).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from apispec import BasePlugin
from flask import Flask

from api.openapi import headers as hdr
from api.openapi.descriptions import describe
from api.openapi.examples import EXAMPLES
from api.openapi.operation_ids import OPERATION_IDS
from api.openapi.problem_schema import MEDIA_TYPE, ProblemSchema, response_name
from api.openapi.tags import tag_of

EVERY_OPERATION = (400, 414, 431, 500, 503)
_EXPLAINED = {
    400: "The request is malformed: a header holds a control character, the host is not served here, or the "
    "body is not strict JSON (`errors` names it)",
    401: "No token, or one that is expired, revoked or of the wrong kind for this route",
    403: "Your role may not do this",
    404: "Nothing here for you: no such object, or it is another resident's (never a hint which)",
    409: "The Idempotency-Key was used for another request, or its first request is still running",
    413: "The body is larger than the hub accepts",
    414: "The address is too long",
    415: "The body is in another content type than the route takes",
    422: "A field, parameter or header is not valid; `errors` names each one",
    431: "The headers are too many or too large; `errors` names the header",
    429: "Too many requests; the detail names the limit, Retry-After says when to try again",
    500: "Something went wrong on the hub's side; quote the request id",
    503: "The hub cannot reach what it needs right now (its database); try again after Retry-After",
}
_STATUS_HEADERS = {401: ("WWW-Authenticate",), 429: ("Retry-After",), 503: ("Retry-After",)}
REQUEST_ID_PARAMETER = "X-Request-ID"
FORM = "application/x-www-form-urlencoded"


def problem_response(status: int, description: str | None = None) -> dict[str, Any]:
    """A response object for ``status`` with the problem schema and the headers that status always carries."""
    response = {
        "description": description or _EXPLAINED.get(status) or HTTPStatus(status).phrase,
        "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        "headers": {"X-Request-ID": hdr.ref("X-Request-ID")},
    }
    for name in _STATUS_HEADERS.get(status, ()):
        response["headers"][name] = hdr.ref(name)
    return response


def camel_case(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part.capitalize() for part in rest)


class OperationsPlugin(BasePlugin):
    """Completes every operation as the module docstring says; needs the app to see each route's view."""

    def __init__(self, app: Flask, *, sandbox_sign_in: str | None = None) -> None:
        self.app = app
        self.sandbox_sign_in = sandbox_sign_in
        self.operation_ids: dict[str, str] = {}

    def init_spec(self, spec) -> None:
        super().init_spec(spec)
        spec.components.schema("Problem", schema=ProblemSchema)
        for name, header in hdr.RESPONSE_HEADERS.items():
            spec.components.header(name, header)
        spec.components.parameter(
            REQUEST_ID_PARAMETER,
            "header",
            {
                "description": "Your id for this request (8–128 of A-Z a-z 0-9 . _ : -); the hub's answer "
                "carries it back, and its logs name it. Otherwise the hub makes one.",
                "schema": {"type": "string", "pattern": r"^[A-Za-z0-9._:-]{8,128}$"},
                "required": False,
            },
        )
        for status in sorted(_EXPLAINED):
            spec.components.response(response_name(status), problem_response(status))

    def operation_helper(self, path=None, operations=None, **kwargs) -> None:
        rule = kwargs.get("rule")
        if rule is None or not operations:
            return
        view = self.app.view_functions[rule.endpoint]
        for method, operation in operations.items():
            if method not in {"get", "put", "post", "patch", "delete"}:
                continue
            self._complete(path, method, operation, view, rule.endpoint)

    def _complete(self, path: str, method: str, operation: dict, view, endpoint: str) -> None:
        responses = {str(code): value for code, value in operation.get("responses", {}).items()}
        responses.pop("default", None)
        parameters = operation.setdefault("parameters", [])
        facts = getattr(view, "openapi_facts", {})
        names = {(p.get("in"), p.get("name")) for p in parameters if isinstance(p, dict)}
        for parameter in facts.get("parameters", ()):  # headers a decorator reads (api.extension)
            if (parameter["in"], parameter["name"]) not in names:
                parameters.append(dict(parameter))
        header_parameters = {(p["in"], p["name"]) for p in facts.get("parameters", ())}
        statuses = set(EVERY_OPERATION)
        rule = getattr(view, "auth_rule", None)
        if rule not in (None, "public") or facts.get("authenticated"):
            statuses.add(401)
        if rule == "staff" or facts.get("forbidden"):
            statuses.add(403)
        if "{" in path:
            statuses.add(404)
        if "requestBody" in operation:
            statuses |= {413, 415, facts.get("validation_status", 422)}
            content = operation["requestBody"].get("content", {})
            if facts.get("form_body") and "application/json" in content:  # the OAuth token endpoint takes both
                content.setdefault(FORM, dict(content["application/json"]))
        if any(where in {"query", "header"} for where, _ in names):
            statuses.add(facts.get("validation_status", 422))
        names |= header_parameters
        idempotent = ("header", hdr.IDEMPOTENCY_KEY) in names
        if idempotent:
            statuses |= {409, 422}
        rate_limited = facts.get("rate_limited", False)
        if rate_limited:
            statuses.add(429)
        for status in statuses:
            responses.setdefault(str(status), response_name(status))
        for code, response in list(responses.items()):
            responses[code] = self._complete_response(int(code), response, rate_limited, idempotent)
        if "304" in responses:
            self._conditional(responses, parameters, names)
        operation["responses"] = dict(sorted(responses.items()))
        parameters.append(REQUEST_ID_PARAMETER)  # a component parameter, by name
        operation_id = OPERATION_IDS.get(endpoint) or OPERATION_IDS.get(view.__name__) or camel_case(view.__name__)
        operation.setdefault("operationId", operation_id)
        self._unique(operation["operationId"], endpoint)
        self._examples(operation)
        describe(operation, view)
        operation["tags"] = [tag_of(endpoint, path)]
        if self.sandbox_sign_in and {"resident": []} in operation.get("security", ()):
            operation["security"] = [*operation["security"], {self.sandbox_sign_in: []}]

    def _complete_response(self, status: int, response, rate_limited: bool, idempotent: bool):
        if isinstance(response, str):  # a component by name: flask-smorest names its own (UNPROCESSABLE_ENTITY)
            return response_name(status) if status >= 400 else response
        response = dict(response)
        headers = dict(response.get("headers") or {})
        if status >= 400 and "content" not in response:  # a route's own error body (readyz's 503) stays
            documented = problem_response(status, response.get("description"))
            response["content"] = documented["content"]
            for name, value in documented["headers"].items():
                headers.setdefault(name, value)
        headers.setdefault("X-Request-ID", hdr.ref("X-Request-ID"))
        if rate_limited:
            for name in hdr.RATE_LIMIT_HEADERS:
                headers.setdefault(name, hdr.ref(name))
        if idempotent and 200 <= status < 300:
            headers.setdefault("Idempotent-Replayed", hdr.ref("Idempotent-Replayed"))
        response["headers"] = headers
        return response

    @staticmethod
    def _conditional(responses: dict, parameters: list, names: set) -> None:
        for code in ("200", "304"):
            if isinstance(responses.get(code), dict):
                responses[code]["headers"].setdefault("ETag", hdr.ref("ETag"))
        if isinstance(responses.get("200"), dict):  # a 304 carries no entity headers (RFC 9110 §15.4.5)
            responses["200"]["headers"].setdefault("Content-Language", hdr.ref("Content-Language"))
        if ("header", "If-None-Match") not in names:
            parameters.append(dict(hdr.IF_NONE_MATCH))

    @staticmethod
    def _examples(operation: dict) -> None:
        """The persona examples of ``api/openapi/examples.py`` on the request body and the answers."""
        for key, example in EXAMPLES.get(operation["operationId"], {}).items():
            target = operation.get("requestBody") if key == "request" else operation["responses"].get(key)
            if not isinstance(target, dict):
                raise ValueError(f"example {key} of {operation['operationId']} has no body to go with")
            for media in target.get("content", {}).values():
                media.setdefault("example", example)

    def _unique(self, operation_id: str, endpoint: str) -> None:
        owner = self.operation_ids.setdefault(operation_id, endpoint)
        if owner != endpoint:
            raise ValueError(f"operationId {operation_id!r} of {endpoint} is taken by {owner}")
