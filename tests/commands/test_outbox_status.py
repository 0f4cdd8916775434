"""``flask outbox status`` through Flask's CLI runner: the backlog the dispatcher has not processed yet, its oldest
age and the split per event type, from real outbox rows."""

from __future__ import annotations

import datetime as dt
import json

from services import clock
from services.models.outbox import OutboxEvent
from services.outbox import ACTION_REQUESTED, BENEFIT_STATUS_CHANGED, DomainEvent, write_events

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def write(hub, when: dt.datetime, kind: str, key: str) -> None:
    clock.set_now(when)
    with hub.session() as session:
        write_events(session, "resident-1", [DomainEvent(kind, {"agency": "DHS"}, key)])
        session.commit()


def test_status_counts_what_is_not_dispatched_per_type_with_the_oldest_age(app, hub):
    empty = app.test_cli_runner().invoke(args=["outbox", "status"])
    assert empty.exit_code == 0 and empty.output == "outbox backlog: 0 events, oldest -, 0 retried\n"

    write(hub, T0, BENEFIT_STATUS_CHANGED, "a")
    write(hub, T0 + dt.timedelta(minutes=10), BENEFIT_STATUS_CHANGED, "b")
    write(hub, T0 + dt.timedelta(minutes=20), ACTION_REQUESTED, "c")
    write(hub, T0 - dt.timedelta(hours=5), ACTION_REQUESTED, "done")
    with hub.session() as session:
        for event in session.query(OutboxEvent):
            if event.dedupe_key == "done":
                event.processed_at = T0
            if event.dedupe_key == "b":
                event.attempts = 2
        session.commit()
    clock.set_now(T0 + dt.timedelta(minutes=30))

    result = app.test_cli_runner().invoke(args=["outbox", "status", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "events": 3,
        "oldest_seconds": 1800.0,
        "retried": 1,
        "types": {
            "action.requested": {"events": 1, "oldest_seconds": 600.0, "retried": 0},
            "benefit.status_changed": {"events": 2, "oldest_seconds": 1800.0, "retried": 1},
        },
    }
    text = app.test_cli_runner().invoke(args=["outbox", "status"]).output.splitlines()
    assert text[0] == "outbox backlog: 3 events, oldest 30 min, 1 retried"
    assert text[2].split() == ["action.requested", "1", "10", "min", "0"]
    assert text[3].split() == ["benefit.status_changed", "2", "30", "min", "1"]
