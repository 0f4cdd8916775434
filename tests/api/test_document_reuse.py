"""An app that takes this process's description of its configuration (``Api.register_all``) publishes exactly the
document one described afresh publishes, before and after a route is added to it, and a configuration that changes
the document (the sandbox's sign-in, the servers) gets a description of its own."""

from __future__ import annotations

import dataclasses

import marshmallow as ma

from api.app import create_app
from api.auth_rules import public
from api.extension import Blueprint
from api.platform.schemas import EventAckSchema
from composition import build_hub


class CountSchema(ma.Schema):
    count = ma.fields.Integer(required=True)


def counting_blueprint() -> Blueprint:
    blp = Blueprint("reuse_probe", __name__)

    @blp.route("/test/count", methods=["POST"])
    @blp.arguments(CountSchema)
    @blp.response(201, CountSchema)
    @blp.alt_response(202, schema=EventAckSchema, description="A schema the hub's own routes described already")
    @public
    def count(body):
        return body

    return blp


def document(app) -> dict:
    return app.test_client().get("/openapi.json").get_json()


def test_a_reused_description_is_the_fresh_one_before_and_after_a_route_is_added(hub):
    create_app(hub)  # this configuration's description exists in the process now, whatever ran before
    assert document(create_app(hub)) == document(create_app(hub, reuse_document=False))
    assert "/v1/me/benefits" in document(create_app(hub))["paths"]
    fresh, reused = create_app(hub, reuse_document=False), create_app(hub)
    for app in (fresh, reused):
        app.extensions["hub_api"].register_blueprint(counting_blueprint())
    assert "/test/count" in document(reused)["paths"] and document(reused) == document(fresh)
    assert "/test/count" not in document(create_app(hub))["paths"]  # the added route stayed with its app


def test_a_configuration_that_changes_the_document_is_described_on_its_own(hub, settings, test_database):
    create_app(hub)
    other = build_hub(
        dataclasses.replace(
            settings, public_url="https://hub.example.gov", sandbox_enabled=not settings.sandbox_enabled
        ),
        engine=test_database.engine,
    )
    theirs, ours = document(create_app(other)), document(create_app(hub))
    assert theirs == document(create_app(other, reuse_document=False))
    assert theirs != ours
