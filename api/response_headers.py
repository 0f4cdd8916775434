"""Headers every response carries, decided once: nothing is cached unless its route says so, nothing sniffed.

Almost every answer holds personal data (or a token), so the default is ``Cache-Control: no-store``. A route
opts out explicitly with ``@cache_policy(...)``: benefit reads keep their ETag with ``private, no-cache`` (the
phone may keep a copy but asks again each time), the hub's JWKS and the docs assets are ``public``. The
policy applies to the route's successful answers (2xx, 304); its errors stay ``no-store``. Every response has
``X-Content-Type-Options: nosniff``; the ``Server`` header is dropped (gunicorn's own is removed in
``gunicorn.conf.py``).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response, current_app, request

NO_STORE = "no-store"
PRIVATE_REVALIDATE = "private, no-cache"

# Views the hub does not define itself (flask-smorest's OpenAPI document): public and cacheable for a while.
ENDPOINT_POLICIES = {"api-docs.openapi_json": "public, max-age=300"}


def cache_policy(value: str) -> Callable[[Callable], Callable]:
    """Mark a view's successful answers with ``Cache-Control: value`` instead of ``no-store``."""

    def decorator(view: Callable) -> Callable:
        view.cache_policy = value
        return view

    return decorator


def _policy_of_route() -> str | None:
    if request.endpoint is None:
        return None
    view = current_app.view_functions.get(request.endpoint)
    return getattr(view, "cache_policy", None) or ENDPOINT_POLICIES.get(request.endpoint)


def _set_headers(response: Response) -> Response:
    succeeded = 200 <= response.status_code < 300 or response.status_code == 304
    policy = _policy_of_route() if succeeded else None
    response.headers["Cache-Control"] = policy or NO_STORE
    if policy is None:
        response.headers.pop("Expires", None)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers.pop("Server", None)
    return response


def register(app: Flask) -> None:
    app.after_request(_set_headers)
