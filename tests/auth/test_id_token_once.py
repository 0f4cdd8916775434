"""An identity provider's ID token signs someone in once: resident apps, the support console and the PKCE
broker alike; a second use (even a concurrent one) is refused, and used tokens are forgotten once expired."""

from __future__ import annotations

import datetime as dt
import threading
import time

from sqlalchemy import func, select

from services import clock
from services.identity.id_tokens import IdentityProvider
from services.identity.used_id_tokens import prune_used_id_tokens_job
from services.models.identity import HubSession, UsedIdToken
from tests.factories import REDIRECT_URI, Pkce, exchange, id_token_for, staff_id_token_for
from tests.problem_assertions import assert_problem


def _sessions(session) -> int:
    return session.scalar(select(func.count()).select_from(HubSession))


def _refused_as_used(response) -> None:
    body = assert_problem(response, 400)
    assert body["error"] == "invalid_grant" and "already been used" in body["detail"]


def test_a_resident_id_token_is_exchanged_once(sandbox_client, sandbox_url, db_session):
    token = id_token_for(sandbox_url, "maria")
    assert exchange(sandbox_client, token).status_code == 200
    _refused_as_used(exchange(sandbox_client, token))
    assert _sessions(db_session) == 1
    # a fresh sign-in at the provider is a fresh token and works
    assert exchange(sandbox_client, id_token_for(sandbox_url, "maria")).status_code == 200


def test_a_staff_id_token_is_exchanged_once(sandbox_client, sandbox_url, db_session):
    token = staff_id_token_for(sandbox_url, "sophie")
    assert exchange(sandbox_client, token, "support-console").status_code == 200
    _refused_as_used(exchange(sandbox_client, token, "support-console"))
    assert _sessions(db_session) == 1


def test_a_token_without_jti_is_recognised_by_its_hash(sandbox_client, sandbox_url, sandbox_server, db_session):
    now = int(time.time())
    claims = {
        "iss": f"{sandbox_url}/idp",
        "aud": "sandbox-app",
        "sub": "no-jti-subject",
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "acr": "http://idmanagement.gov/ns/assurance/ial/1",
    }
    token = sandbox_server.app.extensions["simulator"].resident_keys.sign(claims)
    assert exchange(sandbox_client, token).status_code == 200
    _refused_as_used(exchange(sandbox_client, token))
    assert db_session.scalar(select(UsedIdToken.expires_at)) == dt.datetime.fromtimestamp(now + 600 + 60, dt.UTC)


class ReplayingProvider(IdentityProvider):
    """A provider whose token endpoint hands back one ID token for every code (the hub must not trust it)."""

    def __init__(self, issuer: str, token: str) -> None:
        super().__init__(issuer)
        self.token = token

    def redeem_code(self, **_form) -> str:
        return self.token


def test_the_pkce_broker_uses_each_id_token_once(sandbox_client, sandbox_url, sandbox_hub, db_session):
    token = id_token_for(sandbox_url, "james")
    sandbox_hub.resident_idp = ReplayingProvider(f"{sandbox_url}/idp", token)
    body = {
        "grant_type": "authorization_code",
        "code": "any-code",
        "code_verifier": Pkce.new().verifier,
        "redirect_uri": REDIRECT_URI,
        "client_id": "sandbox-app",
    }
    assert sandbox_client.post("/v1/auth/token", json=body).status_code == 200
    _refused_as_used(sandbox_client.post("/v1/auth/token", json={**body, "code": "another-code"}))
    _refused_as_used(exchange(sandbox_client, token))  # nor may the app replay it by token exchange
    assert _sessions(db_session) == 1


def test_of_concurrent_uses_of_one_token_exactly_one_wins(sandbox_app, sandbox_url, db_session):
    token = id_token_for(sandbox_url, "sam")
    racers = 6
    start, statuses = threading.Barrier(racers), []

    def race() -> None:
        client = sandbox_app.test_client()
        start.wait()
        statuses.append(exchange(client, token).status_code)

    threads = [threading.Thread(target=race) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [200] + [400] * (racers - 1)
    assert _sessions(db_session) == 1


def test_expired_records_are_pruned_by_the_periodic_job(sandbox_client, sandbox_url, sandbox_hub, db_session):
    assert exchange(sandbox_client, id_token_for(sandbox_url, "maria")).status_code == 200
    assert exchange(sandbox_client, id_token_for(sandbox_url, "james")).status_code == 200
    assert prune_used_id_tokens_job(sandbox_hub) == 0
    clock.set_now(clock.now() + dt.timedelta(minutes=12))  # past exp (10 min) + leeway (1 min)
    assert prune_used_id_tokens_job(sandbox_hub) == 2
    db_session.expire_all()
    assert db_session.scalars(select(UsedIdToken)).all() == []
