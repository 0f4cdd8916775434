"""What the rules read, as the hub holds it after a real sync: households from DHS, the verified date of birth,
and nothing from an agency the resident withholds."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from services.models.identity import Resident
from services.nudges.facts import facts_for


def marias_facts(hub):
    with hub.session() as session:
        resident = session.scalar(select(Resident).where(Resident.given_name == "Maria"))
        return facts_for(session, resident.id, hub.field_cipher)


def test_the_household_dhs_recorded_reaches_the_rules(sandbox_hub, maria):
    facts = marias_facts(sandbox_hub)
    snap = next(benefit for benefit in facts.benefits if benefit.program_code == "SNAP")
    assert snap.children_born == (dt.date(2023, 8, 9), dt.date(2016, 1, 22))
    assert facts.birthdate == dt.date(1988, 4, 12)  # her verified identity, read for the evaluation only
    assert {"DHS", "HFS"} <= facts.shown and set(facts.days) == {"DHS", "HFS"}
    assert {action.kind for action in facts.actions} == {"document"}


def test_a_withheld_agency_gives_the_rules_nothing(sandbox_client, sandbox_hub, maria):
    assert sandbox_client.put("/v1/me/consents/HFS", json={"granted": False}, headers=maria.headers).status_code == 200
    facts = marias_facts(sandbox_hub)
    assert "HFS" not in facts.shown and "HFS" not in facts.shared
    assert {benefit.agency for benefit in facts.benefits} == {"DHS"}
    assert "HFS" not in facts.days
