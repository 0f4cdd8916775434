"""GET /v1/me/sessions and DELETE /v1/me/sessions/{id}: one session per device, revocable at once."""

from __future__ import annotations

from tests.factories import sign_in, sign_in_staff
from tests.problem_assertions import assert_problem


def test_a_resident_lists_their_own_sessions_newest_first(sandbox_client, sandbox_url):
    phone = sign_in(sandbox_client, sandbox_url, "maria", device_name="Pixel 8")
    tablet = sign_in(sandbox_client, sandbox_url, "maria", device_name="iPad")
    sign_in(sandbox_client, sandbox_url, "james")
    body = sandbox_client.get("/v1/me/sessions", headers=tablet.headers).get_json()
    assert [s["id"] for s in body["data"]] == [tablet.session_id, phone.session_id]
    assert [s["device_label"] for s in body["data"]] == ["iPad", "Pixel 8"]
    assert [s["current"] for s in body["data"]] == [True, False]
    assert body["meta"]["next_cursor"] is None


def test_sessions_come_in_cursor_pages(sandbox_client, sandbox_url):
    signed = [sign_in(sandbox_client, sandbox_url, "maria") for _ in range(3)]
    first = sandbox_client.get("/v1/me/sessions?limit=2", headers=signed[0].headers).get_json()
    assert len(first["data"]) == 2 and first["meta"]["next_cursor"]
    second = sandbox_client.get(
        f"/v1/me/sessions?limit=2&cursor={first['meta']['next_cursor']}", headers=signed[0].headers
    ).get_json()
    seen = [s["id"] for s in first["data"] + second["data"]]
    assert sorted(seen) == sorted(s.session_id for s in signed) and second["meta"]["next_cursor"] is None


def test_bad_page_arguments_are_named(sandbox_client, sandbox_url):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    assert_problem(sandbox_client.get("/v1/me/sessions?limit=0", headers=maria.headers), 422, field="limit")
    assert_problem(sandbox_client.get("/v1/me/sessions?cursor=%%%", headers=maria.headers), 422, field="cursor")


def test_revoking_a_session_stops_its_tokens_at_once(sandbox_client, sandbox_url):
    phone = sign_in(sandbox_client, sandbox_url, "maria")
    tablet = sign_in(sandbox_client, sandbox_url, "maria")
    assert sandbox_client.get("/v1/me", headers=tablet.headers).status_code == 200
    assert sandbox_client.delete(f"/v1/me/sessions/{tablet.session_id}", headers=phone.headers).status_code == 204
    assert_problem(sandbox_client.get("/v1/me", headers=tablet.headers), 401)
    ids = [s["id"] for s in sandbox_client.get("/v1/me/sessions", headers=phone.headers).get_json()["data"]]
    assert ids == [phone.session_id]
    # revoking it again is harmless
    assert sandbox_client.delete(f"/v1/me/sessions/{tablet.session_id}", headers=phone.headers).status_code == 204


def test_another_residents_session_is_not_found(sandbox_client, sandbox_url):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    james = sign_in(sandbox_client, sandbox_url, "james")
    assert_problem(sandbox_client.delete(f"/v1/me/sessions/{james.session_id}", headers=maria.headers), 404)
    assert_problem(sandbox_client.delete("/v1/me/sessions/no-such-session", headers=maria.headers), 404)
    assert sandbox_client.get("/v1/me", headers=james.headers).status_code == 200


def test_session_routes_refuse_staff_and_anonymous_callers(sandbox_client, sandbox_url):
    ada = sign_in_staff(sandbox_client, sandbox_url, "ada")
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    assert_problem(sandbox_client.get("/v1/me/sessions", headers=ada.headers), 401)
    assert_problem(sandbox_client.delete(f"/v1/me/sessions/{maria.session_id}", headers=ada.headers), 401)
    assert_problem(sandbox_client.delete(f"/v1/me/sessions/{maria.session_id}"), 401)
    assert sandbox_client.get("/v1/me", headers=maria.headers).status_code == 200
