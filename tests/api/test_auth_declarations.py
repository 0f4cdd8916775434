"""Guard: a route declares who may call it with one blueprint decorator, and where that decorator sits in the
stack cannot change what an anonymous caller learns: the rule runs first, before rate limits and body parsing."""

from __future__ import annotations

import marshmallow as ma
import pytest

from api.admin.staff_access import AdminBlueprint
from api.auth.permissions import READ_RESIDENTS
from api.extension import Blueprint
from tests.factories import sign_in
from tests.problem_assertions import assert_problem


class WidgetSchema(ma.Schema):
    name = ma.fields.String(required=True)


def _register(app, blp) -> None:
    app.extensions["flask-smorest"]["apis"][""]["ext_obj"].register_blueprint(blp)


@pytest.fixture
def app_with_probes(sandbox_app):
    """Routes whose auth decorator is the last one, under the body parsing it must still precede."""
    blp = Blueprint("auth-probes", __name__)

    @blp.route("/test/resident-widgets", methods=["POST"])
    @blp.arguments(WidgetSchema)
    @blp.response(201, WidgetSchema)
    @blp.resident()
    def resident_widget(body):
        return body

    @blp.route("/test/staff-widgets", methods=["POST"])
    @blp.arguments(WidgetSchema)
    @blp.staff(READ_RESIDENTS)
    def staff_widget(body):
        return body

    _register(sandbox_app, blp)
    return sandbox_app


@pytest.mark.parametrize("path", ["/test/resident-widgets", "/test/staff-widgets"])
@pytest.mark.parametrize(
    "kwargs",
    [{"json": {"name": 3}}, {"json": {}}, {"data": "name=x", "content_type": "text/plain"}, {}],
    ids=["invalid", "missing-field", "wrong-content-type", "no-body"],
)
def test_an_anonymous_caller_gets_a_401_whatever_the_body(app_with_probes, path, kwargs):
    response = app_with_probes.test_client().post(path, **kwargs)
    assert_problem(response, 401)


def test_the_body_is_checked_once_the_caller_is_known(app_with_probes, sandbox_url):
    client = app_with_probes.test_client()
    maria = sign_in(client, sandbox_url, "maria")
    assert_problem(client.post("/test/resident-widgets", json={"name": 3}, headers=maria.headers), 422, field="name")
    created = client.post("/test/resident-widgets", json={"name": "gear"}, headers=maria.headers)
    assert created.status_code == 201 and created.get_json() == {"name": "gear"}
    assert_problem(client.post("/test/staff-widgets", json={"name": "gear"}, headers=maria.headers), 401)


def test_the_rule_is_documented_wherever_it_sits(app_with_probes):
    spec = app_with_probes.test_client().get("/openapi.json").get_json()
    resident = spec["paths"]["/test/resident-widgets"]["post"]
    staff = spec["paths"]["/test/staff-widgets"]["post"]
    assert resident["security"] == [{"resident": []}] and "401" in resident["responses"]
    assert staff["security"] == [{"staff": []}] and {"401", "403"} <= set(staff["responses"])


def test_a_route_without_a_rule_is_refused_when_it_is_registered():
    blp = Blueprint("no-rule", __name__)
    with pytest.raises(TypeError, match="declares no auth rule"):

        @blp.route("/test/nobody")
        def nobody():
            return {}


def test_a_decorator_above_the_route_is_too_late():
    blp = Blueprint("late-rule", __name__)
    with pytest.raises(TypeError, match="declares no auth rule"):

        @blp.resident()
        @blp.route("/test/late")
        def late():
            return {}


def test_two_rules_on_one_route_are_refused():
    blp = Blueprint("two-rules", __name__)
    with pytest.raises(TypeError, match="two auth rules"):

        @blp.route("/test/both")
        @blp.public()
        @blp.resident()
        def both():
            return {}


def test_an_admin_route_cannot_skip_its_audit():
    blp = AdminBlueprint("unaudited", __name__)
    with pytest.raises(TypeError, match="audited"):
        blp.staff(READ_RESIDENTS)


def test_every_hub_route_documents_the_schemes_its_rule_accepts(sandbox_client):
    spec = sandbox_client.get("/openapi.json").get_json()
    assert spec["paths"]["/v1/auth/logout"]["post"]["security"] == [{"resident": []}, {"staff": []}]
    assert spec["paths"]["/v1/platform/events"]["post"]["security"] == [{"platformSignature": []}]
    assert "401" in spec["paths"]["/v1/platform/events"]["post"]["responses"]
    assert "security" not in spec["paths"]["/healthz"]["get"]
    lookup = spec["paths"]["/v1/admin/residents"]["get"]
    assert lookup["security"] == [{"staff": []}] and {"400", "401", "403"} <= set(lookup["responses"])
