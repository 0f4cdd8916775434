"""A resident whose case is linked to another hub account is told: an inbox message (through the outbox and
the notification rules, in their language, pushed to their phones) and an entry in their access log."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from notifications.dispatch import dispatch_outbox
from services.identity.app_registry import ensure_app_clients
from services.identity.person_index import PersonIndex
from services.models.identity import ResidentLink
from services.models.notifications import PushDelivery
from services.models.outbox import OutboxEvent
from tests.factories import sign_in
from tests.resident.links import BIRTHDATES, letter, link, resident_id

PHONE = {"platform": "android", "push_token": "fcm-token-of-the-first-account-01", "app_id": "sandbox-app"}


@pytest.fixture
def second_app(sandbox_hub):
    """Another registered resident app: the provider gives it another pairwise ``sub``, so another account."""
    with sandbox_hub.session() as session:
        ensure_app_clients(session, (("county-app", "County app", "resident"),))
    return "county-app"


def _inbox(client, signed) -> list[dict]:
    return client.get("/v1/me/notifications", headers=signed.headers).get_json()["data"]


def _access_log(client, signed) -> list[dict]:
    return client.get("/v1/me/access-log", headers=signed.headers).get_json()["data"]


def test_a_case_linked_to_a_second_account_by_the_index_is_told_to_the_first(
    sandbox_client, sandbox_url, sandbox_hub, second_app, db_session
):
    ana = sign_in(sandbox_client, sandbox_url, "ana")
    assert sandbox_client.post("/v1/me/devices", json=PHONE, headers=ana.headers).status_code == 201
    other = sign_in(sandbox_client, sandbox_url, "ana", client_id=second_app)
    assert resident_id(sandbox_client, other) != resident_id(sandbox_client, ana)
    dispatch_outbox(sandbox_hub)
    inbox = _inbox(sandbox_client, ana)
    assert sorted(m["title"] for m in inbox) == [
        "Tu caso de AGING se vinculó a otra cuenta",
        "Tu caso de HFS se vinculó a otra cuenta",
    ]
    assert all(m["category"] == "account" and m["locale"] == "es" and m["benefit_id"] is None for m in inbox)
    deliveries = db_session.scalars(select(PushDelivery)).all()
    assert len(deliveries) == 2  # queued to her phone by the normal delivery path
    log = _access_log(sandbox_client, ana)
    assert [entry["who"]["kind"] for entry in log] == ["resident", "resident"]
    assert {entry["description"].split(" el ")[0] for entry in log} == {  # in ana's Spanish
        "Otra cuenta de la aplicación se vinculó a uno de tus casos de una agencia (HFS)",
        "Otra cuenta de la aplicación se vinculó a uno de tus casos de una agencia (AGING)",
    }
    assert all(entry["who"]["name"] is None for entry in log)  # never who
    # the account that made the links is told nothing about itself
    assert _inbox(sandbox_client, other) == [] and _access_log(sandbox_client, other) == []


def test_a_case_linked_by_letter_is_told_to_the_account_holding_that_person(
    sandbox_client, sandbox_url, sandbox_hub, second_app, db_session
):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    first = resident_id(sandbox_client, maria)
    with sandbox_hub.session() as session:  # arrange: her first account holds only her DHS record
        session.execute(delete(ResidentLink).where(ResidentLink.agency == "HFS"))
        session.commit()
    working = sandbox_hub.person_index
    sandbox_hub.person_index = PersonIndex("http://127.0.0.1:9/platform", "k", timeout=0.5)
    second = sign_in(sandbox_client, sandbox_url, "maria", client_id=second_app)
    sandbox_hub.person_index = working
    created = link(sandbox_client, second, letter(sandbox_url, "maria", "HFS"))
    assert created.status_code == 201 and created.get_json()["proof"] == "identity"
    [event] = db_session.scalars(select(OutboxEvent)).all()
    assert (event.resident_id, event.type, event.agency) == (first, "link.added_elsewhere", None)
    assert event.payload["linked_agency"] == "HFS" and set(event.payload) == {
        "link_id",
        "linked_agency",
        "linked_on",
        "method",
    }
    dispatch_outbox(sandbox_hub)
    [message] = _inbox(sandbox_client, maria)
    assert message["title"] == "Your HFS case was linked to another account"
    assert "call HFS" in message["body"]
    [entry] = _access_log(sandbox_client, maria)
    assert entry["action"] == "link.added_by_other"


def test_a_resident_linking_their_own_case_tells_no_one(sandbox_client, sandbox_url, db_session):
    grace = sign_in(sandbox_client, sandbox_url, "grace")
    assert (
        link(sandbox_client, grace, letter(sandbox_url, "grace", "DHS"), birthdate=BIRTHDATES["grace"]).status_code
        == 201
    )
    assert db_session.scalars(select(OutboxEvent)).all() == []


def test_a_notice_is_sent_even_for_an_agency_the_holder_stopped_sharing(
    sandbox_client, sandbox_url, sandbox_hub, second_app
):
    """It is about their account, not the agency's data: consent does not withhold it."""
    ana = sign_in(sandbox_client, sandbox_url, "ana")
    for agency in ("HFS", "AGING"):
        sandbox_client.put(f"/v1/me/consents/{agency}", json={"granted": False}, headers=ana.headers)
    sign_in(sandbox_client, sandbox_url, "ana", client_id=second_app)
    dispatch_outbox(sandbox_hub)
    assert len(_inbox(sandbox_client, ana)) == 2
