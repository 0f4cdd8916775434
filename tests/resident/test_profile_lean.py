"""``GET /v1/me`` is made in one statement and answered without running ``MeSchema``: its bytes are exactly those
of the schema's dump of the profile read through the ORM and the visibility rule (the read as it was), for a
resident with links shared and withheld, an unverified one, one in Spanish and one whose record search failed;
the body is what the documented schema describes; and the read is two statements (the session, the profile)."""

from __future__ import annotations

import datetime as dt

import pytest

from api.resident.profile.schemas import MeSchema
from services import clock
from services.identity.profile import identity_verification, record_search
from services.models.identity import Resident
from services.visibility import visibility_of
from tests.factories import create_signed_in_resident
from tests.statements import queries, recorded_statements


def _reference(session, resident_id: str) -> dict:
    """The profile as the ORM read made it: the resident, ``visibility_of``'s links and withheld agencies."""
    resident = session.get(Resident, resident_id)
    visibility = visibility_of(session, resident_id)
    links = sorted(visibility.links, key=lambda link: (link.agency, link.linked_at, link.id))
    return {
        "id": resident.id,
        "name": resident.name,
        "email": resident.email,
        "locale": resident.locale,
        "time_zone": resident.time_zone,
        "identity_verified": resident.identity_verified,
        "identity_verification": identity_verification(resident),
        "links": [
            {
                "id": link.id,
                "agency": link.agency,
                "method": link.method,
                "proof": link.proof,
                "linked_at": link.linked_at,
                "shared": visibility.shares(link.agency),
            }
            for link in links
        ],
        "record_search": record_search(resident, bool(links)),
    }


RESIDENTS = {
    "linked, one agency withheld": {
        "links": {"DHS": "IES100200301", "HFS": "hfs-300400501", "DEC": "DEC-1"},
        "revoked": ("DEC",),
        "name": "María José Núñez",
        "email": "maria@example.com",
    },
    "not verified": {"verified": False, "name": "Lee"},
    "in Spanish, searched, nothing found": {
        "locale": "es",
        "records_searched_at": dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
    },
    "search failing": {"records_search_error": "timeout", "links": {"AGING": "AG100200604"}},
}


@pytest.mark.parametrize("kind", RESIDENTS)
def test_the_lean_profile_is_the_schemas_dump_byte_for_byte(app, client, hub, kind):
    resident = create_signed_in_resident(hub, **RESIDENTS[kind])
    response = client.get("/v1/me", headers=resident.headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    with hub.session() as session, app.app_context():
        expected = app.json.response(MeSchema().dump(_reference(session, resident.id)))
    assert response.get_data() == expected.get_data()
    assert response.headers["Content-Type"] == expected.headers["Content-Type"]
    body = response.get_json()
    assert MeSchema().load(body) is not None  # every field is one the documented schema describes
    if kind == "linked, one agency withheld":
        assert {link["agency"]: link["shared"] for link in body["links"]} == {"DEC": False, "DHS": True, "HFS": True}


def test_a_consent_given_back_is_seen_on_the_next_read(client, hub):
    resident = create_signed_in_resident(hub, links={"DEC": "DEC-1"}, revoked=("DEC",))
    assert client.get("/v1/me", headers=resident.headers).get_json()["links"][0]["shared"] is False
    clock.set_now(clock.now() + dt.timedelta(seconds=1))
    put = client.put("/v1/me/consents/DEC", json={"granted": True}, headers=resident.headers)
    assert put.status_code < 300, put.get_data(as_text=True)
    assert client.get("/v1/me", headers=resident.headers).get_json()["links"][0]["shared"] is True


def test_the_profile_is_two_statements_whatever_the_number_of_links(client, hub, test_database):
    few = create_signed_in_resident(hub, links={"DHS": "IES1"})
    many = create_signed_in_resident(hub, links={"DHS": "IES2", "HFS": "hfs-2", "AGING": "AG2", "DEC": "D2"})
    counts = []
    for who in (few, many):
        client.get("/v1/me", headers=who.headers)  # per-process caches warm
        with recorded_statements(test_database.engine) as seen:
            assert client.get("/v1/me", headers=who.headers).status_code == 200
        counts.append(len(queries(seen)))
    assert counts == [2, 2]
