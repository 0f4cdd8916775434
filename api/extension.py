"""flask-smorest adapted to the hub: problem+json for every error, one auth rule per route, cursor pages.

Routes use ``api.extension.Blueprint`` and marshmallow schemas through ``@blp.arguments`` /
``@blp.response`` so one schema validates input, shapes output and writes the OpenAPI document.
"""

from __future__ import annotations

import copy
import json

import flask_smorest
import marshmallow as ma
import orjson
from flask import Flask

from api import idempotency, pages, problems
from api.auth import guards
from api.auth.rate_limits import limited
from api.auth_rules import PUBLIC, declare, declared_rule
from api.body_rules import body_rules
from api.json_bodies import HubParser
from api.openapi.description import SANDBOX_SIGN_IN, document_info, security_schemes, servers
from api.openapi.operations import OperationsPlugin
from api.openapi.problem_schema import ProblemSchema
from api.openapi.schemas import close_nullable_objects, closed_keys2properties
from api.openapi.tags import document_tags
from api.pages import PageArgs, PageMeta
from config import Settings

# One description per configuration and set of blueprints, in this process (``Api.register_all``).
_DESCRIBED: dict[str, tuple[bytes, dict]] = {}
_COMPONENT_SECTIONS = ("schemas", "responses", "parameters", "headers", "examples", "links", "security_schemes")
_COMPONENT_SECTIONS += tuple(f"{name}_lazy" for name in _COMPONENT_SECTIONS if name != "security_schemes")


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

    def register_all(self, blueprints: list, *, reuse_document: bool = True) -> None:
        """Register ``blueprints`` and their OpenAPI description, then ``finish()``.

        Describing a route (apispec converting every schema) costs far more than routing it, and it depends only on
        the code and on what ``create_api`` put in the document (info, servers, security schemes, the sandbox's
        sign-in): so the first app of a configuration in a process describes them, and later apps of the same
        configuration (the test suite builds one per test; a CLI command builds one too) route them and take a copy
        of that description (its paths, components, tags and the marshmallow plugin's schema names, so a route
        registered afterwards is described exactly as it would have been). ``tests/api/test_document_reuse.py``
        holds a reused document equal to one described afresh."""
        configuration = [
            self.spec.to_dict(),
            [getattr(plugin, "sandbox_sign_in", None) for plugin in self.spec.plugins],
        ]
        key = json.dumps([*configuration, [blueprint.name for blueprint in blueprints]], sort_keys=True, default=str)
        described = _DESCRIBED.get(key) if reuse_document else None
        if described is None:
            for blueprint in blueprints:
                self.register_blueprint(blueprint)
            self.finish()
            _DESCRIBED[key] = self._description()
        else:
            for blueprint in blueprints:
                self._app.extensions["flask-smorest"]["blp_name_to_api"][blueprint.name] = self
                self._app.register_blueprint(blueprint)
            self._restore(described)
        self.description_key = (key, len(self.spec._paths))  # names the document until a route is added

    def _description(self) -> bytes:
        """What ``_restore`` copies into another app, as JSON: apispec's state here is plain JSON data, and a JSON
        round trip copies it three times faster than ``copy.deepcopy``."""
        components = self.spec.components
        return orjson.dumps(
            {
                "paths": self.spec._paths,
                "tags": self.spec._tags,
                "components": {name: getattr(components, name) for name in _COMPONENT_SECTIONS},
            }
        ), dict(self.ma_plugin.converter.refs)

    def _restore(self, described: tuple[bytes, dict]) -> None:
        """Fill this app's (empty) description in place with a copy: apispec's components keep references to
        their section dicts, and the marshmallow plugin's ``refs`` name each schema already described."""
        document, refs = described
        copied = orjson.loads(document)
        self.spec._paths.update(copied["paths"])
        self.spec._tags[:] = copied["tags"]
        for name, section in copied["components"].items():
            getattr(self.spec.components, name).update(section)
        self.ma_plugin.converter.refs.update(refs)

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
    """A flask-smorest blueprint whose routes each declare who may call them (one decorator, see
    ``api/auth_rules.py``), that parses bodies with the hub's JSON parse and checks a body's content type and
    presence where it is parsed (``api/body_rules.py``)."""

    ARGUMENTS_PARSER = HubParser()

    def route(self, rule, *, parameters=None, tags=None, **options):
        """Register the view with its auth rule applied outermost (then its rate limit), and documented."""

        def decorator(func):
            declared = declared_rule(func)
            if declared is None:
                raise TypeError(
                    f"{func.__name__} declares no auth rule: add @blp.resident(), @blp.staff(permission), "
                    "@blp.signed_in(), @blp.platform_signed() or @blp.public()"
                )
            view = self.doc(**declared.doc())(declared.enforce(_rate_limited(func)))
            document_parameters(view, declared.parameters)
            endpoint = options.pop("endpoint", None)
            self.add_url_rule(rule, endpoint, view, parameters=parameters, tags=tags, **options)
            return view

        return decorator

    # Who may call: exactly one of these per route, anywhere under ``@blp.route``.

    def resident(self):
        """A resident app's access token (``current_principal().resident_id`` is who may be read)."""
        return declare(guards.RESIDENT)

    def staff(self, permission: str):
        """A support staff token whose roles grant ``permission`` (``api/auth/permissions.py``)."""
        return declare(guards.staff(permission))

    def signed_in(self):
        """Any live hub session, resident or staff."""
        return declare(guards.SIGNED_IN)

    def platform_signed(self):
        """The platform's signature over the raw body (its change events)."""
        return declare(guards.PLATFORM_SIGNED)

    def public(self):
        """No token needed."""
        return declare(PUBLIC)

    def rate_limited(self, name: str):
        """Count the request against the limits called ``name`` (``api/auth/rate_limits.py``), right after its
        auth rule (so the caller is known) and before its body is parsed (so bad bodies count too)."""

        def decorator(view):
            view.hub_rate_limits = (*getattr(view, "hub_rate_limits", ()), name)
            return view

        return decorator

    def arguments(self, schema, *, location="json", required=True, **kwargs):
        parse_arguments = super().arguments(schema, location=location, required=required, **kwargs)
        checks = body_rules(location, required=required)
        facts = {"form_body": location == "json_or_form", "validation_status": kwargs.get("error_status_code", 422)}

        def decorator(view):
            checked = checks(parse_arguments(view))
            checked.openapi_facts = {**getattr(checked, "openapi_facts", {}), **facts}  # api/openapi/operations.py
            return checked

        return decorator

    def paginated(self, item_schema, *, meta=PageMeta, args=PageArgs):
        """A list route: parse ``args`` from the query (``args["after"]`` is the cursor's keyset; ``args=None``
        for a list that is one page), document a ``data`` + ``meta`` page of ``item_schema`` and answer what the
        view returns (a ``Page`` or ``ListPage``) in that shape (``api/pages.py``)."""

        def decorator(view):
            documented = self.response(200, pages.page_schema(item_schema, meta))(pages.shaped(view))
            if args is None:
                return documented
            return self.arguments(args, location="query")(pages.with_keyset(documented))

        return decorator

    def reads_headers(self, *parameters: dict):
        """Document header parameters the view reads itself (``api/openapi/headers.py``: Accept-Language, …)."""
        return lambda view: document_parameters(view, parameters)

    def limited_by_blueprint(self):
        """Document that a rate limit on the whole blueprint counts this view (429, ``X-RateLimit-*``): the
        token endpoint, limited by ``api/auth/rate_limits.register``."""

        def decorator(view):
            view.openapi_facts = {**getattr(view, "openapi_facts", {}), "rate_limited": True}
            return view

        return decorator

    def idempotent(self):
        """Take ``Idempotency-Key`` on this write (``api/idempotency.py``), documented in OpenAPI. It runs inside
        the auth rule wherever it is placed: a key belongs to the caller."""

        def decorator(func):
            view = self.doc(**copy.deepcopy(idempotency.DOC))(idempotency.idempotent(func))
            return document_parameters(view, (idempotency.PARAMETER,))

        return decorator


def stacked(*decorators):
    """The decorators applied as if written one above the other, the first outermost: a route's documented stack
    shared by two blueprints (the resident's own route and a representative's for them)."""

    def decorator(view):
        for wrap in reversed(decorators):
            view = wrap(view)
        return view

    return decorator


def document_parameters(view, parameters):
    """Header parameters a decorator reads, for ``api/openapi/operations.py`` to add to the operation (a manual
    ``@blp.doc(parameters=...)`` would replace the parameters flask-smorest derives from ``@blp.arguments``)."""
    if parameters:
        facts = getattr(view, "openapi_facts", {})
        view.openapi_facts = {**facts, "parameters": (*facts.get("parameters", ()), *parameters)}
    return view


def _rate_limited(view):
    for name in reversed(getattr(view, "hub_rate_limits", ())):
        view = limited(name)(view)
    return view


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
