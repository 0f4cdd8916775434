"""Rate limits (Flask-Limiter): sign-in and refresh at the token endpoint, link attempts, device registration.

One ``Limiter`` per Flask app, with its storage from ``settings.rate_limit_storage_url`` (``memory://`` in
the embedded default, ``redis://…`` in production so the limits hold across workers). Each limit counts two
ways, and a request must fit both: per caller (the app and address at sign-in, the session at refresh and
device registration, the resident for links) and per address alone. Over a limit: a 429 problem whose
detail names the limit, with ``Retry-After``. Behind a load balancer, set ``TRUSTED_PROXIES`` so the address
is the client's (``api.app`` applies Werkzeug's ``ProxyFix``), or every caller shares one bucket.

**Every key function is total.** Flask-Limiter takes any exception raised while it evaluates limits for a
storage outage and moves the whole process to a fresh in-memory store: one request whose body broke the key
function (a body nested 50,000 deep, a form too large to parse) used to open a fresh bucket for everyone (20
more sign-ins were measured after a 429). And a key that is empty makes Flask-Limiter skip the limit. So each
key function and exemption here goes through ``_never_failing``: whatever the body or token, it answers a
non-empty key, and when the caller cannot be read it answers that limit's bucket for the caller's address,
which is counted like any other.

Sign-in limits count every token request except refreshes (the body says ``grant_type=refresh_token``);
refresh limits count only those. A body that cannot be read counts as a sign-in.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import re
from collections.abc import Callable

from flask import Flask, current_app, g, request
from flask_limiter import Limiter
from limits import parse as parse_limit

from api.auth.principal import current_principal
from api.database import db
from api.problems import keep_stated_retry_after
from config import Settings
from services.identity.sessions import session_id_of_refresh_token

log = logging.getLogger("hub.rate_limits")

_CLIENT_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
CHECKS_EXTENSION = "hub_rate_limit_checks"


class UnreadableCaller(Exception):
    """The request does not say who is calling in a form this limit can count by."""


@dataclasses.dataclass(frozen=True)
class RateLimit:
    """One limit: a Flask-Limiter string, whom it counts (a key function) and how a 429 names it."""

    name: str
    rate: str
    key: Callable[[], str]
    counts: str  # in words, for the 429's detail: "sign-in attempts from this app and address"
    shared: bool = False  # one bucket across every route that checks it (partner limits), not one per route

    def message(self) -> str:
        return f"Too many {self.counts}: at most {parse_limit(self.rate)}. Wait and try again (see Retry-After)."


# -- who is calling ---------------------------------------------------------------------------------------------


def client_address() -> str:
    """The caller's address as the socket (or, with ``TRUSTED_PROXIES``, the trusted proxy) reports it."""
    return request.remote_addr or "unknown"


def _body_field(name: str) -> str:
    """A string field of the JSON or form body; ``UnreadableCaller`` if there is none to read."""
    body = request.get_json(silent=True) if request.is_json else request.form
    value = body.get(name) if isinstance(body, dict) or hasattr(body, "getlist") else None
    if not isinstance(value, str) or not value:
        raise UnreadableCaller(name)
    return value


def _client_id() -> str:
    value = _body_field("client_id")
    if not _CLIENT_ID.match(value):
        raise UnreadableCaller("client_id")
    return value


def _is_refresh() -> bool:
    return _body_field("grant_type") == "refresh_token"


def _refresh_session() -> str:
    session_id = session_id_of_refresh_token(db(), _body_field("refresh_token")[:512])
    if session_id is None:
        raise UnreadableCaller("refresh_token")
    return session_id


def _never_failing(limit: RateLimit) -> Callable[[], str]:
    """``limit.key`` that cannot fail or be empty: anything unreadable counts in the address bucket of this limit."""

    def key() -> str:
        try:
            value = limit.key()
        except Exception as error:  # noqa: BLE001 - any failure must still be counted, never skip the limit
            if not isinstance(error, UnreadableCaller):
                log.info(
                    "rate limit key fell back to the address",
                    extra={"limit": limit.name, "error_type": type(error).__name__},
                )
            value = ""
        return f"{limit.name}:{value}" if value else f"{limit.name}:address:{client_address()}"

    return key


def _never_failing_test(test: Callable[[], bool], *, otherwise: bool) -> Callable[[], bool]:
    def safe() -> bool:
        try:
            return bool(test())
        except Exception:  # noqa: BLE001 - same reason as _never_failing
            return otherwise

    return safe


# -- the limits -------------------------------------------------------------------------------------------------


def sign_in_limits(settings: Settings) -> list[RateLimit]:
    return [
        RateLimit(
            "sign-in",
            settings.rate_limit_sign_in,
            lambda: f"{_client_id()}|{client_address()}",
            "sign-in attempts from this app and address",
        ),
        RateLimit(
            "sign-in-address",
            settings.rate_limit_sign_in_per_address,
            client_address,
            "sign-in attempts from this address",
        ),
    ]


def refresh_limits(settings: Settings) -> list[RateLimit]:
    return [
        RateLimit("refresh", settings.rate_limit_refresh, _refresh_session, "refreshes of this session"),
        RateLimit(
            "refresh-address", settings.rate_limit_refresh_per_address, client_address, "refreshes from this address"
        ),
    ]


def _partner_app() -> str:
    """The calling partner app's client id; a call refused before its app is known (no token, a forged one) is
    ``UnreadableCaller``: counted by address without a log line each (they are what a token-guessing flood is)."""
    principal = g.get("principal")
    if principal is None:
        raise UnreadableCaller("no partner app known yet")
    return principal.client_id


def route_limits(settings: Settings) -> dict[str, list[RateLimit]]:
    """Limits checked inside authenticated views (``@blp.rate_limited(name)``), where the principal is known."""
    per_partner = RateLimit(
        "partner",
        settings.rate_limit_partner,
        _partner_app,
        "requests from this partner app",
        shared=True,
    )
    partner_quota = RateLimit(
        "partner-daily",
        settings.partner_daily_quota,
        _partner_app,
        "notifications from this partner app today (its daily quota)",
        shared=True,
    )
    return {
        # every partner route; sends also count in the app's daily quota (``api/partner/guard.py``)
        "partner": [per_partner],
        "partner-notifications": [per_partner, partner_quota],
        "links": [
            RateLimit(
                "links",
                settings.rate_limit_links,
                lambda: str(current_principal().resident_id),
                "attempts to link a record from this account",
            ),
            RateLimit(
                "links-address",
                settings.rate_limit_links_per_address,
                client_address,
                "attempts to link a record from this address",
            ),
        ],
        # invitation codes: counted like link attempts (71-bit codes: a handful an hour is enough for anyone)
        "representative-codes": [
            RateLimit(
                "representative-codes",
                settings.rate_limit_links,
                lambda: str(current_principal().resident_id),
                "attempts to accept an invitation from this account",
            ),
            RateLimit(
                "representative-codes-address",
                settings.rate_limit_links_per_address,
                client_address,
                "attempts to accept an invitation from this address",
            ),
        ],
        "devices": [
            RateLimit(
                "devices",
                settings.rate_limit_devices,
                lambda: current_principal().session_id,
                "device registrations from this session",
            ),
            RateLimit(
                "devices-address",
                settings.rate_limit_devices_per_address,
                client_address,
                "device registrations from this address",
            ),
        ],
    }


def limited(name: str) -> Callable[[Callable], Callable]:
    """Count the request against the limits called ``name`` (see ``route_limits``). Routes declare it with
    ``@blp.rate_limited(name)``; ``api.extension.Blueprint.route`` applies it just inside the auth rule, so the
    principal is known and the body is not parsed yet (bad bodies count too)."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            current_app.extensions[CHECKS_EXTENSION][name]()
            return view(*args, **kwargs)

        wrapper.openapi_facts = {**getattr(wrapper, "openapi_facts", {}), "rate_limited": True}  # 429, X-RateLimit-*
        return wrapper

    return decorator


def storage_options(settings: Settings) -> dict:
    """A Redis store is asked on every limited request: give up within ``REDIS_TIMEOUT_SECONDS``, after which
    Flask-Limiter counts in memory until the store answers again (it re-checks with a growing pause)."""
    if not settings.rate_limit_storage_url.startswith(("redis", "rediss")):
        return {}
    seconds = settings.redis_timeout_seconds
    return {"socket_timeout": seconds, "socket_connect_timeout": seconds}


# -- wiring -----------------------------------------------------------------------------------------------------


def register(app: Flask, settings: Settings, *token_blueprints) -> Limiter:
    app.after_request(keep_stated_retry_after)  # before the limiter's own hook, so it runs after it
    limiter = Limiter(
        key_func=client_address,
        app=app,
        storage_uri=settings.rate_limit_storage_url,
        storage_options=storage_options(settings),
        default_limits=[],
        headers_enabled=True,
        swallow_errors=True,  # a rate-limit store outage must not take sign-in down with it
        in_memory_fallback_enabled=True,
    )
    is_refresh = _never_failing_test(_is_refresh, otherwise=False)
    for blueprint in token_blueprints:
        for limit in sign_in_limits(settings):
            _apply(limiter, limit, blueprint, exempt_when=is_refresh)
        for limit in refresh_limits(settings):
            _apply(limiter, limit, blueprint, exempt_when=lambda: not is_refresh())
    app.extensions[CHECKS_EXTENSION] = {
        name: _check_for(limiter, name, limits) for name, limits in route_limits(settings).items()
    }
    return limiter


def _apply(limiter: Limiter, limit: RateLimit, blueprint, *, exempt_when: Callable[[], bool]) -> None:
    limiter.limit(
        limit.rate,
        key_func=_never_failing(limit),
        methods=["POST"],
        exempt_when=exempt_when,
        error_message=limit.message(),
        scope=limit.name,
    )(blueprint)


def _check_for(limiter: Limiter, name: str, limits: list[RateLimit]) -> Callable[[], None]:
    """A callable that counts the current request against ``limits`` (raising ``RateLimitExceeded`` over one).

    Flask-Limiter keeps a view's limits under the view's qualified name; each check gets a name of its own.
    """

    def check() -> None:
        return None

    check.__qualname__ = check.__name__ = f"rate_limit_check_{name.replace('-', '_')}"
    for limit in limits:
        if limit.shared:
            check = limiter.shared_limit(
                limit.rate, limit.name, key_func=_never_failing(limit), error_message=limit.message()
            )(check)
        else:
            check = limiter.limit(
                limit.rate, key_func=_never_failing(limit), error_message=limit.message(), scope=limit.name
            )(check)
    return check
