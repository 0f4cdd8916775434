"""The nudge routes' four kinds of test (happy, bad input, another resident's, the wrong kind of token), with
dismiss, consent and the per-kind opt-out, through HTTP with real sign-ins at the sandbox identity providers."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from services.models.nudges import Nudge, NudgeOptOut
from services.nudges.rules import KINDS
from tests.factories import sign_in_staff
from tests.nudges.conftest import by_kind, nudges
from tests.problem_assertions import assert_problem


def dismiss(client, who, nudge_id):
    return client.post(f"/v1/me/nudges/{nudge_id}/dismiss", headers=who.headers)


def rows(hub, **where):
    with hub.session() as session:
        return list(session.scalars(select(Nudge).filter_by(**where)))


# -- GET /v1/me/nudges -------------------------------------------------------------------------------------------


def test_the_list_is_a_page_of_nudges_urgent_first(sandbox_client, maria):
    body = sandbox_client.get("/v1/me/nudges", headers=maria.headers).get_json()
    assert body["meta"] == {"next_cursor": None}
    assert [n["kind"] for n in body["data"]] == ["document_due_soon", "energy_assistance_season"]
    assert [n["urgent"] for n in body["data"]] == [True, False]
    first = sandbox_client.get("/v1/me/nudges?limit=1", headers=maria.headers).get_json()
    assert [n["kind"] for n in first["data"]] == ["document_due_soon"] and first["meta"]["next_cursor"]
    rest = sandbox_client.get(f"/v1/me/nudges?limit=1&cursor={first['meta']['next_cursor']}", headers=maria.headers)
    assert [n["kind"] for n in rest.get_json()["data"]] == ["energy_assistance_season"]


@pytest.mark.parametrize(("query", "field"), [("limit=0", "limit"), ("limit=abc", "limit"), ("cursor=%%%", "cursor")])
def test_bad_page_arguments_are_named_and_nothing_is_stored(sandbox_client, sandbox_hub, maria, query, field):
    assert_problem(sandbox_client.get(f"/v1/me/nudges?{query}", headers=maria.headers), 422, field=field)
    assert rows(sandbox_hub) == []


def test_a_resident_sees_only_their_own_nudges(sandbox_client, maria, james):
    marias = {n["id"] for n in nudges(sandbox_client, maria)}
    assert marias and marias.isdisjoint({n["id"] for n in nudges(sandbox_client, james)})


def test_the_list_refuses_no_token_and_a_staff_token(sandbox_client, sandbox_url):
    sophie = sign_in_staff(sandbox_client, sandbox_url, "sophie")
    assert_problem(sandbox_client.get("/v1/me/nudges"), 401)
    assert_problem(sandbox_client.get("/v1/me/nudges", headers=sophie.headers), 401)


# -- POST /v1/me/nudges/{id}/dismiss -----------------------------------------------------------------------------


def test_a_dismissed_nudge_is_gone_and_dismissing_it_again_keeps_the_first_time(sandbox_client, maria):
    nudge = by_kind(sandbox_client, maria)["energy_assistance_season"]
    first = dismiss(sandbox_client, maria, nudge["id"])
    assert first.status_code == 200
    assert first.get_json()["id"] == nudge["id"] and first.get_json()["kind"] == "energy_assistance_season"
    assert "energy_assistance_season" not in by_kind(sandbox_client, maria)
    again = dismiss(sandbox_client, maria, nudge["id"])
    assert again.status_code == 200 and again.get_json()["dismissed_at"] == first.get_json()["dismissed_at"]
    assert "document_due_soon" in by_kind(sandbox_client, maria)  # only that one


def test_another_residents_nudge_is_404_and_stays_as_it_was(sandbox_client, sandbox_hub, maria, james):
    nudge = by_kind(sandbox_client, maria)["document_due_soon"]
    assert_problem(dismiss(sandbox_client, james, nudge["id"]), 404)
    assert_problem(dismiss(sandbox_client, maria, "no-such-nudge"), 404)
    assert [row.dismissed_at for row in rows(sandbox_hub, id=nudge["id"])] == [None]
    assert "document_due_soon" in by_kind(sandbox_client, maria)


def test_dismiss_refuses_no_token_and_a_staff_token(sandbox_client, sandbox_url, sandbox_hub, maria):
    nudge = by_kind(sandbox_client, maria)["document_due_soon"]
    sophie = sign_in_staff(sandbox_client, sandbox_url, "sophie")
    assert_problem(sandbox_client.post(f"/v1/me/nudges/{nudge['id']}/dismiss"), 401)
    assert_problem(dismiss(sandbox_client, sophie, nudge["id"]), 401)
    assert [row.dismissed_at for row in rows(sandbox_hub, id=nudge["id"])] == [None]


# -- consent -------------------------------------------------------------------------------------------------------


def test_nudges_of_an_agency_the_resident_stops_sharing_disappear_and_cannot_be_dismissed(sandbox_client, maria):
    document = by_kind(sandbox_client, maria)["document_due_soon"]
    assert sandbox_client.put("/v1/me/consents/DHS", json={"granted": False}, headers=maria.headers).status_code == 200

    assert nudges(sandbox_client, maria) == []  # the document (DHS) and the energy season (needs DHS's SNAP)
    assert_problem(dismiss(sandbox_client, maria, document["id"]), 404)

    assert sandbox_client.put("/v1/me/consents/DHS", json={"granted": True}, headers=maria.headers).status_code == 200
    assert by_kind(sandbox_client, maria)["document_due_soon"]["id"] == document["id"]


def test_energy_assistance_needs_dceo_shared_to_know_nobody_applied(sandbox_client, maria):
    assert sandbox_client.put("/v1/me/consents/DCEO", json={"granted": False}, headers=maria.headers).status_code == 200
    assert set(by_kind(sandbox_client, maria)) == {"document_due_soon"}


# -- GET and PUT /v1/me/nudges/preferences -----------------------------------------------------------------------


def test_every_kind_is_on_until_the_resident_switches_it_off(sandbox_client, sandbox_hub, maria):
    body = sandbox_client.get("/v1/me/nudges/preferences", headers=maria.headers).get_json()
    assert body == {"kinds": {kind: {"enabled": True} for kind in KINDS}}
    changed = sandbox_client.put(
        "/v1/me/nudges/preferences",
        json={"kinds": {"energy_assistance_season": {"enabled": False}}},
        headers=maria.headers,
    )
    assert changed.status_code == 200
    assert changed.get_json()["kinds"]["energy_assistance_season"] == {"enabled": False}
    assert changed.get_json()["kinds"]["renewal_at_risk"] == {"enabled": True}  # left out: kept
    assert set(by_kind(sandbox_client, maria)) == {"document_due_soon"}
    sandbox_client.put(
        "/v1/me/nudges/preferences",
        json={"kinds": {"energy_assistance_season": {"enabled": True}}},
        headers=maria.headers,
    )
    assert set(by_kind(sandbox_client, maria)) == {"document_due_soon", "energy_assistance_season"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kinds": {"free_money": {"enabled": False}, "renewal_at_risk": {"enabled": False}}}, "kinds.free_money"),
        ({"kinds": {"renewal_at_risk": {}}}, "kinds.renewal_at_risk.value.enabled"),
        ({"kinds": {"renewal_at_risk": {"enabled": "no"}}}, "kinds.renewal_at_risk.value.enabled"),
        ({}, "kinds"),
    ],
)
def test_bad_preferences_are_named_and_change_nothing(sandbox_client, sandbox_hub, maria, body, field):
    problem = assert_problem(
        sandbox_client.put("/v1/me/nudges/preferences", json=body, headers=maria.headers), 422, field=field
    )
    assert problem["status"] == 422
    with sandbox_hub.session() as session:
        assert list(session.scalars(select(NudgeOptOut))) == []


def test_one_residents_opt_out_is_theirs_alone(sandbox_client, maria, james):
    off = {"kinds": {"document_due_soon": {"enabled": False}}}
    assert sandbox_client.put("/v1/me/nudges/preferences", json=off, headers=james.headers).status_code == 200
    assert "document_due_soon" in by_kind(sandbox_client, maria)
    mine = sandbox_client.get("/v1/me/nudges/preferences", headers=maria.headers).get_json()
    assert mine["kinds"]["document_due_soon"] == {"enabled": True}


def test_preferences_refuse_no_token_and_a_staff_token(sandbox_client, sandbox_url):
    sophie = sign_in_staff(sandbox_client, sandbox_url, "sophie")
    off = {"kinds": {"document_due_soon": {"enabled": False}}}
    assert_problem(sandbox_client.get("/v1/me/nudges/preferences"), 401)
    assert_problem(sandbox_client.get("/v1/me/nudges/preferences", headers=sophie.headers), 401)
    assert_problem(sandbox_client.put("/v1/me/nudges/preferences", json=off), 401)
    assert_problem(sandbox_client.put("/v1/me/nudges/preferences", json=off, headers=sophie.headers), 401)
