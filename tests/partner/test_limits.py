"""Per-app rate limits and a daily quota: headers on every partner response, a 429 problem naming the limit."""

from __future__ import annotations

import dataclasses
import logging
import uuid

from composition import create_app
from tests.partner.factories import register_app, token_for
from tests.problem_assertions import assert_problem


def limited_client(hub, **limits):
    hub.settings = dataclasses.replace(hub.settings, **limits)
    app = create_app(hub=hub)
    app.config["TESTING"] = True
    return app.test_client()


def test_every_partner_response_says_its_limit_and_the_next_one_over_is_a_429(hub):
    client = limited_client(hub, rate_limit_partner="3/minute")
    client_id, key, _ = register_app(hub)
    headers = token_for(client, client_id, key)
    answers = [client.get("/v1/partner/notifications", headers=headers) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [a.headers["X-RateLimit-Remaining"] for a in answers] == ["2", "1", "0"]
    assert {a.headers["X-RateLimit-Limit"] for a in answers} == {"3"} and answers[0].headers["X-RateLimit-Reset"]
    over = client.get("/v1/partner/notifications/any", headers=headers)  # every route counts
    body = assert_problem(over, 429)
    assert "requests from this partner app" in body["detail"] and "3 per 1 minute" in body["detail"]
    assert int(over.headers["Retry-After"]) > 0
    # another app has its own bucket
    other_id, other_key, _ = register_app(hub)
    assert client.get("/v1/partner/notifications", headers=token_for(client, other_id, other_key)).status_code == 200


def test_sends_also_count_in_the_daily_quota(hub):
    client = limited_client(hub, partner_daily_quota="2/day")
    client_id, key, _ = register_app(hub)
    headers = token_for(client, client_id, key)
    for _ in range(2):  # unknown case: a 404, but a send all the same
        assert client.post("/v1/partner/notifications", json={"case_number": "1"}, headers=headers).status_code == 422
    body = assert_problem(client.post("/v1/partner/notifications", json={}, headers=headers), 429)
    assert "daily quota" in body["detail"]
    assert client.get("/v1/partner/notifications", headers=headers).status_code == 200  # reads are not sends


def test_in_redis_the_limit_holds_across_two_app_processes(hub, redis_url):
    """Two Flask apps (two gunicorn workers, say) sharing the Redis store count one bucket per partner app.

    The app's client id is new to this Redis, so its bucket starts empty. The test never flushes the database: the
    parallel test processes' Celery workers keep their queues and kombu's bindings in it too, and a flush there
    dropped a job another test was waiting for."""
    first = limited_client(hub, rate_limit_partner="2/minute", rate_limit_storage_url=redis_url)
    second = limited_client(hub, rate_limit_partner="2/minute", rate_limit_storage_url=redis_url)
    client_id, key, _ = register_app(hub, client_id=f"dhs-limits-{uuid.uuid4().hex}")
    headers = token_for(first, client_id, key)
    assert first.get("/v1/partner/notifications", headers=headers).status_code == 200
    assert second.get("/v1/partner/notifications", headers=headers).status_code == 200
    assert_problem(first.get("/v1/partner/notifications", headers=headers), 429)


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_refusals_carry_the_limit_headers_too_and_count(hub):
    logged = _Lines()
    logger = logging.getLogger("hub.rate_limits")
    logger.addHandler(logged)
    level, logger.level = logger.level, logging.INFO
    try:
        _refusals_carry_the_limit_headers(hub)
    finally:
        logger.removeHandler(logged)
        logger.setLevel(level)
    assert not [line for line in logged.lines if "fell back" in line]  # expected refusals, not a line per token


def _refusals_carry_the_limit_headers(hub):
    client = limited_client(hub, rate_limit_partner="3/minute")
    client_id, key, _ = register_app(hub)
    read_only = token_for(client, client_id, key, scope="notifications:read")
    no_scope = client.post("/v1/partner/notifications", json={}, headers=read_only)
    assert_problem(no_scope, 403)
    assert no_scope.headers["X-RateLimit-Limit"] == "3" and no_scope.headers["X-RateLimit-Remaining"] == "2"
    assert client.get("/v1/partner/notifications", headers=read_only).headers["X-RateLimit-Remaining"] == "1"
    # no token, or a bad one: counted in the caller's address bucket, headers all the same
    answers = [client.get("/v1/partner/notifications", headers={"Authorization": "Bearer forged"}) for _ in range(3)]
    assert [a.status_code for a in answers] == [401, 401, 401]
    assert [a.headers["X-RateLimit-Remaining"] for a in answers] == ["2", "1", "0"]
    assert_problem(client.get("/v1/partner/notifications"), 429)  # guessing tokens is throttled
