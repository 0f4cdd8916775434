"""``GET /metrics`` for Prometheus.

Who may scrape: with ``METRICS_TOKEN`` set, only a caller presenting it (``Authorization: Bearer <token>``,
compared in constant time); staging and production refuse to start without one (``config.Settings.check``), and
answer 401 to everyone if it were ever empty there. Development and tests without a token leave it open, as a
local Prometheus expects. The route is outside the OpenAPI document: it is for the operator's Prometheus, not
for apps.

What it answers: every process's instruments (``services.metrics.instruments``, HTTP requests among them:
``api.operations.metrics.request_timing``) and the gauges read at scrape time (``services.metrics.collector``).
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, current_app, request

from api.auth_rules import mark
from api.current_hub import current_hub, hub_of
from api.operations.metrics import request_timing
from services.errors import Unauthenticated
from services.metrics import exposition
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
    _check_token(settings.metrics_token, required=settings.hub_env in {"staging", "production"})
    body = exposition.render([current_app.extensions[_COLLECTOR]])
    return Response(body, content_type=exposition.CONTENT_TYPE)


def _check_token(token: str, *, required: bool) -> None:
    """Raise ``Unauthenticated`` (a 401 naming the ``Authorization`` header) unless the caller presents ``token``."""
    if not token and not required:
        return
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    if token and scheme.lower() == "bearer" and same_secret(presented.strip(), token):
        return
    raise Unauthenticated(
        "Metrics need the metrics token.",
        errors={"Authorization": ["Bearer <METRICS_TOKEN> is required."]},
        headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
    )


def register(app: Flask) -> None:
    """The route, the collector of this app's hub, and the request hooks (call before any other hook is
    registered, so that a request refused by an earlier hook is still timed)."""
    hub = hub_of(app)
    celery = getattr(hub.runner, "celery", None)  # a Celery runner publishes to its app's default queue
    queues = (celery.conf.task_default_queue,) if celery is not None else CELERY_QUEUES
    app.extensions[_COLLECTOR] = HubCollector(hub.settings, hub.session_factory, queues=queues)
    request_timing.register(app)
    app.register_blueprint(bp)
