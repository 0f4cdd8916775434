"""``/docs`` signs a developer in: the sandbox OAuth2 scheme of the document, driven exactly as Swagger UI drives
it (authorization code with PKCE at the sandbox's identity provider, the persona picker, the code posted as a
form to the hub's token endpoint with the page's client id and redirect URI), gives a token "Try it out" can use."""

from __future__ import annotations

import dataclasses
import json
import re
from urllib.parse import parse_qs, urlsplit

import httpx

from composition import build_hub, create_app
from services.background import ManualRunner
from tests.factories import Pkce

ORIGIN = "http://127.0.0.1:8000"  # where make run serves /docs (a loopback redirect URI, as the sandbox requires)


def _oauth_options(client) -> dict:
    init = client.get("/docs/init.js").get_data(as_text=True)
    return json.loads(re.search(r"initOAuth\((\{.*?\})\)", init).group(1))


def test_a_developer_signs_in_as_maria_from_the_docs_page(sandbox_client, sandbox_url):
    document = sandbox_client.get("/openapi.json").get_json()
    flow = document["components"]["securitySchemes"]["sandboxSignIn"]["flows"]["authorizationCode"]
    options = _oauth_options(sandbox_client)
    assert options["usePkceWithAuthorizationCodeGrant"] is True and options["clientId"] == "sandbox-app"
    assert {"resident": []} in document["paths"]["/v1/me"]["get"]["security"]
    assert {"sandboxSignIn": []} in document["paths"]["/v1/me"]["get"]["security"]
    assert sandbox_client.get("/docs/oauth2-redirect.html").status_code == 200

    pkce, redirect_uri = Pkce.new(), ORIGIN + "/docs/oauth2-redirect.html"
    authorize = {
        "response_type": "code",
        "client_id": options["clientId"],
        "redirect_uri": redirect_uri,
        "scope": options["scopes"],
        "state": "c3dhZ2dlcg",
        "code_challenge": pkce.challenge,
        "code_challenge_method": "S256",
    }
    assert flow["authorizationUrl"] == sandbox_url + "/idp/authorize"
    picker = httpx.get(flow["authorizationUrl"], params=authorize, timeout=10)
    assert picker.status_code == 200 and 'value="maria"' in picker.text  # the persona picker
    chosen = httpx.post(flow["authorizationUrl"], data={**authorize, "login_hint": "maria"}, timeout=10)
    assert chosen.status_code == 302
    back = parse_qs(urlsplit(chosen.headers["Location"]).query)
    assert back["state"] == ["c3dhZ2dlcg"]

    token_path = urlsplit(flow["tokenUrl"]).path
    form = {
        "grant_type": "authorization_code",
        "code": back["code"][0],
        "client_id": options["clientId"],
        "redirect_uri": redirect_uri,
        "code_verifier": pkce.verifier,
    }
    answer = sandbox_client.post(token_path, data=form)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    me = sandbox_client.get("/v1/me", headers={"Authorization": f"Bearer {answer.get_json()['access_token']}"})
    assert me.status_code == 200 and me.get_json()["identity_verified"] is True


def test_without_the_sandbox_the_page_offers_no_sandbox_sign_in(settings, test_database):
    hub = build_hub(
        dataclasses.replace(settings, sandbox_enabled=False), engine=test_database.engine, runner=ManualRunner
    )
    client = create_app(hub=hub).test_client()
    schemes = client.get("/openapi.json").get_json()["components"]["securitySchemes"]
    assert "sandboxSignIn" not in schemes and {"resident", "staff"} <= set(schemes)
    assert "clientId" not in _oauth_options(client)
    assert "persistAuthorization: false" in client.get("/docs/init.js").get_data(as_text=True)
