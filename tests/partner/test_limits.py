"""Per-app rate limits and a daily quota: headers on every partner response, a 429 problem naming the limit."""

from __future__ import annotations

import dataclasses

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
    """Two Flask apps (two gunicorn workers, say) sharing the Redis store count one bucket per partner app."""
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    first = limited_client(hub, rate_limit_partner="2/minute", rate_limit_storage_url=redis_url)
    second = limited_client(hub, rate_limit_partner="2/minute", rate_limit_storage_url=redis_url)
    client_id, key, _ = register_app(hub)
    headers = token_for(first, client_id, key)
    assert first.get("/v1/partner/notifications", headers=headers).status_code == 200
    assert second.get("/v1/partner/notifications", headers=headers).status_code == 200
    assert_problem(first.get("/v1/partner/notifications", headers=headers), 429)
    redis.Redis.from_url(redis_url).flushdb()
