"""The nudges a resident sees now, dismissing one, and the kinds they switched off.

Nudges are computed when they are read (``current_nudges``) and by the push scan (``services.nudges.pushes``),
from the facts of that moment, so one about an agency the resident stops sharing, or whose facts stop holding
(the packet was returned, the document uploaded), is gone at the next read. What is stored, and why: a
``nudges`` row per (resident, kind, subject) the first time it applies, so that its id stays the same across
reads (dismiss names it), a dismissed nudge stays dismissed and a pushed one is not pushed again; and a
``nudge_opt_outs`` row per kind switched off. Nothing else: no reasons, no texts, no facts about the household.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from services import clock
from services.db import commits, dialect_insert, new_id
from services.errors import InvalidInput, NotFound
from services.identity.field_crypto import FieldCipher
from services.models.nudges import Nudge, NudgeOptOut
from services.nudges.facts import facts_for
from services.nudges.rules import KINDS, Candidate, Rules, evaluate, shipped_rules
from services.nudges.texts import NudgeText, render_nudge
from services.visibility import visibility_of


@dataclasses.dataclass(frozen=True)
class ShownNudge:
    """One nudge as the resident sees it (``GET /v1/me/nudges``)."""

    row: Nudge
    candidate: Candidate
    text: NudgeText

    @property
    def id(self) -> str:
        return self.row.id


def opted_out(session: Session, resident_id: str) -> frozenset[str]:
    return frozenset(session.scalars(select(NudgeOptOut.kind).where(NudgeOptOut.resident_id == resident_id)))


def applicable(session: Session, resident_id: str, cipher: FieldCipher, rules: Rules | None = None) -> list[Candidate]:
    """The nudges whose rules hold now for the resident, less the kinds they switched off."""
    off = opted_out(session, resident_id)
    found = evaluate(rules or shipped_rules(), facts_for(session, resident_id, cipher))
    return [candidate for candidate in found if candidate.kind not in off]


def remember(session: Session, resident_id: str, candidates: Iterable[Candidate]) -> dict[tuple[str, str], Nudge]:
    """The stored row of each candidate, written the first time it applies (insert unless present, so two readers
    at once make one row), in the caller's transaction."""
    wanted = {(candidate.kind, candidate.subject): candidate for candidate in candidates}
    if not wanted:
        return {}
    rows = _rows(session, resident_id, wanted)
    missing = [key for key in wanted if key not in rows]
    if missing:
        insert = dialect_insert(session)
        now = clock.now()
        for kind, subject in missing:
            values = {
                "id": new_id(),
                "resident_id": resident_id,
                "kind": kind,
                "subject": subject,
                "agency": wanted[(kind, subject)].agency,
                "created_at": now,
            }
            session.execute(
                insert(Nudge).values(**values).on_conflict_do_nothing(index_elements=["resident_id", "kind", "subject"])
            )
        rows = _rows(session, resident_id, wanted)
    return rows


def _rows(session: Session, resident_id: str, wanted: Mapping[tuple[str, str], Candidate]) -> dict:
    kinds = sorted({kind for kind, _ in wanted})
    found = session.scalars(select(Nudge).where(Nudge.resident_id == resident_id, Nudge.kind.in_(kinds)))
    return {(row.kind, row.subject): row for row in found if (row.kind, row.subject) in wanted}


def current_nudges(
    session: Session, resident_id: str, cipher: FieldCipher, locale: str | None, rules: Rules | None = None
) -> list[ShownNudge]:
    """What the resident sees now: urgent first, then discovery, dismissed ones left out. Writes a row for a nudge
    seen for the first time (the caller commits)."""
    candidates = applicable(session, resident_id, cipher, rules)
    rows = remember(session, resident_id, candidates)
    shown = []
    for candidate in candidates:
        row = rows[(candidate.kind, candidate.subject)]
        if row.dismissed_at is None:
            shown.append(ShownNudge(row, candidate, render_nudge(candidate, locale)))
    return shown


def dismiss(session: Session, resident_id: str, nudge_id: str) -> Nudge:
    """Dismiss one of the resident's nudges; dismissing it again keeps the first time. Another resident's, or one
    about an agency the resident no longer shares, is a 404 (the same answer as none)."""
    row = session.get(Nudge, nudge_id)
    if row is None or row.resident_id != resident_id or not visibility_of(session, resident_id).shares(row.agency):
        raise NotFound("There is no such nudge.")
    if row.dismissed_at is None:
        row.dismissed_at = clock.now()
    return row


def kind_preferences(session: Session, resident_id: str) -> dict[str, bool]:
    off = opted_out(session, resident_id)
    return {kind: kind not in off for kind in KINDS}


@commits
def update_kind_preferences(session: Session, resident_id: str, kinds: Mapping[str, bool]) -> dict[str, bool]:
    """Switch kinds on or off (others keep their value); an unknown kind is a 422 naming it, and nothing changes.
    Commits, so the next push scan follows it."""
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown:
        raise InvalidInput(
            "Some kinds are not nudges the hub makes.",
            errors={f"kinds.{name}": ["Unknown kind of nudge."] for name in unknown},
        )
    off = opted_out(session, resident_id)
    now = clock.now()
    for kind, enabled in kinds.items():
        if enabled and kind in off:
            session.execute(delete(NudgeOptOut).where(NudgeOptOut.resident_id == resident_id, NudgeOptOut.kind == kind))
        elif not enabled and kind not in off:
            session.add(NudgeOptOut(resident_id=resident_id, kind=kind, updated_at=now))
    session.commit()
    return kind_preferences(session, resident_id)
