"""Support's lookup never browses: an identifier that normalises to nothing is a 422 naming its field, and no
lookup can match residents who lack the identifier (``phone_hash IS NULL``)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from sqlalchemy import select

from services.errors import InvalidInput
from services.identity.field_crypto import EmptyIdentifier
from services.identity.residents import resident_from_claims
from services.models.audit import AuditEvent
from services.support import find_residents
from tests.admin.conftest import MARIA_PHONE
from tests.factories import create_signed_in_resident, create_staff
from tests.problem_assertions import assert_problem

EMPTY_AFTER_NORMALISING = [
    ("phone", "abcdefg"),
    ("phone", "-------"),
    ("phone", "*******"),
    ("phone", "(   ) -"),
    ("phone", "12345"),  # digits, but too few to be a phone number
    ("email", "   "),
    ("email", "no-at-sign"),
    ("case_number", "      "),
]


@pytest.fixture
def residents_without_a_phone(hub, world):
    """Residents that a NULL match would list: no phone and no email on record."""
    return [create_signed_in_resident(hub, name=f"Resident {n}") for n in range(3)]


@pytest.mark.parametrize(("field", "value"), EMPTY_AFTER_NORMALISING)
def test_an_identifier_with_nothing_in_it_is_refused_and_lists_no_one(
    client, hub, db_session, residents_without_a_phone, field, value
):
    sophie = create_staff(hub, "support")
    response = client.get(f"/v1/admin/residents?{field}={quote(value)}", headers=sophie.admin_headers())
    body = assert_problem(response, 422, field=field)
    assert "data" not in body
    found = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "resident.lookup", AuditEvent.outcome == "allowed")
    ).all()
    assert found == []


def test_real_identifiers_still_match_exactly(client, hub, world, residents_without_a_phone):
    sophie = create_staff(hub, "support")
    for query in (f"phone={quote(MARIA_PHONE)}", "phone=312.555.0101"):
        body = client.get(f"/v1/admin/residents?{query}", headers=sophie.admin_headers()).get_json()
        assert [r["id"] for r in body["data"]] == [world.maria.id]
    nobody = client.get("/v1/admin/residents?phone=312-555-9999", headers=sophie.admin_headers()).get_json()
    assert nobody["data"] == []


@pytest.mark.parametrize(("field", "value"), [("phone", "-------"), ("email", "   "), ("case_number", "   ")])
def test_the_service_cannot_build_a_lookup_on_nothing(hub, db_session, field, value):
    hasher = hub.lookup_hasher
    with pytest.raises(InvalidInput) as refused:
        find_residents(db_session, hasher, **{field: value})
    assert set(refused.value.errors) == {field}
    with pytest.raises(InvalidInput):
        find_residents(db_session, hasher)


def test_the_hasher_refuses_empty_input(hub):
    hasher = hub.lookup_hasher
    for refused in (lambda: hasher.phone("-------"), lambda: hasher.phone(""), lambda: hasher.email("  ")):
        with pytest.raises(EmptyIdentifier):
            refused()
    assert hasher.phone("(312) 555-0101") == hasher.phone("+1 312 555 0101")


def test_a_provider_phone_with_no_digits_is_not_hashed(hub, db_session):
    claims = {
        "iss": "test",
        "sub": "phone-without-digits",
        "given_name": "Pat",
        "family_name": "Doe",
        "birthdate": "1980-01-01",
        "ssn_last4": "1234",
        "phone_number": "n/a",
    }
    row = resident_from_claims(
        db_session,
        claims,
        verified=True,
        cipher=hub.field_cipher,
        hasher=hub.lookup_hasher,
    )
    assert row.phone_hash is None
