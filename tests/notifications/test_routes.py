"""The resident's device, inbox and preference routes, through HTTP with real sign-ins at the sandbox."""

from __future__ import annotations

import pytest

from notifications.dispatch import dispatch_outbox
from services.outbox import DomainEvent, write_events
from tests.factories import sign_in, sign_in_staff
from tests.problem_assertions import assert_problem

PHONE = {
    "platform": "ios",
    "push_token": "apns-token-for-marias-phone-0001",
    "app_id": "gov.state.benefits",
    "locale": "en",
}


@pytest.fixture
def maria(sandbox_client, sandbox_url):
    return sign_in(sandbox_client, sandbox_url, "maria")


@pytest.fixture
def ana(sandbox_client, sandbox_url):
    return sign_in(sandbox_client, sandbox_url, "ana")


def resident_id(client, who) -> str:
    return client.get("/v1/me", headers=who.headers).get_json()["id"]


def my_devices(client, who) -> list[dict]:
    response = client.get("/v1/me/devices", headers=who.headers)
    assert response.status_code == 200
    return response.get_json()["data"]


def notify(context, client, who, *events: DomainEvent) -> None:
    with context.session() as session:
        write_events(session, resident_id(client, who), events)
        session.commit()
    dispatch_outbox(context)


def notice(number: int) -> DomainEvent:
    payload = {
        "benefit_id": f"benefit-{number}",
        "agency": "DHS",
        "program_code": "SNAP",
        "notice_id": f"notice-{number}",
        "title": "Approval letter",
        "posted_on": "2026-03-02",
    }
    return DomainEvent("notice.posted", payload, f"notice.posted:notice-{number}")


# -- devices ----------------------------------------------------------------------------------------------------


def test_a_registered_device_is_listed_with_its_token_masked(sandbox_client, maria):
    response = sandbox_client.post("/v1/me/devices", json=PHONE, headers=maria.headers)

    assert response.status_code == 201
    device = response.get_json()
    assert device["push_token"] == "•••••e-0001"
    assert PHONE["push_token"] not in response.get_data(as_text=True)
    assert {key: device[key] for key in ("platform", "app_id", "locale", "active")} == {
        "platform": "ios",
        "app_id": "gov.state.benefits",
        "locale": "en",
        "active": True,
    }
    listed = sandbox_client.get("/v1/me/devices", headers=maria.headers)
    assert [item["id"] for item in listed.get_json()["data"]] == [device["id"]]
    assert PHONE["push_token"] not in listed.get_data(as_text=True)


def test_registering_the_same_token_again_keeps_one_device(sandbox_client, maria):
    first = sandbox_client.post("/v1/me/devices", json=PHONE, headers=maria.headers)
    again = sandbox_client.post("/v1/me/devices", json={**PHONE, "locale": "es"}, headers=maria.headers)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json()["id"] == first.get_json()["id"]
    assert [device["locale"] for device in my_devices(sandbox_client, maria)] == ["es"]


def test_a_token_registered_by_another_resident_moves_to_them(sandbox_client, maria, ana):
    sandbox_client.post("/v1/me/devices", json=PHONE, headers=maria.headers)

    moved = sandbox_client.post("/v1/me/devices", json=PHONE, headers=ana.headers)

    assert moved.status_code == 200
    assert my_devices(sandbox_client, maria) == []
    assert [device["id"] for device in my_devices(sandbox_client, ana)] == [moved.get_json()["id"]]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"platform": "windows"}, "platform"),
        ({"push_token": "short"}, "push_token"),
        ({"push_token": "has spaces in the token"}, "push_token"),
        ({"app_id": ""}, "app_id"),
        ({"locale": "not a locale!"}, "locale"),
    ],
)
def test_bad_registrations_are_422_naming_the_field_and_register_nothing(sandbox_client, maria, change, field):
    response = sandbox_client.post("/v1/me/devices", json={**PHONE, **change}, headers=maria.headers)

    assert_problem(response, 422, field=field)
    assert my_devices(sandbox_client, maria) == []


def test_a_missing_push_token_is_named(sandbox_client, maria):
    body = {key: value for key, value in PHONE.items() if key != "push_token"}
    assert_problem(sandbox_client.post("/v1/me/devices", json=body, headers=maria.headers), 422, field="push_token")


def test_removing_a_device_stops_listing_it_and_another_residents_device_is_404(sandbox_client, maria, ana):
    device = sandbox_client.post("/v1/me/devices", json=PHONE, headers=maria.headers).get_json()

    assert_problem(sandbox_client.delete(f"/v1/me/devices/{device['id']}", headers=ana.headers), 404)
    assert len(my_devices(sandbox_client, maria)) == 1

    assert sandbox_client.delete(f"/v1/me/devices/{device['id']}", headers=maria.headers).status_code == 204
    assert my_devices(sandbox_client, maria) == []
    assert_problem(sandbox_client.delete(f"/v1/me/devices/{device['id']}", headers=maria.headers), 404)


def test_signing_out_deactivates_the_sessions_devices(sandbox_client, sandbox_url, maria):
    other_phone = sign_in(sandbox_client, sandbox_url, "maria")
    sandbox_client.post("/v1/me/devices", json=PHONE, headers=maria.headers)
    sandbox_client.post(
        "/v1/me/devices", json={**PHONE, "push_token": "fcm-token-for-marias-tablet-0002"}, headers=other_phone.headers
    )

    assert sandbox_client.post("/v1/auth/logout", headers=maria.headers).status_code == 204

    assert [device["push_token"][-4:] for device in my_devices(sandbox_client, other_phone)] == ["0002"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/v1/me/devices"),
        ("post", "/v1/me/devices"),
        ("delete", "/v1/me/devices/abc"),
        ("get", "/v1/me/notifications"),
        ("post", "/v1/me/notifications/abc/read"),
        ("get", "/v1/me/notification-preferences"),
        ("put", "/v1/me/notification-preferences"),
    ],
)
def test_every_route_needs_a_resident_token(sandbox_client, sandbox_url, method, path):
    staff = sign_in_staff(sandbox_client, sandbox_url, "sophie")
    body = {"json": PHONE} if method in {"post", "put"} and "devices" in path else {}

    assert_problem(getattr(sandbox_client, method)(path, **body), 401)
    if body:  # an anonymous caller learns nothing about the fields either
        assert_problem(getattr(sandbox_client, method)(path, json={"platform": 1}), 401)
    assert_problem(getattr(sandbox_client, method)(path, headers=staff.headers, **body), 401)
    assert_problem(getattr(sandbox_client, method)(path, headers={"Authorization": "Bearer not-a-token"}, **body), 401)


# -- inbox ------------------------------------------------------------------------------------------------------


def test_the_inbox_pages_newest_first_with_the_unread_count(sandbox_client, sandbox_hub, maria):
    notify(sandbox_hub, sandbox_client, maria, notice(1), notice(2), notice(3))

    first = sandbox_client.get("/v1/me/notifications?limit=2", headers=maria.headers).get_json()
    cursor = first["meta"]["next_cursor"]
    second = sandbox_client.get(f"/v1/me/notifications?limit=2&cursor={cursor}", headers=maria.headers).get_json()

    assert first["meta"]["unread_count"] == 3
    items = first["data"] + second["data"]
    assert len(items) == 3 and second["meta"]["next_cursor"] is None
    assert len({item["id"] for item in items}) == 3
    assert set(items[0]) >= {"id", "category", "title", "body", "locale", "created_at", "read_at", "benefit_id"}
    assert items[0]["category"] == "notices" and items[0]["locale"] == "en" and items[0]["read_at"] is None


def test_ana_reads_her_messages_in_spanish(sandbox_client, sandbox_hub, ana):
    notify(sandbox_hub, sandbox_client, ana, notice(4))

    [message] = sandbox_client.get("/v1/me/notifications", headers=ana.headers).get_json()["data"]
    assert message["locale"] == "es"


def test_reading_a_message_marks_it_and_another_residents_message_is_404(sandbox_client, sandbox_hub, maria, ana):
    notify(sandbox_hub, sandbox_client, maria, notice(5))
    [message] = sandbox_client.get("/v1/me/notifications", headers=maria.headers).get_json()["data"]

    assert_problem(sandbox_client.post(f"/v1/me/notifications/{message['id']}/read", headers=ana.headers), 404)
    read = sandbox_client.post(f"/v1/me/notifications/{message['id']}/read", headers=maria.headers)

    assert read.status_code == 200 and read.get_json()["read_at"] is not None
    meta = sandbox_client.get("/v1/me/notifications", headers=maria.headers).get_json()["meta"]
    assert meta["unread_count"] == 0
    assert_problem(sandbox_client.post("/v1/me/notifications/no-such-id/read", headers=maria.headers), 404)


@pytest.mark.parametrize(("query", "field"), [("limit=0", "limit"), ("limit=abc", "limit"), ("cursor=%%%", "cursor")])
def test_bad_inbox_queries_are_422_naming_the_field(sandbox_client, maria, query, field):
    assert_problem(sandbox_client.get(f"/v1/me/notifications?{query}", headers=maria.headers), 422, field=field)


# -- preferences ------------------------------------------------------------------------------------------------


def test_preferences_start_with_every_category_on_and_private_previews(sandbox_client, maria):
    body = sandbox_client.get("/v1/me/notification-preferences", headers=maria.headers).get_json()

    assert body["detailed_previews"] is False and body["quiet_hours"] is None
    assert set(body["categories"]) == {
        "status",
        "documents",
        "interviews",
        "renewals",
        "notices",
        "payments",
        "account",
    }
    assert all(value == {"enabled": True} for value in body["categories"].values())


def test_preferences_change_and_fields_left_out_keep_their_value(sandbox_client, maria):
    put = sandbox_client.put(
        "/v1/me/notification-preferences",
        json={"categories": {"payments": {"enabled": False}}, "quiet_hours": {"start": "21:30", "end": "07:00"}},
        headers=maria.headers,
    )
    assert put.status_code == 200
    again = sandbox_client.put(
        "/v1/me/notification-preferences", json={"detailed_previews": True}, headers=maria.headers
    ).get_json()

    assert again["categories"]["payments"] == {"enabled": False}
    assert again["categories"]["status"] == {"enabled": True}
    assert again["quiet_hours"] == {"start": "21:30", "end": "07:00", "time_zone": "America/Chicago"}
    assert again["detailed_previews"] is True
    off = sandbox_client.put("/v1/me/notification-preferences", json={"quiet_hours": None}, headers=maria.headers)
    assert off.get_json()["quiet_hours"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"categories": {"lottery": {"enabled": True}}}, "categories.lottery"),
        ({"categories": {"status": {"enabled": "maybe"}}}, "categories.status.value.enabled"),
        ({"quiet_hours": {"start": "25:00", "end": "07:00"}}, "quiet_hours.start"),
        ({"quiet_hours": {"start": "22:00"}}, "quiet_hours.end"),
        ({"quiet_hours": {"start": "22:00", "end": "22:00"}}, "quiet_hours.end"),
        ({"detailed_previews": "yes please"}, "detailed_previews"),
        ({"detailed_previews": 1}, "detailed_previews"),
        ({"categories": {"status": {"enabled": 0}}}, "categories.status.value.enabled"),
    ],
)
def test_bad_preferences_are_422_naming_the_field_and_change_nothing(sandbox_client, maria, body, field):
    before = sandbox_client.get("/v1/me/notification-preferences", headers=maria.headers).get_json()

    response = sandbox_client.put("/v1/me/notification-preferences", json=body, headers=maria.headers)

    problem = assert_problem(response, 422)
    assert any(name.startswith(field) for name in problem["errors"]), problem["errors"]
    assert sandbox_client.get("/v1/me/notification-preferences", headers=maria.headers).get_json() == before
