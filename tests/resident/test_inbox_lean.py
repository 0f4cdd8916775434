"""The inbox's first page (``GET /v1/me/notifications``, no query or a plain ``limit``) is read in one statement and
answered without running the page schema: byte for byte what the documented page route answers for the same page
(reached with an empty ``cursor``, which takes the full path), for an empty inbox, one page, and a page with a next
cursor that leads on to the same second page; what the documented schema describes; two statements whatever the
inbox holds."""

from __future__ import annotations

import datetime as dt

import pytest

from api.pages import page_schema
from api.resident.notifications.schemas import InboxMeta, NotificationSchema
from services import clock
from services.models.identity import Resident
from tests.factories import create_notification, create_signed_in_resident
from tests.statements import queries, recorded_statements

PAGE = page_schema(NotificationSchema, InboxMeta)


def _inbox(hub, resident_id: str, messages: int, read: int = 0) -> None:
    with hub.session() as session:
        resident = session.get(Resident, resident_id)
        for number in range(messages):
            clock.set_now(clock.now() + dt.timedelta(minutes=1))
            message = create_notification(session, resident, urgent=number % 2 == 0)
            if number < read:
                message.read_at = clock.now()
                session.commit()


@pytest.mark.parametrize(("messages", "query"), [(0, ""), (3, ""), (5, "?limit=2"), (4, "?limit=4")])
def test_the_lean_first_page_is_the_page_routes_answer_byte_for_byte(client, hub, messages, query):
    resident = create_signed_in_resident(hub)
    _inbox(hub, resident.id, messages, read=1)
    lean = client.get(f"/v1/me/notifications{query}", headers=resident.headers)
    full = client.get(f"/v1/me/notifications{query or '?'}{'&' if query else ''}cursor=", headers=resident.headers)
    assert lean.status_code == full.status_code == 200, lean.get_data(as_text=True)
    assert lean.get_data() == full.get_data()
    assert lean.headers["Content-Type"] == full.headers["Content-Type"]
    body = lean.get_json()
    assert PAGE().load(body) is not None  # nothing the documented schema does not describe
    assert body["meta"]["unread_count"] == max(messages - 1, 0)
    if query == "?limit=2":
        assert len(body["data"]) == 2 and body["meta"]["next_cursor"]
        second = client.get(f"/v1/me/notifications?cursor={body['meta']['next_cursor']}", headers=resident.headers)
        assert [m["id"] for m in second.get_json()["data"]] not in ([], [m["id"] for m in body["data"]])
    else:
        assert body["meta"]["next_cursor"] is None


def test_another_residents_messages_are_never_on_the_page(client, hub):
    mine, theirs = create_signed_in_resident(hub), create_signed_in_resident(hub)
    _inbox(hub, theirs.id, 2)
    body = client.get("/v1/me/notifications", headers=mine.headers).get_json()
    assert body == {"data": [], "meta": {"next_cursor": None, "unread_count": 0}}


def test_a_bad_limit_is_still_the_documented_problem(client, hub):
    resident = create_signed_in_resident(hub)
    response = client.get("/v1/me/notifications?limit=0", headers=resident.headers)
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert "limit" in response.get_data(as_text=True)


def test_the_first_page_is_two_statements_whatever_the_inbox_holds(client, hub, test_database):
    empty, full = create_signed_in_resident(hub), create_signed_in_resident(hub)
    _inbox(hub, full.id, 6)
    counts = []
    for who in (empty, full):
        client.get("/v1/me/notifications", headers=who.headers)
        with recorded_statements(test_database.engine) as seen:
            assert client.get("/v1/me/notifications", headers=who.headers).status_code == 200
        counts.append(len(queries(seen)))
    assert counts == [2, 2]
