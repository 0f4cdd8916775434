"""The access module other routes build on: an active designation's grant, and the same 404 for every other case."""

from __future__ import annotations

import pytest

from services import clock
from services.errors import NotFound
from services.models.representation import (
    ENDED_BY_AGENCY,
    ENDED_BY_RESIDENT,
    PLATFORM_ENDED,
    DesignationAgency,
    RepresentativeDesignation,
)
from services.representation.grants import active_grants_for_person, grant_for
from tests.factories import create_resident


def _designation(session, person, representative, agencies, *, origin="invitation"):
    designation = RepresentativeDesignation(person_id=person.id, representative_id=representative.id, origin=origin)
    designation.agencies = [DesignationAgency(agency=agency, position=i) for i, agency in enumerate(agencies)]
    session.add(designation)
    session.commit()
    return designation


def test_grant_for_the_representative_names_the_agencies_still_standing(db_session):
    ana, rosa = create_resident(db_session), create_resident(db_session)
    designation = _designation(db_session, ana, rosa, ["HFS", "AGING"])
    designation.agencies[1].status = PLATFORM_ENDED
    designation.agencies[1].ended_by = ENDED_BY_AGENCY
    db_session.commit()

    grant = grant_for(db_session, rosa.id, designation.id)

    assert (grant.person_id, grant.representative_id, grant.origin) == (ana.id, rosa.id, "invitation")
    assert grant.agencies == frozenset({"HFS"})
    assert [g.designation_id for g in active_grants_for_person(db_session, ana.id)] == [designation.id]


def test_unknown_someone_elses_and_ended_designations_are_the_same_404(db_session):
    ana, rosa, other = create_resident(db_session), create_resident(db_session), create_resident(db_session)
    designation = _designation(db_session, ana, rosa, ["HFS"])
    ended = _designation(db_session, ana, rosa, ["DHS"])
    ended.ended_at, ended.ended_by = clock.now(), ENDED_BY_RESIDENT
    all_parts_ended = _designation(db_session, ana, rosa, ["AGING"], origin="agency")
    all_parts_ended.agencies[0].status = PLATFORM_ENDED
    db_session.commit()

    details = set()
    for holder, designation_id in [
        (rosa.id, "0" * 32),
        (other.id, designation.id),
        (ana.id, designation.id),  # the person is not the holder
        (rosa.id, ended.id),
        (rosa.id, all_parts_ended.id),
    ]:
        with pytest.raises(NotFound) as refused:
            grant_for(db_session, holder, designation_id)
        details.add(refused.value.detail)

    assert len(details) == 1
    assert [g.designation_id for g in active_grants_for_person(db_session, ana.id)] == [designation.id]
    assert active_grants_for_person(db_session, rosa.id) == []
