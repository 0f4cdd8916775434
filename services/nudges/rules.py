"""The nudge rules: ``rules.toml`` loaded into typed values, and the pure evaluator that applies them to ``Facts``.

The file is the policy (a policy person changes a threshold, a season or a program there); this module only
knows the closed set of conditions the file may use, each a few lines below, and refuses a key it does not
know. ``evaluate(rules, facts)`` returns every nudge that applies, each with the keys of its plain-language
reasons and the values they need (``services.nudges.texts`` words them), and never reads anything but ``facts``.

Kinds (snake_case, the API's ``kind``):

- urgent, from a case: ``renewal_at_risk``, ``interview_not_booked``, ``document_due_soon``;
- discovery, from the whole picture: ``may_qualify_wic``, ``senior_benefit_access``, ``energy_assistance_season``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from services.nudges.facts import ActionFact, BenefitFact, Facts

RULES_FILE = Path(__file__).resolve().parent / "rules.toml"
URGENT_KINDS = ("renewal_at_risk", "interview_not_booked", "document_due_soon")
DISCOVERY_KINDS = ("may_qualify_wic", "senior_benefit_access", "energy_assistance_season")
KINDS = URGENT_KINDS + DISCOVERY_KINDS

ACTIVE = ("approved", "active", "renewal_due")  # what "has an active case" means
# an application still open; ``action_needed`` is an application waiting on a document (adapters' derived_status)
PENDING = ("applied", "pending", "action_needed")
ENDED = ("denied", "closed")


class RulesError(ValueError):
    """The rules file says something the evaluator does not understand."""


@dataclasses.dataclass(frozen=True)
class Season:
    starts: tuple[int, int]  # (month, day), included
    ends: tuple[int, int]

    def start_of(self, day: dt.date) -> dt.date | None:
        """The first day of the season ``day`` is in, or None outside it (a season may run over the new year)."""
        start = dt.date(day.year, *self.starts)
        wraps = self.ends < self.starts
        if not wraps:
            return start if start <= day <= dt.date(day.year, *self.ends) else None
        if day >= start:
            return start
        return dt.date(day.year - 1, *self.starts) if (day.month, day.day) <= self.ends else None


@dataclasses.dataclass(frozen=True)
class Rule:
    kind: str
    urgent: bool
    agency: str | None  # None: the agency of the case in question
    push_category: str | None = None
    requires_shared: tuple[str, ...] = ()
    due_within_days: int | None = None
    include_missed_on_pending: bool = False
    has_active: tuple[str, ...] = ()
    lacks: tuple[str, ...] = ()
    lacks_denied_within_days: int | None = None
    lacks_applied_this_season: tuple[str, ...] = ()
    household_child_under_years: int | None = None
    resident_age_at_least: int | None = None
    season: Season | None = None
    apply_url: str | None = None


@dataclasses.dataclass(frozen=True)
class Rules:
    kinds: dict[str, Rule]
    max_pushes: int
    push_window_days: int


@dataclasses.dataclass(frozen=True)
class Reason:
    key: str  # ``nudges.json``: ``<kind>.reasons.<key>``
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class NextStep:
    """Where the app takes the resident: ``kind`` (``open_benefit``, ``upload_document``, ``book_interview``,
    ``apply``) and ``href``, a hub path the app calls or an agency's https page it opens."""

    kind: str
    href: str
    benefit_id: str | None = None
    action_id: str | None = None


@dataclasses.dataclass(frozen=True)
class Candidate:
    """One nudge that applies now. ``subject`` names what it is about (ids and dates, never personal data): with
    the kind, it is the dedupe key, so the same renewal is one nudge however often it is computed."""

    kind: str
    subject: str
    agency: str
    urgent: bool
    reasons: tuple[Reason, ...]
    params: Mapping[str, Any]
    next_step: NextStep


_RULE_KEYS = {field.name for field in dataclasses.fields(Rule)} - {"kind", "urgent", "season", "agency"} | {
    "urgency",
    "agency",
    "season",
}


@functools.cache
def shipped_rules() -> Rules:
    return load_rules(RULES_FILE.read_text(encoding="utf-8"))


def load_rules(text: str) -> Rules:
    """``rules.toml``'s text as ``Rules``; a kind, key or value the evaluator does not know is a ``RulesError``."""
    data = tomllib.loads(text)
    unknown_top = set(data) - {"pushes", "kinds"}
    if unknown_top:
        raise RulesError(f"unknown sections {sorted(unknown_top)}")
    pushes = data.get("pushes", {})
    kinds: dict[str, Rule] = {}
    for kind, values in data.get("kinds", {}).items():
        if kind not in KINDS:
            raise RulesError(f"unknown kind {kind!r} (the evaluator knows {', '.join(KINDS)})")
        unknown = set(values) - _RULE_KEYS
        if unknown:
            raise RulesError(f"{kind}: unknown keys {sorted(unknown)}")
        urgency = values.get("urgency")
        if urgency not in ("urgent", "discovery") or (urgency == "urgent") != (kind in URGENT_KINDS):
            raise RulesError(f"{kind}: urgency must be {'urgent' if kind in URGENT_KINDS else 'discovery'}")
        fields = {key: value for key, value in values.items() if key not in ("urgency", "agency", "season")}
        for key in ("requires_shared", "has_active", "lacks", "lacks_applied_this_season"):
            if key in fields:
                fields[key] = tuple(str(item) for item in fields[key])
        agency = values.get("agency")
        if agency is None or (agency == "any") != (kind in URGENT_KINDS):
            raise RulesError(f"{kind}: agency must be {'any' if kind in URGENT_KINDS else 'an agency code'}")
        kinds[kind] = Rule(
            kind=kind,
            urgent=urgency == "urgent",
            agency=None if agency == "any" else agency,
            season=_season(kind, values["season"]) if "season" in values else None,
            **fields,
        )
    return Rules(kinds, int(pushes.get("max_per_resident", 3)), int(pushes.get("window_days", 7)))


def _season(kind: str, value: Mapping[str, str]) -> Season:
    try:
        starts, ends = (tuple(int(part) for part in value[end].split("-")) for end in ("from", "to"))
        dt.date(2024, *starts), dt.date(2024, *ends)  # a real month and day (2024 has 29 February)
    except (KeyError, ValueError, TypeError, AttributeError) as error:
        raise RulesError(f"{kind}: season must be {{from = 'MM-DD', to = 'MM-DD'}}") from error
    return Season(starts, ends)  # type: ignore[arg-type]


def evaluate(rules: Rules, facts: Facts) -> list[Candidate]:
    """Every nudge that applies to ``facts``, urgent first, each kind in the order of ``KINDS``."""
    found: list[Candidate] = []
    for kind in KINDS:
        rule = rules.kinds.get(kind)
        if rule is None or not set(rule.requires_shared) <= facts.shared:
            continue
        if rule.agency is not None and rule.agency not in facts.shared:
            continue
        found.extend(_EVALUATORS[kind](rule, facts))
    return found


# -- urgent ------------------------------------------------------------------------------------------------------
def _renewals_at_risk(rule: Rule, facts: Facts) -> Iterator[Candidate]:
    benefits = {benefit.id: benefit for benefit in facts.benefits}
    for action in facts.actions:
        benefit = benefits.get(action.benefit_id)
        if action.kind != "renewal" or action.state != "open" or action.due_on is None or benefit is None:
            continue
        if benefit.status in ENDED:
            continue
        days_left = (action.due_on - facts.day(action.agency)).days
        if 0 <= days_left <= (rule.due_within_days or 0):
            params = _case_params(action, days_left=days_left)
            keys = ("packet_not_returned", _days_key("days_left", days_left))
            yield _case_nudge(rule, action, keys, params, "open_benefit")


def _interviews_not_booked(rule: Rule, facts: Facts) -> Iterator[Candidate]:
    benefits = {benefit.id: benefit for benefit in facts.benefits}
    open_interviews = {a.benefit_id for a in facts.actions if a.kind == "interview" and a.state == "open"}
    for action in facts.actions:
        if action.kind != "interview" or action.booked:
            continue
        if action.state == "open" and action.scheduled_at is None:
            yield _case_nudge(rule, action, ("to_schedule",), _case_params(action), "book_interview")
        elif (
            rule.include_missed_on_pending
            and action.state == "missed"
            and action.benefit_id not in open_interviews
            and getattr(benefits.get(action.benefit_id), "status", None) in PENDING
        ):
            params = _case_params(
                action, missed_on=action.scheduled_at.date().isoformat() if action.scheduled_at else None
            )
            keys = ("missed", "still_pending") if action.scheduled_at else ("missed_undated", "still_pending")
            yield _case_nudge(rule, action, keys, params, "open_benefit")


def _documents_due_soon(rule: Rule, facts: Facts) -> Iterator[Candidate]:
    for action in facts.actions:
        if action.kind != "document" or action.state != "open" or action.due_on is None or action.uploaded:
            continue
        days_left = (action.due_on - facts.day(action.agency)).days
        if 0 <= days_left <= (rule.due_within_days or 0):
            params = _case_params(action, days_left=days_left)
            keys = (_days_key("due_soon", days_left), "nothing_uploaded")
            yield _case_nudge(rule, action, keys, params, "upload_document")


def _days_key(key: str, days_left: int) -> str:
    """Reasons say "today" and "tomorrow" in words: ``days_left``, ``days_left_tomorrow``, ``days_left_today``."""
    return {0: f"{key}_today", 1: f"{key}_tomorrow"}.get(days_left, key)


def _case_params(action: ActionFact, **extra: Any) -> dict[str, Any]:
    params = {"program_code": action.program_code, "due_on": action.due_on.isoformat() if action.due_on else None}
    return {**params, **extra}


def _case_nudge(rule: Rule, action: ActionFact, keys: tuple[str, ...], params: dict, step: str) -> Candidate:
    href = {
        "open_benefit": f"/v1/me/benefits/{action.benefit_id}",
        "upload_document": f"/v1/me/actions/{action.id}/documents",
        "book_interview": f"/v1/me/actions/{action.id}/slots",
    }[step]
    subject = f"{action.id}:{action.due_on.isoformat() if action.due_on else '-'}"
    return Candidate(
        rule.kind,
        subject,
        action.agency,
        True,
        tuple(Reason(key, params) for key in keys),
        params,
        NextStep(step, href, action.benefit_id, action.id),
    )


# -- discovery ---------------------------------------------------------------------------------------------------
def _discovery(rule: Rule, facts: Facts) -> Iterator[Candidate]:
    """A program the resident may qualify for: every condition the rule names must hold, each adding its reason."""
    assert rule.agency is not None  # noqa: S101 (load_rules guarantees it for discovery kinds)
    reasons: list[Reason] = []
    anchor: BenefitFact | None = None
    for program in rule.has_active:
        active = [b for b in facts.benefits if b.program_code == program and b.status in ACTIVE]
        if not active:
            return
        anchor = anchor or active[0]
        reasons.append(Reason("has_active", {"program_code": program}))
    day = facts.day(anchor.agency) if anchor else facts.today
    if rule.household_child_under_years is not None:
        limit = rule.household_child_under_years
        children = [born for b in facts.benefits for born in b.children_born if born and _age(born, day) < limit]
        if not children:
            return
        reasons.append(Reason("child_under", {"years": limit}))
    if rule.resident_age_at_least is not None:
        if facts.birthdate is None or _age(facts.birthdate, day) < rule.resident_age_at_least:
            return
        reasons.append(Reason("age_at_least", {"years": rule.resident_age_at_least}))
    season_start = None
    if rule.season is not None:
        season_start = rule.season.start_of(day)
        if season_start is None:
            return
        reasons.append(Reason("in_season", {"season_ends_on": _season_end(rule.season, season_start).isoformat()}))
    for program in rule.lacks:
        if any(b.program_code == program and b.status in (*ACTIVE, *PENDING) for b in facts.benefits):
            return
        if rule.lacks_denied_within_days is not None and any(
            b.program_code == program
            and b.status == "denied"
            and b.status_since is not None
            and (day - b.status_since).days <= rule.lacks_denied_within_days
            for b in facts.benefits
        ):
            return
        reasons.append(Reason("lacks", {"program_code": program}))
    for program in rule.lacks_applied_this_season:
        if any(
            b.program_code == program and b.started_on is not None and season_start and b.started_on >= season_start
            for b in facts.benefits
        ):
            return
        reasons.append(Reason("not_applied_this_season", {"program_code": program}))
    subject = f"{anchor.id if anchor else '-'}:{season_start.isoformat() if season_start else '-'}"
    params = {"program_code": (rule.lacks or rule.lacks_applied_this_season or ("",))[0]}
    step = NextStep("apply", rule.apply_url or "", anchor.id if anchor else None)
    yield Candidate(rule.kind, subject, rule.agency, False, tuple(reasons), params, step)


def _season_end(season: Season, start: dt.date) -> dt.date:
    year = start.year + (1 if season.ends < season.starts else 0)
    return dt.date(year, *season.ends)


def _age(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


_EVALUATORS = {
    "renewal_at_risk": _renewals_at_risk,
    "interview_not_booked": _interviews_not_booked,
    "document_due_soon": _documents_due_soon,
    "may_qualify_wic": _discovery,
    "senior_benefit_access": _discovery,
    "energy_assistance_season": _discovery,
}
