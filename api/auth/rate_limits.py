"""Rate limits on sign-in (Flask-Limiter): per app (``client_id``) and caller address.

One ``Limiter`` per Flask app, with its storage from ``settings.rate_limit_storage_url`` (``memory://`` in
the embedded default, ``redis://…`` in production so the limit holds across workers). Too many attempts get
a 429 problem document with ``Retry-After``. Behind a load balancer, the remote address must be the client's
(configure the proxy and Werkzeug's ``ProxyFix``), or every caller shares one bucket.
"""

from __future__ import annotations

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from config import Settings


def _client_id() -> str:
    body = request.get_json(silent=True) if request.is_json else request.form
    value = body.get("client_id") if isinstance(body, dict) or hasattr(body, "get") else None
    return str(value)[:64] if value else "-"


def client_and_address() -> str:
    return f"{_client_id()}|{get_remote_address()}"


def storage_options(settings: Settings) -> dict:
    """A Redis store is asked on every limited request: give up within ``REDIS_TIMEOUT_SECONDS``, after which
    Flask-Limiter counts in memory until the store answers again (it re-checks with a growing pause)."""
    if not settings.rate_limit_storage_url.startswith(("redis", "rediss")):
        return {}
    seconds = settings.redis_timeout_seconds
    return {"socket_timeout": seconds, "socket_connect_timeout": seconds}


def register(app: Flask, settings: Settings, *sign_in_blueprints) -> Limiter:
    limiter = Limiter(
        key_func=get_remote_address,
        app=app,
        storage_uri=settings.rate_limit_storage_url,
        storage_options=storage_options(settings),
        default_limits=[],
        headers_enabled=True,
        swallow_errors=True,  # a rate-limit store outage must not take sign-in down with it
        in_memory_fallback_enabled=True,
    )
    for blueprint in sign_in_blueprints:
        limiter.limit(settings.rate_limit_sign_in, key_func=client_and_address, methods=["POST"])(blueprint)
    return limiter
