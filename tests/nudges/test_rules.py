"""The nudge rules as a policy person writes them (services/nudges/rules.toml) and the evaluator that applies them:
pure functions of the facts, no database."""

from __future__ import annotations

import datetime as dt

import pytest

from services.nudges.facts import ActionFact, BenefitFact, Facts
from services.nudges.rules import KINDS, RULES_FILE, RulesError, Season, evaluate, load_rules, shipped_rules

TODAY = dt.date(2026, 12, 2)
ALL = frozenset({"DHS", "HFS", "AGING", "DCEO", "DEC"})


def facts(*, benefits=(), actions=(), birthdate=None, shared=ALL, today=TODAY, days=None) -> Facts:
    shown = frozenset(b.agency for b in benefits) & shared
    return Facts(today, frozenset(shared), shown, birthdate, tuple(benefits), tuple(actions), days or {})


def kinds(found) -> list[str]:
    return [candidate.kind for candidate in found]


MEDICAID = BenefitFact("b-med", "HFS", "MEDICAID", "active")
SNAP = BenefitFact("b-snap", "DHS", "SNAP", "active", children_born=(dt.date(2023, 8, 9), dt.date(2016, 1, 22)))
SNAP_NO_TODDLER = BenefitFact("b-snap", "DHS", "SNAP", "active", children_born=(dt.date(2016, 1, 22),))


def renewal(due: dt.date, state: str = "open") -> ActionFact:
    return ActionFact("a-rnw", "b-med", "HFS", "MEDICAID", "renewal", state, due_on=due)


def document(due: dt.date, *, uploaded: bool = False, state: str = "open") -> ActionFact:
    return ActionFact("a-doc", "b-snap", "DHS", "SNAP", "document", state, due_on=due, uploaded=uploaded)


OUT_OF_SEASON = dt.date(2026, 7, 1)  # no energy assistance season, so only the rule under test speaks


# -- the file ----------------------------------------------------------------------------------------------------
def test_the_shipped_file_names_every_kind_with_its_thresholds():
    rules = shipped_rules()
    assert set(rules.kinds) == set(KINDS)
    assert rules.kinds["renewal_at_risk"].due_within_days == 14
    assert (rules.max_pushes, rules.push_window_days) == (3, 7)
    assert [kind for kind, rule in rules.kinds.items() if rule.urgent] == [
        "renewal_at_risk",
        "interview_not_booked",
        "document_due_soon",
    ]
    assert all(rule.push_category for rule in rules.kinds.values() if rule.urgent)
    assert all(rule.apply_url.startswith("https://") for rule in rules.kinds.values() if not rule.urgent)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[kinds.renewal_at_risk]\nurgency = "urgent"\nagency = "any"\ndue_withn_days = 14', "unknown keys"),
        ('[kinds.free_money]\nurgency = "discovery"\nagency = "DHS"', "unknown kind"),
        ('[kinds.renewal_at_risk]\nurgency = "discovery"\nagency = "any"', "urgency must be urgent"),
        ('[kinds.may_qualify_wic]\nurgency = "discovery"\nagency = "any"', "agency must be an agency code"),
        (
            '[kinds.energy_assistance_season]\nurgency = "discovery"\nagency = "DCEO"\nseason = {from = "13-01", to = "05-31"}',
            "season",
        ),
        ("[pushs]\nmax_per_resident = 3", "unknown sections"),
    ],
)
def test_a_rule_the_evaluator_does_not_understand_is_refused_not_ignored(text, message):
    with pytest.raises(RulesError, match=message):
        load_rules(text)


def test_changing_a_threshold_in_the_file_changes_what_applies():
    twenty_days = facts(
        benefits=[MEDICAID], actions=[renewal(OUT_OF_SEASON + dt.timedelta(days=20))], today=OUT_OF_SEASON
    )
    assert kinds(evaluate(shipped_rules(), twenty_days)) == []
    wider = load_rules(RULES_FILE.read_text().replace("due_within_days = 14", "due_within_days = 21"))
    assert kinds(evaluate(wider, twenty_days)) == ["renewal_at_risk"]


# -- urgent ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("days", "applies"), [(-1, False), (0, True), (1, True), (14, True), (15, False)])
def test_a_renewal_is_at_risk_when_the_packet_is_out_and_due_within_14_days(days, applies):
    found = evaluate(
        shipped_rules(),
        facts(benefits=[MEDICAID], actions=[renewal(OUT_OF_SEASON + dt.timedelta(days=days))], today=OUT_OF_SEASON),
    )
    assert kinds(found) == (["renewal_at_risk"] if applies else [])


def test_a_renewal_returned_or_on_a_closed_case_is_not_at_risk():
    due = OUT_OF_SEASON + dt.timedelta(days=5)
    returned = facts(benefits=[MEDICAID], actions=[renewal(due, "done")], today=OUT_OF_SEASON)
    closed = facts(
        benefits=[BenefitFact("b-med", "HFS", "MEDICAID", "closed")], actions=[renewal(due)], today=OUT_OF_SEASON
    )
    assert evaluate(shipped_rules(), returned) == [] and evaluate(shipped_rules(), closed) == []


def test_the_renewal_reasons_say_what_is_due_when_and_what_was_not_seen():
    [nudge] = evaluate(
        shipped_rules(), facts(benefits=[MEDICAID], actions=[renewal(dt.date(2026, 7, 12))], today=OUT_OF_SEASON)
    )
    assert [reason.key for reason in nudge.reasons] == ["packet_not_returned", "days_left"]
    assert nudge.params == {"program_code": "MEDICAID", "due_on": "2026-07-12", "days_left": 11}
    assert (nudge.agency, nudge.urgent, nudge.subject) == ("HFS", True, "a-rnw:2026-07-12")
    assert (nudge.next_step.kind, nudge.next_step.href) == ("open_benefit", "/v1/me/benefits/b-med")


def test_the_agencys_own_day_decides_when_its_records_describe_a_later_day():
    due = OUT_OF_SEASON + dt.timedelta(days=25)
    ahead = facts(
        benefits=[MEDICAID],
        actions=[renewal(due)],
        today=OUT_OF_SEASON,
        days={"HFS": OUT_OF_SEASON + dt.timedelta(days=14)},
    )
    [nudge] = evaluate(shipped_rules(), ahead)
    assert nudge.params["days_left"] == 11
    behind = facts(
        benefits=[MEDICAID],
        actions=[renewal(due)],
        today=OUT_OF_SEASON,
        days={"HFS": OUT_OF_SEASON - dt.timedelta(days=30)},
    )
    assert evaluate(shipped_rules(), behind) == []  # the hub's own date when the agency's is older
    # an agency whose feed gives no date (DCEO) is judged on the platform's day another agency's records tell
    liheap_document = ActionFact("a-doc", "b-li", "DCEO", "LIHEAP", "document", "open", due_on=due)
    dated_elsewhere = facts(
        benefits=[MEDICAID, BenefitFact("b-li", "DCEO", "LIHEAP", "pending")],
        actions=[liheap_document],
        today=OUT_OF_SEASON,
        days={"HFS": OUT_OF_SEASON + dt.timedelta(days=20)},
    )
    assert kinds(evaluate(shipped_rules(), dated_elsewhere)) == ["document_due_soon"]


@pytest.mark.parametrize(
    ("days", "uploaded", "applies"), [(0, False, True), (7, False, True), (8, False, False), (3, True, False)]
)
def test_a_document_due_within_7_days_with_nothing_uploaded(days, uploaded, applies):
    action = document(OUT_OF_SEASON + dt.timedelta(days=days), uploaded=uploaded)
    found = evaluate(shipped_rules(), facts(benefits=[SNAP_NO_TODDLER], actions=[action], today=OUT_OF_SEASON))
    assert kinds(found) == (["document_due_soon"] if applies else [])
    if applies:
        assert found[0].next_step.href == "/v1/me/actions/a-doc/documents"


def test_an_interview_to_schedule_or_missed_on_a_pending_application_is_not_booked():
    pending = BenefitFact("b-snap", "DHS", "SNAP", "pending")
    to_schedule = ActionFact("a-int", "b-snap", "DHS", "SNAP", "interview", "open")
    missed = ActionFact(
        "a-int", "b-snap", "DHS", "SNAP", "interview", "missed", scheduled_at=dt.datetime(2026, 6, 20, 10)
    )
    [first] = evaluate(shipped_rules(), facts(benefits=[pending], actions=[to_schedule], today=OUT_OF_SEASON))
    assert (first.kind, first.next_step.kind, first.next_step.href) == (
        "interview_not_booked",
        "book_interview",
        "/v1/me/actions/a-int/slots",
    )
    [second] = evaluate(shipped_rules(), facts(benefits=[pending], actions=[missed], today=OUT_OF_SEASON))
    assert [reason.key for reason in second.reasons] == ["missed", "still_pending"]
    booked = ActionFact("a-int", "b-snap", "DHS", "SNAP", "interview", "open", booked=True)
    scheduled = ActionFact(
        "a-int", "b-snap", "DHS", "SNAP", "interview", "open", scheduled_at=dt.datetime(2026, 7, 3, 9)
    )
    denied = BenefitFact("b-snap", "DHS", "SNAP", "denied")
    for benefit, action in ((pending, booked), (pending, scheduled), (denied, missed)):
        assert evaluate(shipped_rules(), facts(benefits=[benefit], actions=[action], today=OUT_OF_SEASON)) == []


# -- discovery ---------------------------------------------------------------------------------------------------
def test_a_snap_household_with_a_child_under_five_and_no_wic_may_qualify_for_wic():
    [nudge] = evaluate(shipped_rules(), facts(benefits=[SNAP], today=OUT_OF_SEASON))
    assert (nudge.kind, nudge.agency, nudge.urgent, nudge.next_step.kind) == ("may_qualify_wic", "DHS", False, "apply")
    assert [reason.key for reason in nudge.reasons] == ["has_active", "child_under", "lacks"]
    with_wic = [SNAP, BenefitFact("b-wic", "DHS", "WIC", "pending")]
    five_next_month = BenefitFact("b-snap", "DHS", "SNAP", "active", children_born=(dt.date(2021, 7, 30),))
    turned_five = BenefitFact("b-snap", "DHS", "SNAP", "active", children_born=(dt.date(2021, 6, 30),))
    assert evaluate(shipped_rules(), facts(benefits=with_wic, today=OUT_OF_SEASON)) == []
    assert kinds(evaluate(shipped_rules(), facts(benefits=[five_next_month], today=OUT_OF_SEASON))) == [
        "may_qualify_wic"
    ]
    assert evaluate(shipped_rules(), facts(benefits=[turned_five], today=OUT_OF_SEASON)) == []
    assert evaluate(shipped_rules(), facts(benefits=[SNAP_NO_TODDLER], today=OUT_OF_SEASON)) == []


def test_an_application_waiting_on_a_document_is_not_an_active_case():
    applying = BenefitFact("b-med", "HFS", "MEDICAID", "action_needed")
    assert (
        evaluate(shipped_rules(), facts(benefits=[applying], birthdate=dt.date(1944, 11, 27), today=OUT_OF_SEASON))
        == []
    )
    waiting_wic = [SNAP, BenefitFact("b-wic", "DHS", "WIC", "action_needed")]
    assert evaluate(shipped_rules(), facts(benefits=waiting_wic, today=OUT_OF_SEASON)) == []  # WIC is under way


def test_a_senior_on_medicaid_without_benefit_access():
    senior = dt.date(1956, 3, 1)
    [nudge] = evaluate(shipped_rules(), facts(benefits=[MEDICAID], birthdate=senior, today=OUT_OF_SEASON))
    assert (nudge.kind, nudge.agency) == ("senior_benefit_access", "AGING")
    young = facts(benefits=[MEDICAID], birthdate=dt.date(1962, 7, 2), today=OUT_OF_SEASON)  # 64 until tomorrow
    denied = BenefitFact("b-bap", "AGING", "BAP", "denied", status_since=OUT_OF_SEASON - dt.timedelta(days=30))
    long_ago = BenefitFact("b-bap", "AGING", "BAP", "denied", status_since=OUT_OF_SEASON - dt.timedelta(days=900))
    unknown_age = facts(benefits=[MEDICAID], today=OUT_OF_SEASON)
    assert evaluate(shipped_rules(), young) == [] and evaluate(shipped_rules(), unknown_age) == []
    assert evaluate(shipped_rules(), facts(benefits=[MEDICAID, denied], birthdate=senior, today=OUT_OF_SEASON)) == []
    assert kinds(
        evaluate(shipped_rules(), facts(benefits=[MEDICAID, long_ago], birthdate=senior, today=OUT_OF_SEASON))
    ) == ["senior_benefit_access"]
    # without AGING shared the hub cannot know there is no Benefit Access: no guess
    assert (
        evaluate(
            shipped_rules(), facts(benefits=[MEDICAID], birthdate=senior, shared=ALL - {"AGING"}, today=OUT_OF_SEASON)
        )
        == []
    )


def test_energy_assistance_season_for_snap_households_that_have_not_applied_this_season():
    [nudge] = evaluate(shipped_rules(), facts(benefits=[SNAP_NO_TODDLER]))
    assert (nudge.kind, nudge.subject) == ("energy_assistance_season", "b-snap:2026-10-01")
    assert nudge.reasons[1].params == {"season_ends_on": "2027-05-31"}
    this_season = BenefitFact("b-li", "DCEO", "LIHEAP", "denied", started_on=dt.date(2026, 10, 15))
    last_season = BenefitFact("b-li", "DCEO", "LIHEAP", "active", started_on=dt.date(2026, 2, 1))
    assert evaluate(shipped_rules(), facts(benefits=[SNAP_NO_TODDLER, this_season])) == []
    last_seasons_award = facts(benefits=[SNAP_NO_TODDLER, last_season])
    assert kinds(evaluate(shipped_rules(), last_seasons_award)) == ["energy_assistance_season"]
    assert evaluate(shipped_rules(), facts(benefits=[SNAP_NO_TODDLER], today=OUT_OF_SEASON)) == []
    assert evaluate(shipped_rules(), facts(benefits=[SNAP_NO_TODDLER], shared=ALL - {"DCEO"})) == []


@pytest.mark.parametrize(
    ("day", "start"),
    [
        (dt.date(2026, 10, 1), dt.date(2026, 10, 1)),
        (dt.date(2027, 1, 15), dt.date(2026, 10, 1)),
        (dt.date(2027, 5, 31), dt.date(2026, 10, 1)),
        (dt.date(2027, 6, 1), None),
        (dt.date(2026, 9, 30), None),
    ],
)
def test_a_season_may_run_over_the_new_year(day, start):
    assert Season((10, 1), (5, 31)).start_of(day) == start
    assert Season((3, 1), (4, 30)).start_of(dt.date(2026, 4, 30)) == dt.date(2026, 3, 1)


def test_a_withheld_agency_makes_no_nudge_even_when_its_facts_would():
    senior = dt.date(1950, 1, 1)
    everything = facts(benefits=[SNAP, MEDICAID], actions=[renewal(TODAY + dt.timedelta(days=3))], birthdate=senior)
    assert set(kinds(evaluate(shipped_rules(), everything))) == {
        "renewal_at_risk",
        "may_qualify_wic",
        "senior_benefit_access",
        "energy_assistance_season",
    }
    no_dhs = facts(
        benefits=[MEDICAID], actions=[renewal(TODAY + dt.timedelta(days=3))], birthdate=senior, shared=ALL - {"DHS"}
    )
    assert kinds(evaluate(shipped_rules(), no_dhs)) == ["renewal_at_risk", "senior_benefit_access"]
