"""Every refusal of the representative routes: a problem naming the field, nothing changed; another resident's
designation is a 404; the wrong kind of token is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from services import clock
from services.models.representation import DesignationAgency, RepresentativeDesignation, RepresentativeInvitation
from tests.factories import sign_in, sign_in_staff
from tests.problem_assertions import assert_problem
from tests.representation.test_representatives_story import invite

ROUTES = [
    ("post", "/v1/me/representatives/invitations"),
    ("get", "/v1/me/representatives"),
    ("delete", "/v1/me/representatives/0123456789abcdef0123456789abcdef"),
    ("post", "/v1/me/represented"),
    ("get", "/v1/me/represented"),
    ("delete", "/v1/me/represented/0123456789abcdef0123456789abcdef"),
]


def _counts(hub) -> tuple[int, int, int]:
    with hub.session() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(model))
            for model in (RepresentativeInvitation, RepresentativeDesignation, DesignationAgency)
        )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "agencies"),
        ({"agencies": []}, "agencies"),
        ({"agencies": ["NASA"]}, "agencies.0"),
        ({"agencies": "HFS"}, "agencies"),
        ({"agencies": ["DHS"]}, "agencies"),  # ana has no DHS records
        ({"agencies": ["HFS"], "expires_in_days": 0}, "expires_in_days"),
        ({"agencies": ["HFS"], "expires_in_days": 31}, "expires_in_days"),
        ({"agencies": ["HFS"], "expires_in_days": "7"}, "expires_in_days"),
    ],
)
def test_bad_invitations_are_refused_naming_the_field(sandbox_client, sandbox_url, sandbox_hub, body, field):
    ana = sign_in(sandbox_client, sandbox_url, "ana")
    before = _counts(sandbox_hub)
    response = sandbox_client.post("/v1/me/representatives/invitations", json=body, headers=ana.headers)
    assert_problem(response, 422, field=field)
    assert _counts(sandbox_hub) == before


def test_unknown_and_someone_elses_used_code_get_one_answer_and_expired_says_so(
    sandbox_client, sandbox_url, sandbox_hub
):
    ana, rosa, maria = (sign_in(sandbox_client, sandbox_url, p) for p in ("ana", "rosa", "maria"))
    used = invite(sandbox_client, ana)["code"]
    assert sandbox_client.post("/v1/me/represented", json={"code": used}, headers=rosa.headers).status_code == 201
    before = _counts(sandbox_hub)

    unknown = assert_problem(
        sandbox_client.post("/v1/me/represented", json={"code": "HKPD-WRTC-MNZA-FQEX"}, headers=maria.headers),
        404,
        field="code",
    )
    taken = assert_problem(
        sandbox_client.post("/v1/me/represented", json={"code": used}, headers=maria.headers), 404, field="code"
    )
    assert (unknown["detail"], unknown["errors"]) == (taken["detail"], taken["errors"])

    expiring = invite(sandbox_client, ana, expires_in_days=1)["code"]
    clock.set_now(clock.now() + dt.timedelta(days=1, seconds=1))
    assert_problem(
        sandbox_client.post("/v1/me/represented", json={"code": expiring}, headers=maria.headers), 410, field="code"
    )
    assert _counts(sandbox_hub) == (before[0] + 1, before[1], before[2])  # only the second invitation was added


@pytest.mark.parametrize(
    ("code", "status"), [("", 422), ("1234-5678", 422), ("ILOU-ILOU-ILOU-ILOU", 422), (None, 422), (7, 422)]
)
def test_a_code_that_cannot_be_one_is_refused_naming_it(sandbox_client, sandbox_url, code, status):
    rosa = sign_in(sandbox_client, sandbox_url, "rosa")
    assert_problem(
        sandbox_client.post("/v1/me/represented", json={"code": code}, headers=rosa.headers), status, field="code"
    )


def test_ones_own_invitation_an_unverified_resident_and_a_second_designation_are_refused(
    sandbox_client, sandbox_url, sandbox_hub
):
    ana, rosa, lee = (sign_in(sandbox_client, sandbox_url, p) for p in ("ana", "rosa", "lee"))
    code = invite(sandbox_client, ana)["code"]
    before = _counts(sandbox_hub)
    assert_problem(
        sandbox_client.post("/v1/me/represented", json={"code": code}, headers=ana.headers), 422, field="code"
    )
    assert_problem(
        sandbox_client.post("/v1/me/represented", json={"code": code}, headers=lee.headers), 403, field="code"
    )
    assert _counts(sandbox_hub) == before

    assert sandbox_client.post("/v1/me/represented", json={"code": code}, headers=rosa.headers).status_code == 201
    second = invite(sandbox_client, ana, agencies=["HFS", "AGING"])["code"]
    before = _counts(sandbox_hub)
    assert_problem(
        sandbox_client.post("/v1/me/represented", json={"code": second}, headers=rosa.headers), 409, field="code"
    )
    assert _counts(sandbox_hub) == before


def test_another_residents_designation_is_a_404_and_changes_nothing(sandbox_client, sandbox_url, sandbox_hub):
    ana, rosa, maria = (sign_in(sandbox_client, sandbox_url, p) for p in ("ana", "rosa", "maria"))
    code = invite(sandbox_client, ana)["code"]
    designation = sandbox_client.post("/v1/me/represented", json={"code": code}, headers=rosa.headers).get_json()

    for path in (f"/v1/me/representatives/{designation['id']}", f"/v1/me/represented/{designation['id']}"):
        body = assert_problem(sandbox_client.delete(path, headers=maria.headers), 404)
        assert "Ana" not in str(body) and "Rosa" not in str(body)
    # each side only on its own side: the person cannot step down for rosa, rosa cannot end it as the person
    assert_problem(sandbox_client.delete(f"/v1/me/represented/{designation['id']}", headers=ana.headers), 404)
    assert_problem(sandbox_client.delete(f"/v1/me/representatives/{designation['id']}", headers=rosa.headers), 404)
    assert sandbox_client.get("/v1/me/representatives", headers=maria.headers).get_json()["data"] == []
    assert sandbox_client.get("/v1/me/represented", headers=maria.headers).get_json()["data"] == []
    with sandbox_hub.session() as session:
        assert session.get(RepresentativeDesignation, designation["id"]).ended_at is None


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_no_token_and_a_staff_token_are_refused(sandbox_client, sandbox_url, method, path):
    sophie = sign_in_staff(sandbox_client, sandbox_url, "sophie")
    body = {"json": {"code": "HKPD-WRTC-MNZA-FQEX", "agencies": ["HFS"]}} if method == "post" else {}
    assert_problem(getattr(sandbox_client, method)(path, **body), 401)
    assert_problem(getattr(sandbox_client, method)(path, headers=sophie.headers, **body), 401)
