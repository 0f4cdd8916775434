"""Every response the suite receives from the Flask test client is validated against the app's own
``/openapi.json`` by openapi-core (a well-kept OpenAPI 3 validator): its status must be documented for its
operation (there is no ``default``), its content type and body must match that response's schema, and its
documented headers must be there and match. A mismatch fails the test that made the request.

Installed for the whole session by ``tests/conftest.py`` (``HubFlask.test_client_class``). What is not checked:

- requests no route matched (an unknown path, a method the path does not take): they belong to no operation
  (they are still problem documents: ``tests/api/test_problems.py``);
- ``NOT_API``: the routes that are not the JSON API (the ``/docs`` page and its assets, the document itself, and
  Prometheus's ``/metrics``, documented in the README's runbook rather than for app developers).

The validator is given the document with ``servers`` set to ``/``: the document names the hub's public address,
and the test client calls it at ``localhost``.
"""

from __future__ import annotations

import json
import re
import threading
import weakref

from flask import Flask
from flask.testing import FlaskClient
from openapi_core import Config, OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from werkzeug.exceptions import HTTPException

NOT_API = {
    "static",
    "api-docs.openapi_json",
    "docs.docs_page",
    "docs.docs_init",
    "docs.docs_asset",
    "docs.docs_redirect",
    "metrics.metrics",  # Prometheus's scrape (text format, METRICS_TOKEN): for the operator, not apps; see its module
}

_PATH_PARAMETER = re.compile(r"<(?:[a-z]+:)?(\w+)>")
_validators: dict[str, OpenAPI] = {}
_of_app: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_lock = threading.Lock()
# problem+json is JSON (RFC 6839's +json suffix); openapi-core deserializes only application/json by itself
CONFIG = Config(extra_media_type_deserializers={"application/problem+json": json.loads})


class ResponseMismatch(AssertionError):
    """A response the document does not describe."""


def document_of(app: Flask) -> dict:
    return app.extensions["hub_api"].spec.to_dict()


def validator_for(app: Flask) -> OpenAPI:
    """One validator per document (apps of the same settings share it, named by ``Api.register_all``'s key), rebuilt
    when a test adds routes."""
    api = app.extensions["hub_api"]
    paths = len(api.spec._paths)
    with _lock:
        cached = _of_app.get(app)
        if cached is not None and cached[0] == paths:
            return cached[1]
        described, described_paths = getattr(api, "description_key", (None, None))
        key = described if described_paths == paths else None  # the app's document is the one it was built with
        found = _validators.get(key) if key else None
        if found is None:
            document = document_of(app)
            document["servers"] = [{"url": "/"}]
            key = key or json.dumps(document, sort_keys=True)
            found = _validators[key] = OpenAPI.from_dict(document, config=CONFIG)
        _of_app[app] = (paths, found)
        return found


class RequestOf(WerkzeugOpenAPIRequest):
    """The request as openapi-core needs it to find the operation. Its body was read by the app already (the
    stream is spent), and a response's validation does not look at it."""

    @property
    def body(self) -> bytes:
        return b""

    @property
    def path(self) -> str:
        """Routing takes ``/healthz/`` for ``/healthz`` (it never redirects: ``api.app.HubMap``)."""
        path = super().path
        return path.rstrip("/") or "/"


def rule_of(app: Flask, request):
    adapter = app.url_map.bind_to_environ(request.environ)
    try:
        rule, _ = adapter.match(method=request.method, return_rule=True)
    except HTTPException:
        return None
    return rule


def outside_the_api(app: Flask, rule, method: str) -> bool:
    """No operation answered: no route matched, the route is not JSON API (``NOT_API``), a test's own probe
    route (defined in ``tests/`` and not in the document), or the method is one Werkzeug answers by itself."""
    if rule is None or rule.endpoint in NOT_API or method in {"HEAD", "OPTIONS"}:
        return True
    documented = _PATH_PARAMETER.sub(r"{\1}", rule.rule) in app.extensions["hub_api"].spec._paths
    return not documented and app.view_functions[rule.endpoint].__module__.startswith("tests.")


def check(app: Flask, response) -> None:
    request = response.request
    if outside_the_api(app, rule_of(app, request), request.method):
        return
    result = validator_for(app)
    try:
        result.validate_response(RequestOf(request), WerkzeugOpenAPIResponse(response))
    except Exception as error:  # openapi-core's errors: the cause is chained
        causes, cause = [], error
        while cause is not None:
            causes.append(f"{type(cause).__name__}: {str(cause)[:400]}")
            cause = cause.__cause__ or (cause.schema_errors[0] if getattr(cause, "schema_errors", None) else None)
        body = response.get_data(as_text=True)[:300]
        raise ResponseMismatch(
            f"{request.method} {request.path} → {response.status_code} {response.mimetype} does not match "
            f"/openapi.json: {' ← '.join(causes)}\nbody: {body}"
        ) from None


class ValidatingClient(FlaskClient):
    """A test client whose every answer is checked against the document (``check``)."""

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        check(self.application, response)
        return response
