"""A platform event whose application fails (a poison event) is tried again with backoff, its failures counted
on its inbox row (the exception's class name, never its message), its record's later events waiting behind it;
after the last attempt it is set aside, its record's later events are applied and a refresh of the record is
queued, counted in ``hub_platform_events_set_aside_total``; other records are applied throughout."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging

import pytest
from sqlalchemy import event, select

from services import clock
from services.benefits.event_attempts import BACKOFF_CAP_SECONDS, backoff
from services.benefits.event_inbox import apply_accepted_events
from services.benefits.platform_events import prune_processed_events
from services.models.benefits import PlatformEventInbox
from tests.benefits.events import apply_accepted, post_batch
from tests.benefits.test_event_drain_batches import (
    JAMES,
    MARIA,
    accept,
    event_of,
    inbox,
    outcomes,
    put_in_inbox,
    status,
)
from tests.factories import create_signed_in_resident, create_snapshot
from tests.operations.scrape import scrape
from tests.platform.payloads import page

POISON = '{"cases": [{"name": "Maria Lopez"'  # unreadable JSON quoting a name: nothing of it may be stored
REFRESH = "benefits.refresh_source"


@pytest.fixture
def people(hub):
    clock.set_now(clock.now())  # held still; the tests step it past each backoff (the hub fixture lets it go)
    james = create_signed_in_resident(hub, links={"DHS": JAMES})
    create_snapshot(hub, james.id, "DHS", "dhs_james_day0.json")
    maria = create_signed_in_resident(hub, links={"DHS": MARIA})
    create_snapshot(hub, maria.id, "DHS", "dhs_maria_day0.json")
    return {"james": james, "maria": maria}


def poison_then_a_change(client, hub) -> None:
    """evt_1 (james's, unreadable) arrived first; evt_2 is james's later change, evt_3 maria's."""
    put_in_inbox(hub, "evt_1", JAMES, POISON, received_at=clock.now() - dt.timedelta(seconds=5))
    accept(
        client, event_of("evt_2", JAMES, "dhs_james_day7.json", 2), event_of("evt_3", MARIA, "dhs_maria_day7.json", 3)
    )


def row(hub, event_id: str) -> PlatformEventInbox:
    with hub.session() as session:
        return session.get(PlatformEventInbox, event_id)


def later(seconds: float) -> None:
    clock.set_now(clock.now() + dt.timedelta(seconds=seconds))


def refreshes(hub) -> list[dict]:
    return [kwargs for name, kwargs in hub.runner.pending if name == REFRESH]


def test_backoff_doubles_from_five_seconds_up_to_five_minutes():
    assert [backoff(n).total_seconds() for n in range(1, 9)] == [5, 10, 20, 40, 80, 160, 300, 300]
    assert BACKOFF_CAP_SECONDS == 300


def test_a_failed_event_is_counted_and_not_tried_again_before_it_is_due(client, hub, people):
    poison_then_a_change(client, hub)
    failed_at = clock.now()
    apply_accepted(hub)
    assert inbox(hub) == ["evt_1", "evt_2"] and outcomes(hub) == {"evt_3": "applied"}
    first = row(hub, "evt_1")
    assert (first.attempts, first.last_error, first.set_aside_at) == (1, "JSONDecodeError", None)
    assert first.next_attempt_at == failed_at + dt.timedelta(seconds=5)
    stored = " ".join(str(value) for value in vars(first).values())
    assert "Maria" not in stored.replace(POISON, "") and "Expecting" not in stored  # the class name, no message
    assert row(hub, "evt_2").attempts == 0  # waiting behind it, never tried

    later(4.9)  # not due: neither it nor its record's later event is claimed; another record's event is
    accept(client, event_of("evt_4", MARIA, "dhs_maria_day0.json", 4))
    assert apply_accepted_events(hub) == 1 and outcomes(hub)["evt_4"] == "applied"
    assert row(hub, "evt_1").attempts == 1 and inbox(hub) == ["evt_1", "evt_2"]
    assert status(client, people["james"]) == "pending"

    later(0.2)  # due: tried again, failing again, and it waits twice as long
    assert apply_accepted_events(hub) == 0
    again = row(hub, "evt_1")
    assert again.attempts == 2 and again.next_attempt_at == clock.now() + dt.timedelta(seconds=10)
    assert inbox(hub) == ["evt_1", "evt_2"] and refreshes(hub) == []


def test_a_mended_event_is_applied_when_due_then_its_records_later_events(client, hub, people):
    poison_then_a_change(client, hub)
    apply_accepted(hub)
    with hub.session() as session:
        session.get(PlatformEventInbox, "evt_1").document = json.dumps(json.loads(page("dhs_james_day0.json").text))
        session.commit()
    later(5)
    assert apply_accepted_events(hub) == 2 and inbox(hub) == []
    assert outcomes(hub) == {"evt_1": "unchanged", "evt_2": "applied", "evt_3": "applied"}
    assert status(client, people["james"]) == "active"  # evt_2's change, applied after evt_1


def test_after_its_last_attempt_an_event_is_set_aside_and_its_record_refreshed(client, hub, people, caplog):
    caplog.set_level(logging.INFO, logger="hub.platform_events")
    hub.settings = dataclasses.replace(hub.settings, platform_event_attempts=3)
    before = scrape(client).value("hub_platform_events_set_aside_total", agency="DHS")
    poison_then_a_change(client, hub)
    apply_accepted(hub)  # attempt 1
    later(5)
    apply_accepted_events(hub)  # attempt 2
    assert row(hub, "evt_1").attempts == 2 and inbox(hub) == ["evt_1", "evt_2"] and refreshes(hub) == []
    assert scrape(client).value("hub_platform_events_set_aside_total", agency="DHS") == before

    later(10)
    assert apply_accepted_events(hub) == 1  # attempt 3, the last: set aside, and james's evt_2 is applied
    aside = row(hub, "evt_1")
    assert (aside.attempts, aside.last_error, aside.next_attempt_at) == (3, "JSONDecodeError", None)
    assert aside.set_aside_at == clock.now()
    assert inbox(hub) == ["evt_1"]  # kept for support
    assert outcomes(hub) == {"evt_2": "applied", "evt_3": "applied"}
    assert status(client, people["james"]) == "active"
    assert refreshes(hub) == [{"resident_id": people["james"].id, "agency": "DHS"}]  # the platform's picture
    assert scrape(client).value("hub_platform_events_set_aside_total", agency="DHS") == before + 1
    ours = [one for one in caplog.records if one.name == "hub.platform_events"]
    failures = [one.attempt for one in ours if one.getMessage() == "platform event could not be applied"]
    set_aside = [(one.event_id, one.agency) for one in ours if one.getMessage().startswith("platform event set aside")]
    assert failures == [1, 2, 3] and set_aside == [("evt_1", "DHS")]
    assert all(one.exc_info is None for one in caplog.records)  # no traceback, no message text:
    assert "Maria" not in caplog.text and "Expecting" not in caplog.text

    # no longer tried nor blocking: james's next change applies at once, and a redelivery is a duplicate
    later(BACKOFF_CAP_SECONDS)
    accept(client, event_of("evt_5", JAMES, "dhs_james_day0.json", 5))
    assert apply_accepted_events(hub) == 1 and outcomes(hub)["evt_5"] == "applied"
    assert row(hub, "evt_1").attempts == 3 and len(refreshes(hub)) == 1
    again = post_batch(client, [event_of("evt_1", JAMES, "dhs_james_day7.json", 1)])
    assert [one["status"] for one in again.get_json()["results"]] == ["duplicate"]


def test_the_default_limit_is_eight_attempts(hub):
    assert hub.settings.platform_event_attempts == 8


def test_an_event_whose_refresh_cannot_be_queued_is_not_set_aside(client, hub, people):
    hub.settings = dataclasses.replace(hub.settings, platform_event_attempts=1)
    poison_then_a_change(client, hub)
    submit = hub.runner.submit
    hub.runner.submit = lambda job, **kwargs: False if job.name == REFRESH else submit(job, **kwargs)
    try:
        assert apply_accepted_events(hub) == 1  # maria's; james's record keeps waiting
    finally:
        del hub.runner.submit
    waiting = row(hub, "evt_1")
    assert waiting.set_aside_at is None and waiting.attempts == 1 and waiting.next_attempt_at > clock.now()
    assert inbox(hub) == ["evt_1", "evt_2"]
    later(5)  # the broker is back: the next attempt sets it aside with its refresh
    assert apply_accepted_events(hub) == 1 and inbox(hub) == ["evt_1"] and len(refreshes(hub)) == 1


def test_a_failure_that_cannot_be_counted_does_not_break_the_batch(client, hub, test_database, people):
    poison_then_a_change(client, hub)

    def counting_fails(_conn, _cursor, statement, _parameters, _context, _many):
        if statement.lstrip().upper().startswith("UPDATE PLATFORM_EVENT_INBOX"):
            raise RuntimeError("the attempt could not be written")

    event.listen(test_database.engine, "before_cursor_execute", counting_fails)
    try:
        assert apply_accepted_events(hub) == 1  # maria's event commits
    finally:
        event.remove(test_database.engine, "before_cursor_execute", counting_fails)
    assert outcomes(hub) == {"evt_3": "applied"} and inbox(hub) == ["evt_1", "evt_2"]
    assert row(hub, "evt_1").attempts == 0  # not counted this time; tried by the next drain
    assert apply_accepted_events(hub) == 0 and row(hub, "evt_1").attempts == 1


def test_set_aside_events_are_pruned_like_processed_ones(client, hub, people):
    now = clock.now()
    put_in_inbox(hub, "evt_old", JAMES, POISON, attempts=8, set_aside_at=now - dt.timedelta(days=31))
    put_in_inbox(hub, "evt_recent", MARIA, POISON, attempts=8, set_aside_at=now - dt.timedelta(days=29))
    put_in_inbox(hub, "evt_waiting", MARIA, POISON, received_at=now - dt.timedelta(days=40))
    assert prune_processed_events(hub.session_factory) == 1
    with hub.session() as session:
        assert set(session.scalars(select(PlatformEventInbox.event_id))) == {"evt_recent", "evt_waiting"}
