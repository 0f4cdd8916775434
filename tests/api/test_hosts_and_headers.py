"""Hosts the hub serves, redirects it never makes, and the headers every response carries."""

from __future__ import annotations

import dataclasses
import re

import pytest

from config import Settings
from tests.factories import sign_in
from tests.problem_assertions import assert_problem

METHODS = ("GET", "POST", "PUT", "DELETE")


def concrete_paths(app) -> list[tuple[str, str]]:
    """(method, path) for every registered route, with each ``<converter:arg>`` filled in."""
    found = []
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<[^>]+>", "x1", rule.rule)
        found.extend((method, path) for method in sorted(rule.methods & set(METHODS)))
    return found


def variants(path: str) -> list[str]:
    """Werkzeug redirected all of these once: doubled slashes, a trailing slash added or taken away."""
    doubled = [path[:i] + "/" + path[i:] for i, char in enumerate(path) if char == "/"]
    toggled = path.rstrip("/") if path.endswith("/") and path != "/" else path + "/"
    return [*doubled, toggled, "/" + path]


def test_a_merged_slash_path_on_a_foreign_host_is_a_400_not_a_redirect(client):
    response = client.get("/v1//me", headers={"Host": "evil.example"})
    body = assert_problem(response, 400, field="Host")
    assert "Location" not in response.headers
    assert "evil.example" not in response.get_data(as_text=True)
    assert body["title"] == "Untrusted host"


def test_no_route_redirects_whatever_the_path_looks_like(app, client):
    checked = 0
    for method, path in concrete_paths(app):
        for variant in variants(path):
            response = client.open("/", method=method, environ_overrides={"PATH_INFO": variant})
            assert not 300 <= response.status_code < 400, (method, variant, response.headers.get("Location"))
            assert "Location" not in response.headers
            checked += 1
    assert checked > 100


def test_every_route_refuses_a_host_it_does_not_serve(app, client):
    for method, path in concrete_paths(app):
        response = client.open(path, method=method, headers={"Host": "evil.example:8000"})
        assert_problem(response, 400, field="Host")


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1:8000", "127.0.0.1"])
def test_development_hosts_are_served(client, host):
    assert client.get("/healthz", headers={"Host": host}).status_code == 200


def test_the_hosts_served_follow_the_public_url_and_trusted_hosts():
    development = Settings.from_env({}, public_url="https://hub.example.gov")
    assert development.hosts_served == ("hub.example.gov", "localhost", "127.0.0.1")
    production = dataclasses.replace(development, hub_env="production")
    assert production.hosts_served == ("hub.example.gov",)
    explicit = Settings.from_env({"TRUSTED_HOSTS": "api.example.gov,.benefits.example.gov"})
    assert explicit.hosts_served == ("api.example.gov", ".benefits.example.gov")


def test_a_configured_trusted_host_is_the_only_one(settings, hub):
    from composition import create_app

    hub.settings = dataclasses.replace(settings, trusted_hosts=("api.example.gov",))
    app = create_app(hub=hub)
    client = app.test_client()
    assert client.get("/healthz", headers={"Host": "api.example.gov"}).status_code == 200
    assert_problem(client.get("/healthz", headers={"Host": "localhost"}), 400, field="Host")


# -- caching and sniffing ------------------------------------------------------------------------------------------


def test_personal_answers_are_not_stored_and_benefit_reads_revalidate(sandbox_client, sandbox_url):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    for path in ("/v1/me", "/v1/me/sessions", "/v1/me/consents", "/v1/me/notifications", "/v1/me/access-log"):
        response = sandbox_client.get(path, headers=maria.headers)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store", path
    benefits = sandbox_client.get("/v1/me/benefits", headers=maria.headers)
    assert benefits.headers["Cache-Control"] == "private, no-cache"
    etag = benefits.headers["ETag"]
    again = sandbox_client.get("/v1/me/benefits", headers={**maria.headers, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["Cache-Control"] == "private, no-cache"
    assert again.headers["ETag"] == etag
    missing = sandbox_client.get("/v1/me/benefits/no-such-benefit", headers=maria.headers)
    assert missing.status_code == 404
    assert missing.headers["Cache-Control"] == "no-store"


def test_sign_in_answers_are_not_stored(sandbox_client, sandbox_url):
    from tests.factories import exchange, id_token_for

    response = exchange(sandbox_client, id_token_for(sandbox_url, "maria"))
    assert response.headers["Cache-Control"] == "no-store"


def test_only_public_documents_are_cacheable(client):
    assert client.get("/.well-known/jwks.json").headers["Cache-Control"] == "public, max-age=300"
    assert client.get("/docs/assets/swagger-ui.css").headers["Cache-Control"] == "public, max-age=86400"
    assert client.get("/openapi.json").headers["Cache-Control"] == "public, max-age=300"
    assert client.get("/docs/assets/nothing.css").headers["Cache-Control"] == "no-store"


def test_every_response_says_nosniff_and_names_no_server(app, client):
    for method, path in concrete_paths(app):
        response = client.open(path, method=method)
        assert response.headers["X-Content-Type-Options"] == "nosniff", (method, path)
        assert "Server" not in response.headers
        if not path.startswith(("/docs", "/.well-known", "/openapi")):
            assert response.headers["Cache-Control"] == "no-store", (method, path)
