"""``GET /metrics`` through the test client: who may scrape it, and what its labels may (never) hold."""

from __future__ import annotations

import dataclasses

import pytest

from composition import create_app
from tests.factories import sign_in, sign_in_staff
from tests.operations.scrape import Scrape, scrape
from tests.problem_assertions import assert_problem

TOKEN = "prometheus-scrape-token-0123456789"


def app_with(hub, **changes):
    hub.signing_keys  # noqa: B018  (generated now: production would refuse to make them)
    hub.settings = dataclasses.replace(hub.settings, **changes)
    app = create_app(hub=hub)
    app.config["TESTING"] = True
    return app.test_client()


def test_open_in_development_without_a_token(client):
    client.get("/healthz")
    found = scrape(client)
    assert found.value("hub_http_requests_total", method="GET", route="/healthz", status="200") >= 1
    for family in ("hub_http_request_duration_seconds", "hub_outbox_backlog", "hub_audit_chain_length"):
        assert family in found.families


def test_with_a_token_only_its_bearer_may_scrape(hub):
    client = app_with(hub, metrics_token=TOKEN)
    for headers in (
        {},
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": TOKEN},
        {"Authorization": f"Bearer {TOKEN}x"},
    ):
        response = client.get("/metrics", headers=headers)
        body = assert_problem(response, 401, field="Authorization")
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert "hub_" not in response.get_data(as_text=True) and TOKEN not in body["detail"]
    assert scrape(client, Authorization=f"Bearer {TOKEN}").has("hub_outbox_backlog")
    assert scrape(client, Authorization=f"bearer  {TOKEN}").has("hub_outbox_backlog")  # scheme is case-blind


@pytest.mark.parametrize("environment", ["staging", "production"])
def test_staging_and_production_never_serve_metrics_without_a_token(hub, environment):
    """Their settings refuse to start without METRICS_TOKEN; were it empty anyway, nobody may scrape."""
    client = app_with(hub, hub_env=environment, metrics_token="", trusted_hosts=("localhost",))
    assert_problem(client.get("/metrics"), 401)
    assert_problem(client.get("/metrics", headers={"Authorization": "Bearer "}), 401)


def test_a_residents_or_staff_token_is_not_the_metrics_token(sandbox_hub, sandbox_url):
    client = app_with(sandbox_hub, metrics_token=TOKEN)
    maria = sign_in(client, sandbox_url, "maria")
    sophie = sign_in_staff(client, sandbox_url, "sophie")
    assert_problem(client.get("/metrics", headers=maria.headers), 401)
    assert_problem(client.get("/metrics", headers=sophie.headers), 401)


def test_requests_are_labelled_by_route_template_never_by_path(sandbox_client, sandbox_url):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    sophie = sign_in_staff(sandbox_client, sandbox_url, "sophie")
    resident_id = sandbox_client.get("/v1/me", headers=maria.headers).get_json()["id"]
    staff = {**sophie.headers, "X-Access-Reason": "Checking the metrics labels"}
    before = scrape(sandbox_client)  # counters belong to the process: the test counts what it adds
    assert sandbox_client.get(f"/v1/admin/residents/{resident_id}", headers=staff).status_code == 200
    assert sandbox_client.get("/v1/admin/residents/no-such-resident-4711", headers=staff).status_code == 404
    read = sandbox_client.post("/v1/me/notifications/secret-looking-id-99/read", headers=maria.headers)
    assert read.status_code == 404
    assert sandbox_client.get("/no/such/path/maria@example.com?ssn=123-45-6789").status_code == 404
    assert sandbox_client.open("/healthz", method="PROPFIND").status_code == 405

    response = sandbox_client.get("/metrics")
    text = response.get_data(as_text=True)
    found = Scrape.parse(text)
    route = "/v1/admin/residents/<resident_id>"

    def added(name, **labels):
        return found.value(name, **labels) - before.value(name, **labels)

    assert added("hub_http_requests_total", method="GET", route=route, status="200") == 1
    assert added("hub_http_requests_total", method="GET", route=route, status="404") == 1
    assert added("hub_http_request_duration_seconds_count", method="GET", route=route) == 2
    notification = "/v1/me/notifications/<string:message_id>/read"
    assert added("hub_http_requests_total", method="POST", route=notification, status="404") == 1
    assert added("hub_http_requests_total", method="GET", route="unmatched", status="404") == 1
    assert added("hub_http_requests_total", method="other", route="unmatched", status="405") == 1
    for raw in (resident_id, "no-such-resident-4711", "secret-looking-id-99", "maria@example.com", "123-45-6789"):
        assert raw not in text
    counted = {  # the routes this test's requests were counted under (other tests' apps count in this process too)
        dict(labels)["route"]
        for (name, labels), value in found.samples.items()
        if name == "hub_http_requests_total" and value > before.samples.get((name, labels), 0.0)
    }
    assert counted <= {rule.rule for rule in sandbox_client.application.url_map.iter_rules()} | {"unmatched"}
    assert route in counted


def test_no_label_holds_personal_data(sandbox_client, sandbox_url):
    """Every label of every hub series comes from a fixed vocabulary: no token, name, id or address."""
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    sandbox_client.get("/v1/me/benefits", headers=maria.headers)
    found = scrape(sandbox_client)
    allowed = {"method", "route", "status", "le", "outcome", "agency", "state", "queue", "source"}
    for (name, labels), _value in found.samples.items():
        if name.startswith("hub_"):
            assert {key for key, _ in labels} <= allowed, (name, labels)
            assert not any("Maria" in value or maria.access_token in value for _, value in labels)
