"""james books his SNAP interview: the agency's times, booking and moving with Idempotency-Key (the agency
confirms through the platform), the "interview tomorrow" reminder at the booked time, and an .ics for his
calendar; a taken or past time, another resident's action and the wrong token are refused, storing nothing."""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar
from sqlalchemy import func, select

from services import clock
from services.benefits.reminders import write_due_reminders
from services.models.benefits import BenefitAction
from services.models.documents import InterviewAppointment
from services.models.identity import ResidentLink
from services.models.outbox import OutboxEvent
from services.vocabulary import STATE_ZONE
from tests.factories import sign_in_staff
from tests.problem_assertions import assert_problem


def slots(client, resident) -> list[dict]:
    response = client.get(f"/v1/me/actions/{resident.action_id}/slots", headers=resident.headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["data"]


def book(client, resident, slot_id, key="book-interview-0001", action_id=None):
    return client.put(
        f"/v1/me/actions/{action_id or resident.action_id}/appointment",
        json={"slot_id": slot_id},
        headers={**resident.headers, "Idempotency-Key": key},
    )


def appointments(hub) -> int:
    with hub.session() as session:
        return session.scalar(select(func.count()).select_from(InterviewAppointment))


def test_james_books_moves_gets_the_reminder_for_the_booked_time_and_a_calendar_file(
    sandbox_client, sandbox_hub, james
):
    offered = slots(sandbox_client, james)
    assert len(offered) >= 10 and all(s["mode"] == "phone" for s in offered)
    assert offered == sorted(offered, key=lambda s: s["starts_at"])
    first = book(sandbox_client, james, offered[3]["id"])
    assert first.status_code == 200, first.get_data(as_text=True)
    booked = first.get_json()
    assert booked["starts_at"] == offered[3]["starts_at"] and booked["confirmation_number"].startswith("INT-")
    again = book(sandbox_client, james, offered[3]["id"])
    assert again.headers["Idempotent-Replayed"] == "true" and again.get_json() == booked

    moved = book(sandbox_client, james, offered[5]["id"], key="move-interview-0002").get_json()
    assert moved["id"] == booked["id"] and moved["starts_at"] == offered[5]["starts_at"]
    assert appointments(sandbox_hub) == 1

    starts = dt.datetime.fromisoformat(moved["starts_at"])
    day_before = starts.astimezone(STATE_ZONE).date() - dt.timedelta(days=1)
    with sandbox_hub.session() as session:
        write_due_reminders(session, today=day_before)
        [reminder] = session.scalars(select(OutboxEvent).where(OutboxEvent.type == "reminder.interview_tomorrow"))
    assert dt.datetime.fromisoformat(reminder.payload["scheduled_at"]) == starts

    ics = sandbox_client.get(moved["calendar_url"], headers=james.headers)
    assert ics.status_code == 200 and ics.mimetype == "text/calendar"
    [event] = Calendar.from_ical(ics.data).walk("VEVENT")
    assert event.decoded("dtstart") == starts and moved["confirmation_number"] in str(event.get("description"))


def test_a_taken_slot_is_a_409_and_an_unknown_one_a_422_naming_slot_id(sandbox_client, sandbox_hub, james):
    offered = slots(sandbox_client, james)
    every = sandbox_hub.platform.interview_slots("DHS", *_record_and_key(sandbox_hub, james))["slots"]
    [taken] = [s["slot_id"] for s in every if not s["available"]]
    assert taken not in {s["id"] for s in offered}  # not shown as open
    assert_problem(book(sandbox_client, james, taken), 409, field="slot_id")
    assert_problem(book(sandbox_client, james, "slot-nothing", key="book-interview-0003"), 422, field="slot_id")
    assert_problem(
        sandbox_client.put(f"/v1/me/actions/{james.action_id}/appointment", json={}, headers=james.headers),
        422,
        field="slot_id",
    )
    assert appointments(sandbox_hub) == 0


def test_a_slot_that_has_begun_is_a_422_naming_slot_id(sandbox_client, sandbox_hub, james):
    offered = slots(sandbox_client, james)
    clock.set_now(dt.datetime.fromisoformat(offered[0]["starts_at"]) + dt.timedelta(minutes=1))
    assert offered[0]["id"] not in {s["id"] for s in slots(sandbox_client, james)}
    body = assert_problem(book(sandbox_client, james, offered[0]["id"]), 422, field="slot_id")
    assert "begun" in body["errors"]["slot_id"][0]
    assert appointments(sandbox_hub) == 0


def test_a_document_action_has_no_slots_and_another_residents_action_is_a_404(
    sandbox_client, sandbox_hub, james, maria
):
    assert_problem(
        sandbox_client.get(f"/v1/me/actions/{maria.action_id}/slots", headers=maria.headers), 422, field="action_id"
    )
    assert_problem(sandbox_client.get(f"/v1/me/actions/{james.action_id}/slots", headers=maria.headers), 404)
    offered = slots(sandbox_client, james)
    assert_problem(book(sandbox_client, maria, offered[0]["id"], action_id=james.action_id), 404)
    booked = book(sandbox_client, james, offered[0]["id"]).get_json()
    assert_problem(sandbox_client.get(booked["calendar_url"], headers=maria.headers), 404)
    assert appointments(sandbox_hub) == 1


def test_anonymous_and_staff_tokens_are_401(sandbox_client, sandbox_url, sandbox_hub, james):
    offered = slots(sandbox_client, james)
    booked = book(sandbox_client, james, offered[0]["id"]).get_json()
    staff = sign_in_staff(sandbox_client, sandbox_url, "sophie")
    for headers in ({}, staff.headers):
        assert_problem(sandbox_client.get(f"/v1/me/actions/{james.action_id}/slots", headers=headers), 401)
        response = sandbox_client.put(
            f"/v1/me/actions/{james.action_id}/appointment", json={"slot_id": offered[1]["id"]}, headers=headers
        )
        assert_problem(response, 401)
        assert_problem(sandbox_client.get(booked["calendar_url"], headers=headers), 401)
    with sandbox_hub.session() as session:
        assert session.scalar(select(InterviewAppointment.slot_id)) == offered[0]["id"]


def _record_and_key(hub, james):
    with hub.session() as session:
        action = session.get(BenefitAction, james.action_id)
        link = session.scalar(
            select(ResidentLink).where(ResidentLink.agency == "DHS", ResidentLink.resident_id == action.resident_id)
        )
        return link.record_id, action.source_key.removeprefix("appt:")
