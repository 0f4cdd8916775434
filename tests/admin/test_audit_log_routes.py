"""``GET /v1/admin/audit-events`` (filters, cursor pages, what each role may read) and ``GET /v1/me/access-log``."""

from __future__ import annotations

from tests.factories import create_signed_in_resident, create_staff
from tests.problem_assertions import assert_problem


def visit(client, caller, world, count: int = 1) -> None:
    for _ in range(count):
        response = client.get(f"/v1/admin/residents/{world.maria.id}/benefits", headers=caller.admin_headers())
        assert response.status_code == 200


def listed(client, caller, query: str = "") -> list[dict]:
    response = client.get(f"/v1/admin/audit-events{query}", headers=caller.admin_headers(reason=None))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["data"]


def test_each_role_reads_its_share_of_the_audit_log(client, hub, world):
    sophie, omar, ada = (create_staff(hub, role) for role in ("support", "supervisor", "admin"))
    visit(client, sophie, world)
    visit(client, omar, world)
    listed(client, ada)  # an audit.read with no resident

    assert {e["actor_id"] for e in listed(client, sophie)} == {sophie.id}
    assert_problem(client.get(f"/v1/admin/audit-events?actor_id={omar.id}", headers=sophie.admin_headers()), 403)
    supervisor_view = listed(client, omar)
    assert {e["actor_id"] for e in supervisor_view} == {sophie.id, omar.id}
    assert all(e["resident_id"] for e in supervisor_view)
    assert "audit.read" in {e["action"] for e in listed(client, ada)}


def test_filters_and_cursor_pages(client, hub, world):
    sophie, ada = create_staff(hub, "support"), create_staff(hub, "admin")
    visit(client, sophie, world, count=5)
    query = f"?resident_id={world.maria.id}&action=resident.benefits.read&limit=2"
    seen, cursor = [], None
    while True:
        response = client.get(
            f"/v1/admin/audit-events{query}" + (f"&cursor={cursor}" if cursor else ""), headers=ada.admin_headers()
        )
        body = response.get_json()
        seen += [event["id"] for event in body["data"]]
        cursor = body["meta"]["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 5 and seen == sorted(seen, reverse=True)
    event = listed(client, ada, f"?actor_id={sophie.id}&limit=1")[0]
    assert len(event["hash"]) == 64 and event["fields"] == ["benefits"]
    assert listed(client, ada, "?since=2999-01-01T00:00:00Z") == []
    assert_problem(
        client.get("/v1/admin/audit-events?since=yesterday", headers=ada.admin_headers()), 422, field="since"
    )


def test_a_resident_sees_who_looked_in_plain_language_and_only_their_own(client, hub, world):
    sophie = create_staff(hub, "support")
    visit(client, sophie, world)
    entries = client.get("/v1/me/access-log", headers=world.maria.admin_headers()).get_json()["data"]
    (entry,) = entries
    assert entry["who"] == {"kind": "staff", "name": "Sophie", "role": "A support agent"}
    assert entry["description"].startswith("A support agent (Sophie) viewed your benefits on ")
    assert entry["description"].endswith("Reason: Caller asked why her SNAP is missing.")

    someone_else = create_signed_in_resident(hub, name="Sam")
    assert client.get("/v1/me/access-log", headers=someone_else.admin_headers()).get_json()["data"] == []
    assert_problem(client.get("/v1/me/access-log", headers=sophie.admin_headers()), 401)
