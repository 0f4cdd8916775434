"""A nudge in the resident's language: its title, body, reasons and the label of its next step, from
``services/texts/<locale>/nudges.json`` (program names, dates as each language writes them)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from services.nudges.rules import Candidate
from services.texts.catalogue import texts
from services.texts.formats import format_date
from services.texts.words import program_name


@dataclasses.dataclass(frozen=True)
class NudgeText:
    locale: str
    title: str
    body: str
    reasons: list[str]
    action_label: str


def render_nudge(candidate: Candidate, locale: str | None) -> NudgeText:
    catalogue = texts()
    found = catalogue.lookup(locale, "nudges", candidate.kind)
    if found is None:
        raise LookupError(f"no texts for nudge {candidate.kind!r}")
    words = found.locale
    values = _values(candidate.params, words)
    reasons = [
        catalogue.text(words, "nudges", candidate.kind, "reasons", reason.key).format_map(_values(reason.params, words))
        for reason in candidate.reasons
    ]
    template = found.value
    return NudgeText(
        words,
        template["title"].format_map(values),
        template["body"].format_map(values),
        reasons,
        template["action"],
    )


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def _values(params: Mapping[str, Any], locale: str) -> _Blank:
    values = _Blank()
    for key, value in params.items():
        if value is None:
            continue
        values[key] = format_date(value, locale) if key.endswith("_on") else value
    if params.get("program_code"):
        values["program"] = program_name(params["program_code"], locale)
    return values
