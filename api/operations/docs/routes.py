"""``GET /docs``: Swagger UI with every script and style served from here, so it works with no internet.

The bundle is Swagger UI 5 as the flask-swagger-ui package ships it (``flask_swagger_ui/dist``; only its files
are used, not its blueprint). With the sandbox on, "Authorize" offers ``sandboxSignIn``: OAuth2 authorization
code with PKCE at the sandbox's identity provider, whose code Swagger UI sends to the hub's token endpoint
(``grant_type=authorization_code``, client id ``sandbox-app``, no secret), coming back through
``/docs/oauth2-redirect.html``. The sandbox's identity provider takes loopback redirect URIs only, so this works
where the hub is served on 127.0.0.1 or localhost, as ``make run`` serves it.
"""

from __future__ import annotations

import json
from pathlib import Path

import flask_swagger_ui
from flask import Blueprint, Response, abort, send_from_directory

from api.current_hub import current_hub
from api.openapi.description import DOCS_CLIENT_ID
from api.response_headers import cache_policy

bp = Blueprint("docs", __name__)

BUNDLE = Path(flask_swagger_ui.__file__).with_name("dist")
_ASSETS = {
    "swagger-ui.css",
    "swagger-ui-bundle.js",
    "swagger-ui-standalone-preset.js",
    "favicon-32x32.png",
    "oauth2-redirect.js",
}

_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Benefits Hub API</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
  <link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/assets/swagger-ui-standalone-preset.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>
"""

_REDIRECT_PAGE = """<!doctype html>
<html lang="en-US">
<head><meta charset="utf-8"><title>Signing in…</title></head>
<body><script src="/docs/assets/oauth2-redirect.js"></script></body>
</html>
"""

_INIT = """window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    persistAuthorization: PERSIST,
    displayRequestDuration: true,
    oauth2RedirectUrl: window.location.origin + "/docs/oauth2-redirect.html",
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "StandaloneLayout",
    validatorUrl: null
  });
  window.ui.initOAuth(OAUTH);
});
"""


def init_script(sandbox_enabled: bool) -> str:
    """The page's start-up script; with the sandbox on, the OAuth2 dialog is filled in for the sandbox app."""
    oauth = {"usePkceWithAuthorizationCodeGrant": True}
    if sandbox_enabled:
        oauth.update(clientId=DOCS_CLIENT_ID, scopes="openid", appName="Benefits Hub sandbox")
    # sandbox tokens survive a reload (they sign in synthetic personas); a real token is never left in storage
    return _INIT.replace("OAUTH", json.dumps(oauth)).replace("PERSIST", json.dumps(sandbox_enabled))


@bp.get("/docs")
@cache_policy("public, max-age=300")
def docs_page() -> Response:
    return Response(_PAGE, mimetype="text/html")


@bp.get("/docs/init.js")
@cache_policy("public, max-age=300")
def docs_init() -> Response:
    return Response(init_script(current_hub().settings.sandbox_enabled), mimetype="text/javascript")


@bp.get("/docs/oauth2-redirect.html")
@cache_policy("public, max-age=300")
def docs_redirect() -> Response:
    """Where the identity provider sends the browser back; Swagger UI's script hands the code to the page."""
    return Response(_REDIRECT_PAGE, mimetype="text/html")


@bp.get("/docs/assets/<name>")
@cache_policy("public, max-age=86400")
def docs_asset(name: str):
    if name not in _ASSETS:
        abort(404)
    return send_from_directory(str(BUNDLE), name, max_age=86400)
