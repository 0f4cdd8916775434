"""``Idempotency-Key``: a retried write answers what the first answered and runs once; the same key with another
request is a 409; a duplicate in flight is a 409, never a second execution; keys belong to their caller."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select, update

from services import clock
from services.idempotency import prune_idempotency_keys_job
from services.models.idempotency import IN_FLIGHT, IdempotencyKey
from services.models.identity import Resident, ResidentLink
from services.models.notifications import Device, PushDelivery
from tests.factories import create_devices, create_notification, sign_in, sign_in_staff
from tests.problem_assertions import assert_problem

REASON = {"X-Access-Reason": "She says the reminder never arrived"}
PHONE = {"platform": "android", "push_token": "fcm-token-of-marias-phone-0001", "app_id": "sandbox-app"}
KEY = "2f6c1a52-9d0e-4d47-9b5e-3c8f0e6a7b11"


def count(session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where))


def with_key(headers: dict, key: str = KEY) -> dict:
    return {**headers, "Idempotency-Key": key}


@pytest.fixture
def maria_message(sandbox_client, sandbox_url, db_session):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    resident_id = sandbox_client.get("/v1/me", headers=maria.headers).get_json()["id"]
    resident = db_session.get(Resident, resident_id)
    devices = create_devices(db_session, resident, ["fcm-token-of-marias-phone-0002"])
    return create_notification(db_session, resident, devices)


def resends(session) -> int:
    return count(session, PushDelivery, PushDelivery.kind == "resend")


# -- POST /v1/admin/notifications/{id}/resend ----------------------------------------------------------------------


def test_two_resends_with_one_key_send_once_and_answer_alike(sandbox_client, sandbox_url, db_session, maria_message):
    sophie = sign_in_staff(sandbox_client, sandbox_url, "sophie")
    path = f"/v1/admin/notifications/{maria_message.id}/resend"
    first = sandbox_client.post(path, headers=with_key({**sophie.headers, **REASON}))
    second = sandbox_client.post(path, headers=with_key({**sophie.headers, **REASON}))
    assert first.status_code == second.status_code == 200
    assert second.get_json() == first.get_json()
    assert second.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert second.headers["Content-Type"] == "application/json"
    assert resends(db_session) == 1
    assert sandbox_client.post(path, headers={**sophie.headers, **REASON}).status_code == 200  # no key: runs again
    assert resends(db_session) == 2


def test_one_key_for_another_notification_is_a_409(sandbox_client, sandbox_url, db_session, maria_message):
    sophie = sign_in_staff(sandbox_client, sandbox_url, "sophie")
    headers = with_key({**sophie.headers, **REASON})
    assert sandbox_client.post(f"/v1/admin/notifications/{maria_message.id}/resend", headers=headers).status_code == 200
    other = create_notification(db_session, db_session.get(Resident, maria_message.resident_id), [])
    response = sandbox_client.post(f"/v1/admin/notifications/{other.id}/resend", headers=headers)
    assert_problem(response, 409, field="Idempotency-Key")
    assert resends(db_session) == 1


def test_another_staff_member_with_the_same_key_runs_their_own_resend(
    sandbox_client, sandbox_url, db_session, maria_message
):
    sophie, omar = (sign_in_staff(sandbox_client, sandbox_url, name) for name in ("sophie", "omar"))
    path = f"/v1/admin/notifications/{maria_message.id}/resend"
    first = sandbox_client.post(path, headers=with_key({**sophie.headers, **REASON}))
    second = sandbox_client.post(path, headers=with_key({**omar.headers, **REASON}))
    assert first.status_code == second.status_code == 200
    assert "Idempotent-Replayed" not in second.headers
    assert second.get_json()["send_round"] == first.get_json()["send_round"] + 1
    assert resends(db_session) == 2


# -- POST /v1/me/devices -------------------------------------------------------------------------------------------


def test_a_retried_registration_answers_the_first_201(sandbox_client, sandbox_url, db_session):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    first = sandbox_client.post("/v1/me/devices", json=PHONE, headers=with_key(maria.headers))
    again = sandbox_client.post("/v1/me/devices", json=PHONE, headers=with_key(maria.headers))
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert count(db_session, Device) == 1
    changed = sandbox_client.post("/v1/me/devices", json={**PHONE, "locale": "es"}, headers=with_key(maria.headers))
    assert_problem(changed, 409, field="Idempotency-Key")
    assert db_session.scalar(select(Device.locale)) is None


@pytest.mark.parametrize("key", ["short", "has space in it", "x" * 256, "ключ-ключ-ключ", "a/b/c/d/e/f"])
def test_a_malformed_key_is_a_422_naming_the_header_and_registers_nothing(sandbox_client, sandbox_url, db_session, key):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    headers = {**maria.headers, "Idempotency-Key": key.encode().decode("latin-1")}
    assert_problem(sandbox_client.post("/v1/me/devices", json=PHONE, headers=headers), 422, field="Idempotency-Key")
    assert count(db_session, Device) == 0


def test_keys_belong_to_their_resident(sandbox_client, sandbox_url, db_session):
    maria, james = (sign_in(sandbox_client, sandbox_url, name) for name in ("maria", "james"))
    marias = sandbox_client.post("/v1/me/devices", json=PHONE, headers=with_key(maria.headers))
    james_phone = {**PHONE, "push_token": "fcm-token-of-james-phone-0001"}
    his = sandbox_client.post("/v1/me/devices", json=james_phone, headers=with_key(james.headers))
    assert marias.status_code == his.status_code == 201
    assert his.get_json()["id"] != marias.get_json()["id"] and "Idempotent-Replayed" not in his.headers
    # even the very same body under the same key is james's own request, never a replay of maria's answer
    same = sandbox_client.post("/v1/me/devices", json=PHONE, headers=with_key(james.headers, KEY + "-2"))
    assert same.status_code == 200 and "Idempotent-Replayed" not in same.headers
    assert sandbox_client.get("/v1/me/devices", headers=maria.headers).get_json()["data"] == []


def test_a_key_without_credentials_is_still_a_401(client, db_session):
    assert_problem(client.post("/v1/me/devices", json=PHONE, headers={"Idempotency-Key": KEY}), 401)
    assert count(db_session, IdempotencyKey) == 0


def test_concurrent_duplicates_run_once(sandbox_app, sandbox_url, db_session):
    maria = sign_in(sandbox_app.test_client(), sandbox_url, "maria")
    answers: list[int] = []
    start = threading.Barrier(6)

    def register() -> None:
        client = sandbox_app.test_client()
        start.wait()
        response = client.post("/v1/me/devices", json=PHONE, headers=with_key(maria.headers))
        answers.append((response.status_code, response.headers.get("Idempotent-Replayed")))

    threads = [threading.Thread(target=register) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(answers) == 6
    executed = [answer for answer in answers if answer == (201, None)]
    assert len(executed) == 1, answers
    assert all(answer in {(201, None), (201, "true"), (409, None)} for answer in answers), answers
    assert count(db_session, Device) == 1


def test_a_request_whose_answer_was_not_recorded_is_never_run_again(sandbox_client, sandbox_url, db_session):
    """A process that died after the write and before recording the answer: retries get 409, not a second write."""
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    assert sandbox_client.post("/v1/me/devices", json=PHONE, headers=with_key(maria.headers)).status_code == 201
    db_session.execute(update(IdempotencyKey).values(state=IN_FLIGHT, status_code=None, response_body=None))
    db_session.commit()
    response = sandbox_client.post("/v1/me/devices", json=PHONE, headers=with_key(maria.headers))
    assert_problem(response, 409)
    assert response.headers["Retry-After"] == "1"
    assert count(db_session, Device) == 1


def test_keys_last_a_day_and_are_pruned(sandbox_client, sandbox_url, sandbox_hub, db_session):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    assert sandbox_client.post("/v1/me/devices", json=PHONE, headers=with_key(maria.headers)).status_code == 201
    clock.set_now(clock.now() + dt.timedelta(hours=25))
    assert prune_idempotency_keys_job(sandbox_hub) == 1
    assert count(db_session, IdempotencyKey) == 0


# -- POST /v1/me/links ---------------------------------------------------------------------------------------------


def test_a_refused_link_releases_its_key(sandbox_client, sandbox_url, db_session):
    """Only a write that happened is remembered: after a 404 the same key may carry the corrected request."""
    import httpx

    maria = sign_in(sandbox_client, sandbox_url, "maria")
    letter = httpx.get(f"{sandbox_url}/platform/sim/letters", params={"persona": "maria"}).json()["letters"][0]
    body = {key: letter[key] for key in ("agency", "case_number", "letter_code")}
    wrong = {**body, "letter_code": "ZZZZ-0000"}
    links = count(db_session, ResidentLink)
    assert_problem(sandbox_client.post("/v1/me/links", json=wrong, headers=with_key(maria.headers)), 404)
    assert count(db_session, IdempotencyKey) == 0 and count(db_session, ResidentLink) == links
    corrected = sandbox_client.post("/v1/me/links", json=body, headers=with_key(maria.headers))
    assert corrected.status_code in (200, 201) and "Idempotent-Replayed" not in corrected.headers


def test_a_retried_link_links_once(sandbox_client, sandbox_url, db_session):
    import httpx

    maria = sign_in(sandbox_client, sandbox_url, "maria")
    letter = httpx.get(f"{sandbox_url}/platform/sim/letters", params={"persona": "maria"}).json()["letters"][0]
    body = {key: letter[key] for key in ("agency", "case_number", "letter_code")}
    first = sandbox_client.post("/v1/me/links", json=body, headers=with_key(maria.headers))
    again = sandbox_client.post("/v1/me/links", json=body, headers=with_key(maria.headers))
    assert first.status_code in (200, 201) and again.status_code == first.status_code
    assert again.get_json() == first.get_json() and again.headers["Idempotent-Replayed"] == "true"


# -- the OpenAPI document ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/v1/me/devices", "post"),
        ("/v1/me/links", "post"),
        ("/v1/admin/notifications/{notification_id}/resend", "post"),
    ],
)
def test_the_header_is_documented(client, path, method):
    operation = client.get("/openapi.json").get_json()["paths"][path][method]
    [parameter] = [p for p in operation["parameters"] if p["name"] == "Idempotency-Key"]
    assert parameter["in"] == "header" and parameter["required"] is False
    assert "409" in operation["responses"]
