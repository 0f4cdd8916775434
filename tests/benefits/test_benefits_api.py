"""The resident benefits API over stored snapshots: what a resident sees, and what they may not."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, event

from services import clock
from services.models.benefits import ResidentView
from tests.factories import create_signed_in_resident, create_snapshot, create_staff
from tests.problem_assertions import assert_problem

MARIA_LINKS = {"DHS": "IES100200301", "HFS": "hfs-300400501"}


@pytest.fixture
def maria(hub):
    resident = create_signed_in_resident(hub, links=MARIA_LINKS)
    create_snapshot(hub, resident.id, "DHS", "dhs_maria_day0.json")
    create_snapshot(hub, resident.id, "HFS", "hfs_maria_day0.json")
    return resident


def programs(body):
    return {item["program"]["code"]: item for item in body["data"]}


def test_maria_sees_snap_wic_and_medicaid_with_fresh_sources(client, maria):
    response = client.get("/v1/me/benefits", headers=maria.headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    found = programs(body)
    assert set(found) == {"SNAP", "WIC", "MEDICAID"}
    snap = found["SNAP"]
    assert snap["status"] == "active" and snap["case_number"] == "•••••5367"
    assert snap["program"]["name"] == "SNAP food benefits"
    assert snap["amount"] == {"cents": 23400, "currency": "USD", "frequency": "monthly"}
    assert [(a["kind"], a["state"], a["due_on"]) for a in snap["actions"]] == [("document", "open", "2026-11-29")]
    assert found["MEDICAID"]["renewal_due_on"] == "2026-12-19"
    assert "notices" not in snap  # the list stays light; the detail has notices, payments and history
    sources = {s["agency"]: s for s in body["meta"]["sources"]}
    assert {a: s["status"] for a, s in sources.items()} == {
        "DHS": "fresh",
        "HFS": "fresh",
        "AGING": "not_linked",
        "DCEO": "not_linked",
        "DEC": "not_linked",
    }
    assert sources["DHS"]["as_of"] and snap["as_of"] == sources["DHS"]["as_of"]
    assert body["meta"]["identity_verification_required"] is False


def test_one_benefit_has_notices_payments_and_history(client, maria):
    listed = programs(client.get("/v1/me/benefits", headers=maria.headers).get_json())
    response = client.get(f"/v1/me/benefits/{listed['SNAP']['id']}", headers=maria.headers)
    assert response.status_code == 200
    snap = response.get_json()["data"]
    assert snap["notices"][0]["title"] == "We need proof of your income by the due date"  # newest first
    assert snap["payments"][0]["cents"] == 23400 and snap["payments"][-1]["cents"] == 15600
    assert [h["status"] for h in snap["history"]] == ["pending", "active"]
    assert [s["agency"] for s in response.get_json()["meta"]["sources"]] == ["DHS"]


def test_another_residents_benefit_is_not_found(client, hub, maria):
    other = create_signed_in_resident(hub, links={"DHS": "IES100200402"})
    create_snapshot(hub, other.id, "DHS", "dhs_james_day0.json")
    theirs = client.get("/v1/me/benefits", headers=other.headers).get_json()["data"][0]["id"]
    assert_problem(client.get(f"/v1/me/benefits/{theirs}", headers=maria.headers), 404)
    assert_problem(client.get("/v1/me/benefits/not-an-id", headers=maria.headers), 404)
    assert theirs not in client.get("/v1/me/actions", headers=maria.headers).get_data(as_text=True)


@pytest.mark.parametrize("path", ["/v1/me/benefits", "/v1/me/benefits/abc", "/v1/me/actions"])
def test_no_token_or_a_staff_token_is_refused(client, hub, path):
    assert_problem(client.get(path), 401)
    staff = create_staff(hub, "support")
    assert_problem(client.get(path, headers=staff.headers), 401)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("refresh=maybe", "refresh"),
        ("limit=0", "limit"),
        ("limit=abc", "limit"),
        ("cursor=%%%", "cursor"),
        ("cursor=eyJ4IjoxfQ", "cursor"),
    ],
)
def test_bad_query_parameters_are_named(client, maria, query, field):
    assert_problem(client.get(f"/v1/me/benefits?{query}", headers=maria.headers), 422, field=field)


@pytest.mark.parametrize(("query", "field"), [("limit=201", "limit"), ("cursor=bm90LWpzb24", "cursor")])
def test_bad_action_page_parameters_are_named(client, maria, query, field):
    assert_problem(client.get(f"/v1/me/actions?{query}", headers=maria.headers), 422, field=field)


def test_pages_of_benefits_follow_the_cursor(client, maria):
    first = client.get("/v1/me/benefits?limit=2", headers=maria.headers).get_json()
    assert len(first["data"]) == 2 and first["meta"]["next_cursor"]
    second = client.get(f"/v1/me/benefits?limit=2&cursor={first['meta']['next_cursor']}", headers=maria.headers)
    rest = second.get_json()
    assert len(rest["data"]) == 1 and rest["meta"]["next_cursor"] is None
    ids = [b["id"] for b in first["data"] + rest["data"]]
    assert len(set(ids)) == 3


def test_etag_and_if_none_match(client, maria):
    first = client.get("/v1/me/benefits", headers=maria.headers)
    etag = first.headers["ETag"]
    assert "Accept-Language" in first.headers["Vary"]
    again = client.get("/v1/me/benefits", headers={**maria.headers, "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    spanish = client.get("/v1/me/benefits", headers={**maria.headers, "If-None-Match": etag, "Accept-Language": "es"})
    assert spanish.status_code == 200 and spanish.headers["ETag"] != etag
    benefit_id = first.get_json()["data"][0]["id"]
    one = client.get(f"/v1/me/benefits/{benefit_id}", headers=maria.headers)
    cached = client.get(
        f"/v1/me/benefits/{benefit_id}", headers={**maria.headers, "If-None-Match": one.headers["ETag"]}
    )
    assert cached.status_code == 304
    actions = client.get("/v1/me/actions", headers=maria.headers)
    assert (
        client.get("/v1/me/actions", headers={**maria.headers, "If-None-Match": actions.headers["ETag"]}).status_code
        == 304
    )


def test_spanish_by_accept_language_or_by_the_residents_own_locale(client, hub, maria):
    body = client.get("/v1/me/benefits", headers={**maria.headers, "Accept-Language": "es-MX,es;q=0.9"}).get_json()
    snap = programs(body)["SNAP"]
    assert body["meta"]["locale"] == "es"
    assert snap["status_label"] == "Activo" and snap["status_reason"].startswith("Cumples los requisitos")
    ana = create_signed_in_resident(hub, locale="es", links={"AGING": "AG100200604"})
    create_snapshot(hub, ana.id, "AGING", "aging_ana_day0.json")
    response = client.get("/v1/me/benefits", headers=ana.headers)
    assert response.headers["Content-Language"] == "es"
    bap = programs(response.get_json())["BAP"]
    assert (
        bap["status"] == "denied" and bap["status_reason"] == "Los ingresos de tu hogar superan el límite del programa."
    )


def test_an_unverified_resident_gets_an_explanation_not_data(client, hub):
    lee = create_signed_in_resident(hub, verified=False, links={"DEC": "DEC100200705"})
    create_snapshot(hub, lee.id, "DEC", "dec_lee_day0.xml")
    for path in ("/v1/me/benefits", "/v1/me/actions"):
        response = client.get(path, headers=lee.headers)
        assert response.status_code == 200
        body = response.get_json()
        assert body["data"] == [] and body["meta"]["sources"] == []
        assert body["meta"]["identity_verification_required"] is True
        assert "Verify your identity" in body["meta"]["message"]


def test_revoked_consent_hides_the_agency_entirely(client, hub):
    resident = create_signed_in_resident(hub, links=MARIA_LINKS, revoked=("HFS",))
    create_snapshot(hub, resident.id, "DHS", "dhs_maria_day0.json")
    create_snapshot(hub, resident.id, "HFS", "hfs_maria_day0.json")
    body = client.get("/v1/me/benefits", headers=resident.headers).get_json()
    assert "MEDICAID" not in programs(body)
    assert "HFS" not in [s["agency"] for s in body["meta"]["sources"]]
    with hub.session() as session:
        from sqlalchemy import select

        from services.models.benefits import Benefit

        hidden = session.scalar(select(Benefit.id).where(Benefit.resident_id == resident.id, Benefit.agency == "HFS"))
    assert_problem(client.get(f"/v1/me/benefits/{hidden}", headers=resident.headers), 404)


def test_open_actions_soonest_first_across_programs(client, hub):
    resident = create_signed_in_resident(hub, links={"DHS": "IES100200301", "HFS": "hfs-300400501"})
    create_snapshot(hub, resident.id, "DHS", "dhs_maria_day7.json")
    create_snapshot(hub, resident.id, "HFS", "hfs_maria_day7.json")
    body = client.get("/v1/me/actions", headers=resident.headers).get_json()
    assert [(a["program"]["code"], a["kind"], a["state"], a["due_on"]) for a in body["data"]] == [
        ("SNAP", "document", "overdue", "2026-11-29"),
        ("MEDICAID", "renewal", "open", "2026-12-19"),
    ]
    first = client.get("/v1/me/actions?limit=1", headers=resident.headers).get_json()
    assert first["data"][0]["kind"] == "document"
    second = client.get(f"/v1/me/actions?limit=1&cursor={first['meta']['next_cursor']}", headers=resident.headers)
    assert second.get_json()["data"][0]["kind"] == "renewal" and second.get_json()["meta"]["next_cursor"] is None


def test_a_stale_source_is_served_and_refreshed_in_the_background_once(client, hub, maria):
    later = clock.now() + dt.timedelta(seconds=hub.settings.fresh_seconds + 60)
    clock.set_now(later)
    body = client.get("/v1/me/benefits", headers=maria.headers).get_json()
    assert {s["agency"]: s["status"] for s in body["meta"]["sources"]}["HFS"] == "stale"
    assert "MEDICAID" in programs(body)  # the last good copy, with its age
    queued = sorted(kwargs["agency"] for name, kwargs in hub.runner.pending if name == "benefits.refresh_source")
    assert queued == ["DHS", "HFS"]
    client.get("/v1/me/benefits", headers=maria.headers)
    assert len(hub.runner.pending) == 2  # debounced: one refresh per source per minute


def _count_statements(engine, run) -> int:
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return len(statements)


def test_a_benefits_read_is_a_small_constant_number_of_statements(client, hub, test_database):
    """No N+1: two programs at one agency or eight programs at five agencies cost the same statements."""
    small = create_signed_in_resident(hub, links={"DCEO": "EA100200403"})
    create_snapshot(hub, small.id, "DCEO", "dceo_james_day0.json")
    large = create_signed_in_resident(
        hub,
        links={
            "DHS": "IES100200301",
            "HFS": "hfs-300400501",
            "AGING": "AG100200604",
            "DCEO": "EA100200403",
            "DEC": "DEC100200705",
        },
    )
    for agency, fixture in [
        ("DHS", "dhs_maria_day7.json"),
        ("HFS", "hfs_maria_day7.json"),
        ("AGING", "aging_ana_day7.json"),
        ("DCEO", "dceo_james_day0.json"),
        ("DEC", "dec_lee_day0.xml"),
    ]:
        create_snapshot(hub, large.id, agency, fixture)
    for resident in (small, large):  # warm per-process caches (signing keys, app registry)
        client.get("/v1/me/benefits", headers=resident.headers)

    def read(resident):
        return lambda: client.get("/v1/me/benefits", headers=resident.headers)

    few = _count_statements(test_database.engine, read(small))
    many = _count_statements(test_database.engine, read(large))
    assert len(client.get("/v1/me/benefits", headers=large.headers).get_json()["data"]) == 7
    assert few == many, (few, many)
    assert many <= 3, many  # session, resident, the stored document (services.benefits.documents)


def test_the_full_benefits_read_is_a_small_constant_number_of_statements(client, hub, test_database):
    """The full read (no stored document: ``services.benefits.reads``) has no N+1 either; it reads more tables than
    the stored read (consents, links, sources, benefits, actions, and what was sent for each action)."""
    small = create_signed_in_resident(hub, links={"DCEO": "EA100200403"})
    create_snapshot(hub, small.id, "DCEO", "dceo_james_day0.json")
    large = create_signed_in_resident(
        hub, links={"DHS": "IES100200301", "HFS": "hfs-300400501", "AGING": "AG100200604", "DCEO": "EA100200403"}
    )
    for agency, fixture in [
        ("DHS", "dhs_maria_day7.json"),
        ("HFS", "hfs_maria_day7.json"),
        ("AGING", "aging_ana_day7.json"),
        ("DCEO", "dceo_james_day0.json"),
    ]:
        create_snapshot(hub, large.id, agency, fixture)
    for resident in (small, large):  # warm per-process caches (signing keys, app registry, maintenance calendar)
        client.get("/v1/me/benefits", headers=resident.headers)

    def selects(resident) -> int:
        with hub.session() as session:  # no stored document: the read takes the full path
            session.execute(delete(ResidentView).where(ResidentView.resident_id == resident.id))
            session.commit()
        seen = []

        def record(conn, cursor, statement, parameters, context, executemany):
            seen.append(statement)

        event.listen(test_database.engine, "before_cursor_execute", record)
        try:
            response = client.get("/v1/me/benefits", headers=resident.headers)
        finally:
            event.remove(test_database.engine, "before_cursor_execute", record)
        assert response.status_code == 200 and response.get_json()["data"]
        assert ("benefits.render_views", {"resident_id": resident.id}) in hub.runner.pending  # the full path ran
        hub.runner.pending.clear()  # the render it queues is not part of the read
        return len([s for s in seen if not s.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK"))])

    few, many = selects(small), selects(large)
    assert few == many, (few, many)
    # the stored read's look-up (resident and documents: none found), then the full read's eight: session,
    # resident, withheld consents, links, sources, benefits, actions, uploads
    assert many <= 9, many
