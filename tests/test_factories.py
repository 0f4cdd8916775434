"""The shared factories make fresh rows every call: two of anything in one test never collide on a unique
constraint (the old ``id(links)`` subject did, when one test made two residents with the same links)."""

from __future__ import annotations

from sqlalchemy import func, select

from services.models.identity import Resident, ResidentLink
from services.models.notifications import Device
from tests.factories import (
    create_device,
    create_notification,
    create_resident,
    create_signed_in_resident,
    create_staff,
)

LINKS = {"DHS": "IES100200301"}


def test_two_residents_made_alike_in_one_test_are_two_residents(hub, db_session):
    first, second = create_resident(db_session, links=LINKS), create_resident(db_session, links=LINKS)

    assert first.id != second.id and first.subject != second.subject
    assert db_session.scalar(select(func.count()).select_from(Resident)) == 2
    assert db_session.scalar(select(func.count()).select_from(ResidentLink)) == 2


def test_two_signed_in_residents_have_their_own_ids_sessions_and_tokens(client, hub):
    maria, james = create_signed_in_resident(hub, links=LINKS), create_signed_in_resident(hub, links=LINKS)

    assert len({maria.id, james.id}) == len({maria.session_id, james.session_id}) == 2
    assert client.get("/v1/me", headers=maria.headers).get_json()["id"] == maria.id
    assert client.get("/v1/me", headers=james.headers).get_json()["id"] == james.id


def test_two_devices_and_two_messages_for_one_resident_do_not_collide(db_session):
    resident = create_resident(db_session)
    phones = [create_device(db_session, resident), create_device(db_session, resident)]
    messages = [create_notification(db_session, resident, phones), create_notification(db_session, resident)]

    assert len({phone.token_hash for phone in phones}) == 2
    assert len({message.dedupe_key for message in messages}) == 2
    assert db_session.scalar(select(func.count()).select_from(Device)) == 2


def test_staff_of_every_role_sign_in_side_by_side(client, hub):
    callers = [create_staff(hub, role) for role in ("support", "supervisor", "admin", "support")]

    assert len({caller.session_id for caller in callers}) == 4
    for caller in callers:
        assert client.get("/v1/admin/audit-events", headers=caller.headers).status_code == 200
