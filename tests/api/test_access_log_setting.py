"""The hub's own access line (outside gunicorn: the tests' client, ``flask run``): one per request with the route
template, and none with ``ACCESS_LOG=false`` (what ``make run`` sets, so its terminal shows the pushes)."""

from __future__ import annotations

import dataclasses
import logging

from composition import create_app


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def access_lines(app, path: str) -> list[logging.LogRecord]:
    lines = Lines()
    logger = logging.getLogger("hub.access")
    logger.addHandler(lines)
    logger.setLevel(logging.INFO)  # the suite's settings say WARNING
    try:
        app.test_client().get(path)
    finally:
        logger.removeHandler(lines)
        logger.setLevel(logging.NOTSET)
    return lines.records


def test_one_access_line_per_request_with_the_route_template(app):
    (line,) = access_lines(app, "/v1/admin/residents/abc123/benefits")
    assert (line.method, line.route, line.status) == ("GET", "/v1/admin/residents/<resident_id>/benefits", 401)


def test_access_log_false_writes_none(hub):
    hub.settings = dataclasses.replace(hub.settings, access_log=False)
    assert access_lines(create_app(hub=hub), "/v1/me") == []
