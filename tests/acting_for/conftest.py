"""Ana (the person) with records at DHS, HFS and AGING, and Rosa (a verified resident) who acts for her; helpers to
designate, end and read."""

from __future__ import annotations

import dataclasses

import pytest

from services import clock
from services.models.representation import (
    ENDED_BY_AGENCY,
    ENDED_BY_RESIDENT,
    PLATFORM_ENDED,
    DesignationAgency,
    RepresentativeDesignation,
)
from tests.factories import Caller, create_signed_in_resident, create_snapshot

LINKS = {"DHS": "IES100200301", "HFS": "hfs-300400501", "AGING": "AG100200604"}
FIXTURES = [("DHS", "dhs_maria_day0.json"), ("HFS", "hfs_maria_day7.json"), ("AGING", "aging_ana_day7.json")]


@dataclasses.dataclass(frozen=True)
class Represented:
    """Rosa acting for Ana through one designation."""

    person: Caller
    representative: Caller
    designation_id: str

    def path(self, rest: str) -> str:
        return f"/v1/me/represented/{self.designation_id}/{rest}"


def designate(hub, person_id: str, representative_id: str, agencies, *, origin: str = "invitation") -> str:
    """An active designation (as an accepted invitation or the platform would leave it), committed."""
    with hub.session() as session:
        designation = RepresentativeDesignation(person_id=person_id, representative_id=representative_id, origin=origin)
        designation.agencies = [DesignationAgency(agency=agency, position=i) for i, agency in enumerate(agencies)]
        session.add(designation)
        session.commit()
        return designation.id


def end(hub, designation_id: str, *, agency: str | None = None) -> None:
    """End the designation (the person did), or only its part at ``agency`` (the agency did)."""
    with hub.session() as session:
        designation = session.get(RepresentativeDesignation, designation_id)
        if agency is None:
            designation.ended_at, designation.ended_by = clock.now(), ENDED_BY_RESIDENT
        else:
            part = next(p for p in designation.agencies if p.agency == agency)
            part.status, part.ended_at, part.ended_by = PLATFORM_ENDED, clock.now(), ENDED_BY_AGENCY
        session.commit()


@pytest.fixture
def ana(hub) -> Caller:
    person = create_signed_in_resident(hub, links=LINKS, given_name="Ana", name="Ana Morales", locale="es")
    for agency, fixture in FIXTURES:
        create_snapshot(hub, person.id, agency, fixture)
    return person


@pytest.fixture
def rosa(hub) -> Caller:
    return create_signed_in_resident(hub, given_name="Rosa", name="Rosa Morales", locale="en")


@pytest.fixture
def represented(hub, ana, rosa) -> Represented:
    """Rosa acts for Ana at DHS and HFS (not AGING)."""
    return Represented(ana, rosa, designate(hub, ana.id, rosa.id, ["DHS", "HFS"]))


from tests.benefits.test_stored_reads import full_read  # noqa: E402, F401  (fixture)
from tests.notifications.conftest import fcm_server, fcm_transport  # noqa: E402, F401  (fixtures)
from tests.partner.conftest import partner_client, partner_fcm, partner_hub  # noqa: E402, F401  (fixtures)
