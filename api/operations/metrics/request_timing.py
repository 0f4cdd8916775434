"""The HTTP instruments every request updates: ``hub_http_requests_total`` and
``hub_http_request_duration_seconds``.

Requests are counted by method, route template (``request.url_rule``, e.g. ``/v1/admin/residents/<resident_id>``,
never the path that was asked for) and status, with a latency histogram per method and template. A request no
route matched is ``unmatched``; an unusual method is ``other``: a caller can never make a new time series.
"""

from __future__ import annotations

import time

from flask import Flask, Response, g, request

from services.metrics import instruments


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
    """Time every request (register before any other hook, so a request an earlier hook refuses is timed too)."""
    app.before_request(_started)
    app.after_request(_observed)
