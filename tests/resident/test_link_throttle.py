"""Refused link attempts are throttled per resident and per case (a 429 with Retry-After), then locked out for
a day; the counts are in the database, so every process sees them, and old ones are pruned."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from api.current_hub import hub_of
from composition import create_app
from services import clock
from services.identity.link_throttle import LOCK_AFTER, THROTTLE_AFTER, prune_link_failures_job
from tests.factories import sign_in
from tests.problem_assertions import assert_problem
from tests.resident.links import BIRTHDATES, failures, letter, link, link_events, links_of

WRONG = "ZZZZ-0000"


@pytest.fixture
def client(sandbox_settings, sandbox_hub):
    """The hub with its request-rate limit on links out of the way, to reach the database throttle."""
    settings = dataclasses.replace(
        sandbox_settings, rate_limit_links="1000/hour", rate_limit_links_per_address="1000/hour"
    )
    sandbox_hub.settings = settings
    return create_app(hub=sandbox_hub).test_client()


def _throttled(response, *, locked: bool, what: str) -> dict:
    body = assert_problem(response, 429)
    assert body["type"].endswith("/link-locked" if locked else "/link-attempts-throttled")
    assert what in body["detail"]
    assert int(response.headers["Retry-After"]) == body["retry_after"] > 0
    return body


def _later(minutes: int) -> None:
    clock.set_now(clock.now() + dt.timedelta(minutes=minutes))


def test_wrong_codes_are_throttled_per_resident_then_locked_out(client, sandbox_url, db_session):
    sam = sign_in(client, sandbox_url, "sam")
    case = letter(sandbox_url, "james", "DCEO")
    clock.set_now(clock.now())
    for n in range(THROTTLE_AFTER):  # different case numbers: only the resident's count can add up
        assert link(client, sam, {**case, "case_number": f"51200{n:04d}", "letter_code": WRONG}).status_code == 404
    body = _throttled(link(client, sam, case), locked=False, what="from this account")
    assert 14 * 60 < body["retry_after"] <= 15 * 60
    _later(16)  # the throttle window passed; five more refusals make ten within a day: locked
    for n in range(LOCK_AFTER - THROTTLE_AFTER):
        assert link(client, sam, {**case, "case_number": f"51300{n:04d}", "letter_code": WRONG}).status_code == 404
    _later(16)
    locked = _throttled(link(client, sam, case), locked=True, what="from this account")
    assert 23 * 3600 < locked["retry_after"] <= 24 * 3600
    # the lock holds in every process: another app instance over the same database refuses too
    other_process = create_app(hub=hub_of(client.application)).test_client()
    _throttled(link(other_process, sam, case), locked=True, what="from this account")
    # refusals by the lock are audited but not counted again, so the lock ends on time
    assert len(failures(db_session)) == LOCK_AFTER
    wrong, throttled, locked_out = "refused:wrong_code", "refused:throttled", "refused:locked"
    assert [e.fields[-1] for e in link_events(db_session)] == [wrong] * 5 + [throttled] + [wrong] * 5 + [locked_out] * 2
    _later(24 * 60)
    assert link(client, sam, {**case, "letter_code": WRONG}).status_code == 404


def test_one_case_is_throttled_whoever_tries_it(client, sandbox_url, db_session):
    """Guessing one case's code from several accounts adds up on the case."""
    case = letter(sandbox_url, "grace", "DHS")
    for persona in ("sam", "james", "maria", "ana", "sam"):
        signed = sign_in(client, sandbox_url, persona)
        assert link(client, signed, {**case, "letter_code": WRONG}).status_code == 404
    grace = sign_in(client, sandbox_url, "grace")
    _throttled(link(client, grace, case, birthdate=BIRTHDATES["grace"]), locked=False, what="for this case")
    assert [x for x in links_of(db_session) if x.record_id == "IES100200907"] == []
    _later(16)
    assert link(client, grace, case, birthdate=BIRTHDATES["grace"]).status_code == 201


def test_an_unknown_case_is_counted_like_any_other(client, sandbox_url, db_session):
    """Counting by the number given (hashed), not by what exists, so the throttle is no existence oracle."""
    sam = sign_in(client, sandbox_url, "sam")
    ghost = {"agency": "DHS", "case_number": "999999999", "letter_code": WRONG}
    for _ in range(THROTTLE_AFTER):
        assert link(client, sam, ghost).status_code == 404
    _throttled(link(client, sam, ghost), locked=False, what="from this account")
    assert all("999999999" not in f.case_key for f in failures(db_session))


def test_old_refusals_are_pruned(client, sandbox_url, sandbox_hub, db_session):
    sam = sign_in(client, sandbox_url, "sam")
    clock.set_now(clock.now())
    for _ in range(3):
        link(client, sam, {**letter(sandbox_url, "james", "DCEO"), "letter_code": WRONG})
    assert prune_link_failures_job(sandbox_hub) == 0
    _later(24 * 60 + 1)
    assert prune_link_failures_job(sandbox_hub) == 3
    assert failures(db_session) == []
