"""The sandbox's Flask application factory: refuses production, wires the scenario, both IdPs and the platform."""

from __future__ import annotations

from flask import Flask
from werkzeug.exceptions import HTTPException

from simulator import description, partner_sandbox
from simulator.clock import ScenarioClock
from simulator.identity import resident_provider, staff_provider
from simulator.identity.authorization_codes import AuthorizationCodes
from simulator.identity.keys import KeyRing
from simulator.platform_api import (
    bulk_routes,
    change_routes,
    control_routes,
    document_routes,
    feed_routes,
    mpi_routes,
    representative_routes,
)
from simulator.sandbox import Sandbox, json_error
from simulator.scenario.state import Scenario
from simulator.settings import SimulatorSettings, refuse_production


def create_app(settings: SimulatorSettings | None = None, clock: ScenarioClock | None = None) -> Flask:
    refuse_production()
    settings = settings or SimulatorSettings()
    clock = clock or ScenarioClock(settings.start_date or ScenarioClock.real_today())
    app = Flask("simulator")
    app.json.sort_keys = False
    app.extensions["simulator"] = Sandbox(
        settings=settings,
        scenario=Scenario(settings, clock),
        resident_keys=KeyRing(),
        staff_keys=KeyRing(),
        codes=AuthorizationCodes(),
        access_tokens={},
    )
    modules = (
        resident_provider,
        staff_provider,
        mpi_routes,
        feed_routes,
        bulk_routes,
        change_routes,
        control_routes,
        partner_sandbox,
        document_routes,
        representative_routes,
        description,
    )
    for module in modules:
        app.register_blueprint(module.blueprint)
    app.register_blueprint(document_routes.interviews)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        return json_error(exc.code or 500, exc.name.lower().replace(" ", "_"), exc.description or "")

    @app.errorhandler(Exception)
    def unexpected_error(exc: Exception):
        app.logger.exception("sandbox error")
        return json_error(500, "internal_error", type(exc).__name__)

    @app.get("/")
    def index():
        return {
            "sandbox": "Benefits Hub sandbox platform and identity providers",
            "state": "/platform/sim/state",
            "docs": f"{settings.public_url}/docs",
            "openapi": f"{settings.public_url}/openapi.json",
            "resident_idp": f"{settings.public_url}/idp/.well-known/openid-configuration",
            "staff_idp": f"{settings.public_url}/staff-idp/.well-known/openid-configuration",
            "partner_test_assertion": f"{settings.public_url}/partner/test-assertion",
        }

    return app
