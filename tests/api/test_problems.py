"""Every error is a problem document with a request id, including errors raised before a route runs."""

from __future__ import annotations

import json
import logging

import marshmallow as ma
import pytest

from api.auth_rules import public
from api.extension import Blueprint
from tests.problem_assertions import assert_problem


class WidgetSchema(ma.Schema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1))
    count = ma.fields.Integer(required=True)


@pytest.fixture
def app_with_echo(app):
    """A tiny route with a schema, registered the way every real route is (flask-smorest + our Api)."""
    blp = Blueprint("echo", __name__)

    @blp.route("/test/echo", methods=["POST"])
    @blp.arguments(WidgetSchema)
    @blp.response(201, WidgetSchema)
    @public
    def echo(body):
        return body

    @blp.route("/test/boom")
    @public
    def boom():
        raise RuntimeError("secret detail: ssn 123-45-6789")

    app.extensions["flask-smorest"]["apis"][""]["ext_obj"].register_blueprint(blp)
    return app


@pytest.fixture
def echo_client(app_with_echo):
    return app_with_echo.test_client()


def test_unknown_path_is_a_404_problem(client):
    assert_problem(client.get("/v1/no-such-thing"), 404)


def test_wrong_method_is_a_405_problem_with_allow(client):
    response = client.delete("/healthz")
    assert_problem(response, 405)
    assert "GET" in response.headers["Allow"]


def test_valid_body_passes(echo_client):
    response = echo_client.post("/test/echo", json={"name": "maria", "count": 2})
    assert response.status_code == 201
    assert response.get_json() == {"name": "maria", "count": 2}


def test_malformed_json_is_a_400_problem(echo_client):
    response = echo_client.post("/test/echo", data="{not json", content_type="application/json")
    body = assert_problem(response, 400)
    assert "JSON" in body["detail"]


def test_schema_violation_is_a_422_naming_each_field(echo_client):
    response = echo_client.post("/test/echo", json={"name": "", "count": "many"})
    body = assert_problem(response, 422, field="count")
    assert "name" in body["errors"]
    assert "Not a valid integer." in body["errors"]["count"]


def test_unknown_field_is_named(echo_client):
    response = echo_client.post("/test/echo", json={"name": "x", "count": 1, "admin": True})
    assert_problem(response, 422, field="admin")


def test_wrong_content_type_is_a_415_problem(echo_client):
    response = echo_client.post("/test/echo", data="name=x", content_type="text/plain")
    assert_problem(response, 415)


def test_form_body_on_a_json_route_is_415(echo_client):
    response = echo_client.post("/test/echo", data={"name": "x", "count": "1"})
    assert_problem(response, 415)


def test_oversized_body_is_a_413_problem(echo_client, app_with_echo):
    big = json.dumps({"name": "x" * (app_with_echo.config["MAX_CONTENT_LENGTH"] + 10), "count": 1})
    assert_problem(echo_client.post("/test/echo", data=big, content_type="application/json"), 413)


def test_unexpected_error_is_a_500_without_details_and_one_log_line(echo_client, caplog):
    with caplog.at_level(logging.ERROR, logger="hub.errors"):
        response = echo_client.get("/test/boom", headers={"X-Request-ID": "req-abcdef-123456"})
    body = assert_problem(response, 500)
    assert "secret" not in response.get_data(as_text=True)
    assert body["request_id"] == "req-abcdef-123456"
    records = [r for r in caplog.records if r.name == "hub.errors"]
    assert len(records) == 1
    assert records[0].request_id == "req-abcdef-123456"


def test_sane_request_id_is_echoed_and_a_silly_one_replaced(client):
    assert (
        client.get("/healthz", headers={"X-Request-ID": "phone-1234-abcd"}).headers["X-Request-ID"] == "phone-1234-abcd"
    )
    replaced = client.get("/healthz", headers={"X-Request-ID": "<script>"}).headers["X-Request-ID"]
    assert replaced != "<script>" and len(replaced) == 32


def test_bad_cursor_is_a_problem_naming_cursor(app):
    from api.pages import decode_cursor
    from services.errors import InvalidInput

    with pytest.raises(InvalidInput) as error:
        decode_cursor("%%%not-a-cursor")
    assert "cursor" in error.value.errors
