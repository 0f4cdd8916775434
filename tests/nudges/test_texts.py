"""Every nudge's words in English and Spanish: each reason the evaluator can give has its text, with every value it
needs, and an urgent nudge's push hides the program on the lock screen unless the resident asked for details."""

from __future__ import annotations

import ast
import inspect
import re

import pytest

from notifications.render import render_message
from services.nudges import rules
from services.nudges.rules import URGENT_KINDS, Candidate, NextStep, Reason
from services.nudges.texts import render_nudge
from services.texts.catalogue import texts

PARAMS = {
    "program_code": "MEDICAID",
    "due_on": "2026-12-27",
    "days_left": 11,
    "missed_on": "2026-11-20",
    "years": 5,
    "season_ends_on": "2027-05-31",
}


def reason_keys_in_the_evaluator() -> set[str]:
    """The reason keys written in rules.py: the first argument of each ``Reason(…)`` and ``_days_key(…)``, and the
    keys tuples of the urgent evaluators (with ``_today`` and ``_tomorrow`` for the day-counting ones)."""
    tree = ast.parse(inspect.getsource(rules))
    keys = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("Reason", "_days_key"):
            first = node.args[0]
            if isinstance(first, ast.Constant):
                keys.add(first.value)
                if node.func.id == "_days_key":
                    keys.update({f"{first.value}_today", f"{first.value}_tomorrow"})
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "keys":
            keys.update(elt.value for elt in ast.walk(node.value) if isinstance(elt, ast.Constant))
    return keys


@pytest.mark.parametrize("locale", ["en", "es"])
@pytest.mark.parametrize("kind", rules.KINDS)
def test_every_reason_of_every_kind_is_worded(locale, kind):
    written = set(texts().lookup(locale, "nudges", kind, "reasons").value)
    every = {key for other in rules.KINDS for key in texts().lookup(locale, "nudges", other, "reasons").value}
    assert reason_keys_in_the_evaluator() <= every
    assert {"packet_not_returned", "days_left_today", "has_active", "not_applied_this_season"} <= every
    for key in written:
        candidate = Candidate(
            kind, "s", "HFS", kind in URGENT_KINDS, (Reason(key, PARAMS),), PARAMS, NextStep("x", "/")
        )
        text = render_nudge(candidate, locale)
        assert text.title and text.body and text.action_label and text.reasons[0]
        assert "{" not in text.title + text.body + text.reasons[0], (kind, key)
        assert text.locale == locale


@pytest.mark.parametrize("locale", ["en", "es"])
@pytest.mark.parametrize("kind", URGENT_KINDS)
def test_an_urgent_nudges_push_names_nothing_on_a_private_lock_screen(locale, kind):
    params = {"program_code": "MEDICAID", "due_on": "2026-12-27", "nudge_id": "n1"}
    private = render_message(f"nudges.{kind}", params, locale)
    detailed = render_message(f"nudges.{kind}", params, locale, detailed_previews=True)
    assert "Medicaid" in private.inbox_title and "Medicaid" in detailed.push_title
    lock_screen = private.push_title + private.push_body
    assert "Medicaid" not in lock_screen and not re.search(r"\d", lock_screen)
