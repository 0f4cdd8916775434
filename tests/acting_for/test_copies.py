"""Copies of Ana's messages for Rosa: a message about an agency of the designation that Ana shares reaches Rosa's
inbox in Rosa's language, saying whose case it is, and her phone through real firebase-admin against the fake FCM
server, with Rosa's own lock-screen privacy; nothing about another agency or Ana's account; nothing once the
designation ends (and what was queued is cancelled, what was shown is taken back), nor once Ana stops sharing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from notifications.delivery import send_due_deliveries
from notifications.dispatch import dispatch_outbox
from notifications.preferences import update_preferences
from services import clock
from services.models.identity import Resident
from services.models.notifications import NotificationMessage, PushDelivery
from services.outbox import DomainEvent
from services.vocabulary import STATE_ZONE
from tests.acting_for.conftest import designate, end
from tests.factories import approved_event, create_devices, create_events
from tests.problem_assertions import assert_problem


def notice(agency: str = "HFS", key: str = "N1") -> DomainEvent:
    payload = {
        "benefit_id": "benefit-medicaid-1",
        "agency": agency,
        "program_code": "MEDICAID" if agency == "HFS" else "CCP",
        "notice_id": key,
        "title": "Your coverage was renewed",
        "posted_on": "2026-03-02",
    }
    return DomainEvent("notice.posted", payload, f"notice.posted:{agency}:{key}")


def case_linked_elsewhere() -> DomainEvent:
    payload = {"link_id": "L1", "linked_agency": "HFS", "linked_on": "2026-03-02", "method": "letter"}
    return DomainEvent("link.added_elsewhere", payload, "link.added_elsewhere:L1")


def _emit(hub, person_id: str, *events: DomainEvent) -> None:
    with hub.session() as session:
        create_events(session, session.get(Resident, person_id), *events)
    dispatch_outbox(hub)


def _messages(hub, resident_id: str) -> list[NotificationMessage]:
    with hub.session() as session:
        return list(session.scalars(select(NotificationMessage).where(NotificationMessage.resident_id == resident_id)))


@pytest.fixture
def phones(hub, ana, rosa):
    with hub.session() as session:
        create_devices(session, session.get(Resident, ana.id), ["ana-phone-token-000001"])
        create_devices(session, session.get(Resident, rosa.id), ["rosa-phone-token-000001"])


def test_rosa_gets_a_copy_of_anas_notice_saying_whose_case_it_is(
    client, hub, represented, phones, fcm_transport, fcm_server
):
    _emit(hub, represented.person.id, notice("HFS"))
    send_due_deliveries(hub)

    [original] = _messages(hub, represented.person.id)
    [copy] = _messages(hub, represented.representative.id)
    assert original.locale == "es" and copy.locale == "en"
    assert copy.title == "About Ana's case: New notice: Your coverage was renewed"
    assert copy.body.startswith("A copy of a message about Ana's case: The agency posted a notice")
    assert (copy.designation_id, copy.agency, copy.category) == (represented.designation_id, "HFS", "notices")
    pushes = {call.token: call for call in fcm_server.accepted}
    assert set(pushes) == {"ana-phone-token-000001", "rosa-phone-token-000001"}
    rosa_push = pushes["rosa-phone-token-000001"]
    assert rosa_push.notification["title"] == "A notice about Ana's case"  # private by default: no program
    assert "Medicaid" not in str(rosa_push.notification) and rosa_push.data["message_id"] == copy.id
    inbox = client.get("/v1/me/notifications", headers=represented.representative.headers).get_json()
    assert [(m["id"], m["represented_id"]) for m in inbox["data"]] == [(copy.id, represented.designation_id)]
    assert (
        client.get("/v1/me/notifications", headers=represented.person.headers).get_json()["data"][0]["represented_id"]
        is None
    )


def test_rosas_detailed_previews_and_spanish_are_her_own(hub, ana, phones, fcm_transport, fcm_server):
    with hub.session() as session:
        rosa = session.scalar(select(Resident).where(Resident.id != ana.id))
        rosa.locale = "es"
        session.commit()
        rosa_id = rosa.id
        update_preferences(session, rosa_id, detailed_previews=True)
    designate(hub, ana.id, rosa_id, ["HFS"])
    _emit(hub, ana.id, notice("HFS"))
    send_due_deliveries(hub)

    [copy] = _messages(hub, rosa_id)
    assert copy.title == "Sobre el caso de Ana: Nuevo aviso: Your coverage was renewed"
    rosa_push = next(call for call in fcm_server.accepted if call.token == "rosa-phone-token-000001")
    assert rosa_push.notification["title"] == "Sobre el caso de Ana: Nuevo aviso de Medicaid"
    ana_push = next(call for call in fcm_server.accepted if call.token == "ana-phone-token-000001")
    assert "Medicaid" not in str(ana_push.notification)  # Ana's own lock screen stays private


def test_no_copy_about_another_agency_or_anas_account(hub, represented):
    _emit(hub, represented.person.id, notice("AGING", "N2"), case_linked_elsewhere())
    assert len(_messages(hub, represented.person.id)) == 2
    assert _messages(hub, represented.representative.id) == []


def test_an_event_dispatched_twice_makes_one_copy(hub, represented):
    _emit(hub, represented.person.id, approved_event(agency="DHS"))
    with hub.session() as session:
        create_events(session, session.get(Resident, represented.person.id), approved_event(agency="DHS"))
    dispatch_outbox(hub)
    assert len(_messages(hub, represented.representative.id)) == 1


def test_after_the_designation_ends_no_copy_is_made_and_what_was_sent_is_taken_back(
    client, hub, represented, phones, fcm_transport, fcm_server
):
    now = clock.now()
    local = now.astimezone(STATE_ZONE)
    quiet = (
        (local - dt.timedelta(hours=1)).time().replace(second=0, microsecond=0),
        (local + dt.timedelta(hours=1)).time().replace(second=0, microsecond=0),
    )
    with hub.session() as session:
        update_preferences(session, represented.representative.id, quiet_hours=quiet)
    _emit(hub, represented.person.id, notice("HFS", "N1"))  # Rosa's push waits for her quiet hours to end
    [copy] = _messages(hub, represented.representative.id)
    end(hub, represented.designation_id)
    _emit(hub, represented.person.id, notice("HFS", "N2"))
    clock.set_now(now + dt.timedelta(hours=3))
    try:
        send_due_deliveries(hub)
    finally:
        clock.set_now(None)

    assert [m.id for m in _messages(hub, represented.representative.id)] == [copy.id]  # no second copy
    with hub.session() as session:
        held = session.scalar(select(PushDelivery).where(PushDelivery.message_id == copy.id))
        assert (held.state, held.error_code) == ("cancelled", "representation_ended")
    assert "rosa-phone-token-000001" not in {call.token for call in fcm_server.accepted}
    headers = represented.representative.headers
    inbox = client.get("/v1/me/notifications", headers=headers).get_json()
    assert inbox["data"] == [] and inbox["meta"]["unread_count"] == 0
    assert_problem(client.post(f"/v1/me/notifications/{copy.id}/read", headers=headers), 404)


def test_when_the_agency_ends_its_part_or_ana_stops_sharing_the_copies_are_taken_back(client, hub, represented):
    _emit(hub, represented.person.id, notice("HFS", "N1"), approved_event(agency="DHS"))
    headers = represented.representative.headers
    assert len(client.get("/v1/me/notifications", headers=headers).get_json()["data"]) == 2

    end(hub, represented.designation_id, agency="DHS")
    assert [m["agency"] for m in client.get("/v1/me/notifications", headers=headers).get_json()["data"]] == ["HFS"]
    consent = client.put("/v1/me/consents/HFS", json={"granted": False}, headers=represented.person.headers)
    assert consent.status_code == 200
    assert client.get("/v1/me/notifications", headers=headers).get_json()["data"] == []
    _emit(hub, represented.person.id, notice("HFS", "N3"))
    assert len(_messages(hub, represented.representative.id)) == 2  # no new copy: Ana got no message either
