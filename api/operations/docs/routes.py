"""``GET /docs``: Swagger UI with every script and style served from here, so it works with no internet."""

from __future__ import annotations

from flask import Blueprint, Response, abort, send_from_directory
from swagger_ui_bundle import swagger_ui_path

from api.response_headers import cache_policy

bp = Blueprint("docs", __name__)

_ASSETS = {"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "favicon-32x32.png"}

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

_INIT = """window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "StandaloneLayout",
    validatorUrl: null
  });
});
"""


@bp.get("/docs")
@cache_policy("public, max-age=300")
def docs_page() -> Response:
    return Response(_PAGE, mimetype="text/html")


@bp.get("/docs/init.js")
@cache_policy("public, max-age=300")
def docs_init() -> Response:
    return Response(_INIT, mimetype="text/javascript")


@bp.get("/docs/assets/<name>")
@cache_policy("public, max-age=86400")
def docs_asset(name: str):
    if name not in _ASSETS:
        abort(404)
    response = send_from_directory(str(swagger_ui_path), name, max_age=86400)
    return response
