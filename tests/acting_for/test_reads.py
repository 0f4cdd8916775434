"""``GET /v1/me/represented/{id}/benefits``, ``…/actions``, ``…/notifications``: Rosa sees Ana's DHS and HFS (the
designation's agencies), never AGING; in her own language; the stored answer is the narrowed full read byte for
byte; consent, an ended designation and an agency's end all take effect on the next read; every read is in Ana's
access log; others' designations, unknown ids and the wrong kind of token get nothing."""

from __future__ import annotations

import orjson
import pytest
from sqlalchemy import func, select

from services import clock
from services.benefits import documents
from services.models.audit import AuditEvent
from services.models.benefits import ResidentView
from services.models.identity import Resident
from tests.acting_for.conftest import designate, end
from tests.benefits.test_stored_reads import _statements
from tests.factories import create_notification, create_resident, create_signed_in_resident, create_staff
from tests.problem_assertions import assert_problem
from tests.statements import queries

READS = ["benefits", "actions", "notifications"]


def _agencies(body) -> set[str]:
    return {item["agency"] for item in body["data"]}


def _audit_count(hub) -> int:
    with hub.session() as session:
        return session.scalar(select(func.count()).select_from(AuditEvent))


def test_rosa_sees_anas_benefits_at_the_designations_agencies_only(client, represented):
    response = client.get(represented.path("benefits"), headers=represented.representative.headers)

    assert response.status_code == 200
    body = response.get_json()
    assert _agencies(body) == {"DHS", "HFS"}
    assert {source["agency"] for source in body["meta"]["sources"]} == {"DHS", "HFS"}
    assert "AGING" not in response.get_data(as_text=True)
    own = client.get("/v1/me/benefits", headers={**represented.person.headers, "Accept-Language": "en"}).get_json()
    assert _agencies(own) == {"DHS", "HFS", "AGING"}
    assert [b for b in own["data"] if b["agency"] != "AGING"] == body["data"]


def test_actions_are_the_designations_agencies_only(client, represented):
    body = client.get(represented.path("actions"), headers=represented.representative.headers).get_json()
    own = client.get("/v1/me/actions", headers=represented.person.headers).get_json()
    assert body["data"] and _agencies(body) <= {"DHS", "HFS"}
    assert [a["id"] for a in own["data"] if a["agency"] in {"DHS", "HFS"}] == [a["id"] for a in body["data"]]


def test_rosa_reads_in_her_own_language_whatever_anas(client, represented):
    english = client.get(represented.path("benefits"), headers=represented.representative.headers)
    spanish = client.get(
        represented.path("benefits"), headers={**represented.representative.headers, "Accept-Language": "es"}
    )
    assert english.headers["Content-Language"] == "en" and english.get_json()["meta"]["locale"] == "en"
    assert spanish.headers["Content-Language"] == "es"
    ana_own = client.get("/v1/me/benefits", headers=represented.person.headers)
    assert ana_own.headers["Content-Language"] == "es"  # Ana's own language is Spanish
    with_accept = client.get("/v1/me/benefits", headers={**represented.person.headers, "Accept-Language": "es"})
    mine = [b for b in with_accept.get_json()["data"] if b["agency"] in {"DHS", "HFS"}]
    assert spanish.get_json()["data"] == mine


@pytest.mark.parametrize("kind", ["benefits", "actions"])
def test_the_etag_answers_304_and_the_304_is_in_anas_log(client, hub, represented, kind):
    first = client.get(represented.path(kind), headers=represented.representative.headers)
    before = _audit_count(hub)
    again = client.get(
        represented.path(kind), headers={**represented.representative.headers, "If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304 and again.headers["ETag"] == first.headers["ETag"]
    assert _audit_count(hub) == before + 1


@pytest.mark.parametrize(
    ("kind", "query", "headers"),
    [
        ("benefits", "", {}),
        ("benefits", "?limit=1", {}),
        ("benefits", "", {"Accept-Language": "es"}),
        ("actions", "", {}),
        ("actions", "?limit=1", {"Accept-Language": "es-MX"}),
    ],
)
def test_the_stored_answer_is_the_narrowed_full_read_byte_for_byte(
    client, hub, represented, full_read, kind, query, headers
):
    headers = {**represented.representative.headers, **headers}
    path = represented.path(kind) + query
    stored = client.get(path, headers=headers)
    with hub.session() as session:
        assert session.scalar(select(func.count()).select_from(ResidentView)), "not served from a stored document"
    with full_read:
        clock.set_now(clock.now())
        with hub.session() as session:
            documents.store(session, represented.person.id)  # no renderer: deleted
            session.commit()
        full = client.get(path, headers=headers)
    hub.runner.run_pending()
    again = client.get(path, headers=headers)
    assert stored.status_code == full.status_code == 200
    assert stored.get_data() == full.get_data() == again.get_data()
    for header in ("ETag", "Content-Language", "Vary", "Cache-Control"):
        assert stored.headers.get(header) == full.headers.get(header), header
    body = orjson.loads(stored.get_data())
    assert body["data"] and _agencies(body) <= {"DHS", "HFS"}
    if "limit" in query:
        assert body["meta"]["next_cursor"]


@pytest.mark.parametrize("served", ["stored", "full"])
def test_an_agency_ana_stopped_sharing_is_not_shown_to_rosa_either(client, represented, full_read, served):
    consent = client.put("/v1/me/consents/HFS", json={"granted": False}, headers=represented.person.headers)
    assert consent.status_code == 200
    if served == "full":
        full_read.__enter__()
    try:
        benefits = client.get(represented.path("benefits"), headers=represented.representative.headers).get_json()
        actions = client.get(represented.path("actions"), headers=represented.representative.headers).get_json()
    finally:
        if served == "full":
            full_read.__exit__()
    assert _agencies(benefits) == {"DHS"}
    assert {s["agency"] for s in benefits["meta"]["sources"]} == {"DHS"}
    assert _agencies(actions) <= {"DHS"}


def test_an_ended_designation_is_refused_on_the_next_read(client, hub, represented):
    for kind in READS:
        assert client.get(represented.path(kind), headers=represented.representative.headers).status_code == 200
    end(hub, represented.designation_id)
    before = _audit_count(hub)
    for kind in READS:
        body = assert_problem(client.get(represented.path(kind), headers=represented.representative.headers), 404)
        assert "Ana" not in str(body) and "DHS" not in str(body)
    assert _audit_count(hub) == before  # nothing was read, nothing is recorded


def test_an_agency_ending_its_part_takes_that_agency_away(client, hub, represented):
    end(hub, represented.designation_id, agency="DHS")
    body = client.get(represented.path("benefits"), headers=represented.representative.headers).get_json()
    assert _agencies(body) == {"HFS"}
    end(hub, represented.designation_id, agency="HFS")
    assert_problem(client.get(represented.path("benefits"), headers=represented.representative.headers), 404)


@pytest.mark.parametrize("kind", READS)
def test_anyone_elses_designation_or_an_unknown_id_is_404_with_none_of_the_data(client, hub, represented, kind):
    stranger = create_signed_in_resident(hub, given_name="Eve")
    others = designate(hub, represented.person.id, stranger.id, ["AGING"])  # Ana's designation of someone else
    cases = [
        (represented.representative.headers, f"/v1/me/represented/{others}/{kind}"),  # Eve's, not Rosa's
        (stranger.headers, represented.path(kind)),  # Rosa's, read by Eve
        (represented.person.headers, represented.path(kind)),  # the person is not her own representative
        (represented.representative.headers, f"/v1/me/represented/{'0' * 32}/{kind}"),
    ]
    details = set()
    for headers, path in cases:
        body = assert_problem(client.get(path, headers=headers), 404)
        assert "data" not in body
        details.add(body["detail"])
    assert len(details) == 1


@pytest.mark.parametrize("kind", READS)
def test_the_wrong_kind_of_token_is_401(client, hub, represented, kind):
    staff = create_staff(hub)
    assert_problem(client.get(represented.path(kind)), 401)
    assert_problem(client.get(represented.path(kind), headers=staff.headers), 401)
    assert_problem(client.get(represented.path(kind), headers=staff.admin_headers()), 401)


@pytest.mark.parametrize("kind", READS)
@pytest.mark.parametrize(("query", "field"), [("limit=0", "limit"), ("limit=abc", "limit"), ("cursor=%%%", "cursor")])
def test_bad_page_arguments_are_named_and_nothing_is_recorded(client, hub, represented, kind, query, field):
    before = _audit_count(hub)
    response = client.get(f"{represented.path(kind)}?{query}", headers=represented.representative.headers)
    assert_problem(response, 422, field=field)
    assert _audit_count(hub) == before


def test_every_read_is_in_anas_access_log_in_her_language(client, represented):
    for kind in READS:
        client.get(represented.path(kind), headers=represented.representative.headers)
    log = client.get("/v1/me/access-log", headers=represented.person.headers).get_json()["data"]
    assert [entry["action"] for entry in log] == [
        "represented.notifications.read",
        "represented.actions.read",
        "represented.benefits.read",
    ]
    assert all(entry["who"] == {"kind": "representative", "name": "Rosa", "role": "tu representante"} for entry in log)
    assert log[-1]["description"].startswith("Rosa, tu representante, vio tus beneficios")
    assert "(DHS y HFS)" in log[-1]["description"]


def test_the_access_log_entry_in_english(client, hub, rosa):
    dan = create_signed_in_resident(hub, links={"HFS": "hfs-300400501"}, given_name="Dan", locale="en")
    designation = designate(hub, dan.id, rosa.id, ["HFS"])
    client.get(f"/v1/me/represented/{designation}/benefits", headers=rosa.headers)
    entry = client.get("/v1/me/access-log", headers=dan.headers).get_json()["data"][0]
    assert entry["description"].startswith("Rosa, your representative, viewed your benefits")
    assert "(HFS)" in entry["description"]


def test_notifications_are_anas_messages_about_the_designations_agencies(client, hub, represented):
    with hub.session() as session:
        ana = session.get(Resident, represented.person.id)
        shown = create_notification(session, ana)  # notices.posted, about SNAP
        shown.agency, shown.locale = "DHS", "es"
        aging = create_notification(session, ana)
        aging.agency = "AGING"
        account = create_notification(session, ana)
        account.agency = None
        session.commit()
        shown_id, aging_id, account_id = shown.id, aging.id, account.id
    body = client.get(represented.path("notifications"), headers=represented.representative.headers).get_json()
    ids = [m["id"] for m in body["data"]]
    assert ids == [shown_id] and aging_id not in ids and account_id not in ids
    message = body["data"][0]
    assert message["locale"] == "en" and message["title"] == "New notice: Approval letter"  # Rosa's language
    assert message["represented_id"] is None
    assert body["meta"]["unread_count"] == 1
    spanish = client.get(
        represented.path("notifications"), headers={**represented.representative.headers, "Accept-Language": "es"}
    ).get_json()
    assert spanish["data"][0]["title"] == "Nuevo aviso: Approval letter"


def test_copies_ana_holds_for_someone_else_are_not_shown_to_rosa(client, hub, represented):
    """Ana represents Bea: the copies of Bea's notices in Ana's inbox are Bea's, never Rosa's to read."""
    with hub.session() as session:
        bea = create_resident(session, links={"DHS": "IES100200302"}, given_name="Bea")
    for_bea = designate(hub, bea.id, represented.person.id, ["DHS"])
    with hub.session() as session:
        ana = session.get(Resident, represented.person.id)
        copy = create_notification(session, ana)
        copy.agency, copy.designation_id = "DHS", for_bea
        session.commit()
        copy_id = copy.id
    body = client.get(represented.path("notifications"), headers=represented.representative.headers).get_json()
    assert copy_id not in [m["id"] for m in body["data"]]
    own = client.get("/v1/me/notifications", headers=represented.person.headers).get_json()
    assert copy_id in [m["id"] for m in own["data"]]  # Ana's own inbox has it


def _count(engine, run) -> int:
    return len(queries(_statements(engine, run), ("BEGIN", "COMMIT")))


@pytest.mark.parametrize("kind", ["benefits", "actions"])
def test_a_representatives_stored_read_is_the_persons_plus_a_constant(client, test_database, represented, kind):
    """The person's own stored read (one statement: the document rides on the token's session lookup), plus the
    person's document read on its own (one: the joined one is the representative's), the designation (two), the
    representative's language (one) and the access-log entry (three: the chain head's lock, the event, the new
    head), whatever the programs."""
    own, acting = f"/v1/me/{kind}", represented.path(kind)
    client.get(own, headers=represented.person.headers)  # warm per-process caches
    client.get(acting, headers=represented.representative.headers)
    counts = {
        "own": _count(test_database.engine, lambda: client.get(own, headers=represented.person.headers)),
        "acting": _count(test_database.engine, lambda: client.get(acting, headers=represented.representative.headers)),
    }
    assert counts["acting"] == counts["own"] + 7, counts
