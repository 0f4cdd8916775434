"""``GET /metrics`` for Prometheus, and the HTTP instruments every request updates.

Who may scrape: with ``METRICS_TOKEN`` set, only a caller presenting it (``Authorization: Bearer <token>``,
compared in constant time); staging and production refuse to start without one (``config.Settings.check``), and
answer 401 to everyone if it were ever empty there. Development and tests without a token leave it open, as a
local Prometheus expects. The route is outside the OpenAPI document: it is for the operator's Prometheus, not
for apps.

Requests are counted by method, route template (``request.url_rule``, e.g. ``/v1/admin/residents/<resident_id>``,
never the path that was asked for) and status, with a latency histogram per method and template. A request no
route matched is ``unmatched``; an unusual method is ``other``.
"""

from __future__ import annotations

import time

from flask import Blueprint, Flask, Response, current_app, g, request

from api.auth_rules import mark
from api.current_hub import current_hub, hub_of
from api.problems import problem_response
from services.metrics import exposition, instruments
from services.metrics.collector import CELERY_QUEUES, HubCollector
from services.metrics.exposition import same_secret

bp = Blueprint("metrics", __name__)

_COLLECTOR = "hub_metrics_collector"


def metrics_token(view):
    """The auth rule of a route that takes ``METRICS_TOKEN`` (see the module's docstring)."""
    return mark(view, "metrics-token")


@bp.get("/metrics")
@metrics_token
def metrics() -> Response:
    """Every process's instruments and the scrape-time gauges (``services.metrics``), in Prometheus's format."""
    settings = current_hub().settings
    refused = _refusal(settings.metrics_token, required=settings.hub_env in {"staging", "production"})
    if refused is not None:
        return refused
    body = exposition.render([current_app.extensions[_COLLECTOR]])
    return Response(body, content_type=exposition.CONTENT_TYPE)


def _refusal(token: str, *, required: bool) -> Response | None:
    if not token and not required:
        return None
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    if token and scheme.lower() == "bearer" and same_secret(presented.strip(), token):
        return None
    return problem_response(
        401, "Metrics need the metrics token.", headers={"WWW-Authenticate": 'Bearer realm="metrics"'}
    )


def _started() -> None:
    g.metrics_started = time.perf_counter()


def _observed(response: Response) -> Response:
    started = g.pop("metrics_started", None)
    if started is None:
        return response
    method = request.method if request.method in instruments.HTTP_METHODS else "other"
    route = request.url_rule.rule if request.url_rule is not None else instruments.UNMATCHED_ROUTE
    instruments.http_requests.labels(method, route, str(response.status_code)).inc()
    instruments.http_request_duration.labels(method, route).observe(time.perf_counter() - started)
    return response


def register(app: Flask) -> None:
    """The route, the collector of this app's hub, and the request hooks (call before any other hook is
    registered, so that a request refused by an earlier hook is still timed)."""
    hub = hub_of(app)
    celery = getattr(hub.runner, "celery", None)  # a Celery runner publishes to its app's default queue
    queues = (celery.conf.task_default_queue,) if celery is not None else CELERY_QUEUES
    app.extensions[_COLLECTOR] = HubCollector(hub.settings, hub.session_factory, queues=queues)
    app.before_request(_started)
    app.after_request(_observed)
    app.register_blueprint(bp)
