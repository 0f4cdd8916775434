"""The sandbox's own answer to "who is at risk, who may qualify" (simulator/people/ground_truth.py), from its people
data alone, and its control route; the hub's nudges are measured against it (bench/nudges_accuracy.py)."""

from __future__ import annotations

from collections import Counter
from datetime import date

from simulator.people.generated import generated_resident
from simulator.people.ground_truth import KINDS, truth_for
from simulator.people.model import HouseholdMember
from simulator.people.personas import build_personas

WINTER, SUMMER = date(2026, 12, 2), date(2026, 7, 1)


def test_marias_story_her_document_now_and_her_renewal_at_risk_two_weeks_on():
    maria = build_personas(WINTER)["maria"]
    assert truth_for(maria, 0, WINTER) == {"document_due_soon", "energy_assistance_season"}
    assert truth_for(maria, 14, WINTER) == {"renewal_at_risk", "energy_assistance_season"}
    assert truth_for(maria, 14, SUMMER) == {"renewal_at_risk"}  # no energy assistance season in July
    assert [member.relationship for member in maria.household_members()] == ["self", "child", "child"]


def test_the_other_personas_have_nothing_to_be_told():
    personas = build_personas(SUMMER)
    assert {name: truth_for(person, 0, SUMMER) for name, person in personas.items() if name != "maria"} == {
        name: set() for name in personas if name != "maria"
    }


def test_a_generated_population_has_every_kind_and_households_of_their_stated_size():
    seen: Counter[str] = Counter()
    for n in range(1, 1501):
        person = generated_resident(42, n)
        assert len(person.household_members()) == person.household_size
        assert person.household_members()[0] == HouseholdMember("self", person.birthdate)
        seen.update(truth_for(person, 0, WINTER))
    assert set(seen) == set(KINDS), seen
    assert seen["energy_assistance_season"] > seen["renewal_at_risk"] > 0


def test_the_route_answers_for_personas_and_ranges(client):
    body = client.get("/platform/sim/ground-truth?persona=maria&first=1&last=5").get_json()
    assert body["scenario_day"] == 0 and body["kinds"] == list(KINDS)
    assert set(body["people"]) == {"maria", *(f"resident-{n}" for n in range(1, 6))}
    assert "document_due_soon" in body["people"]["maria"]["kinds"] and body["people"]["maria"]["verified"]
    assert client.get("/platform/sim/ground-truth").status_code == 422
    assert client.get("/platform/sim/ground-truth?first=5&last=1").status_code == 422
