"""The one check behind every route that acts on a resident's action (upload a document, book an interview)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.errors import Conflict, InvalidInput, NotFound
from services.models.benefits import BenefitAction
from services.visibility import visibility_of

OPEN_STATES = ("open", "overdue")  # what an agency still asks for


def open_action(
    session: Session,
    resident_id: str,
    action_id: str,
    *,
    kind: str,
    wrong_kind: str,
    why: str,
    closed: str,
    within: frozenset[str] | None = None,
) -> BenefitAction:
    """The resident's own action of ``kind`` at an agency they share, still open; else the problem to answer: a 404
    for anyone else's or a withheld agency's (the same answer as none), a 422 ``wrong_kind`` whose ``action_id``
    error is ``why`` (formatted with the action's ``kind``), or a 409 ``closed`` (formatted with its ``state``).
    ``within``: a representative acting for the resident, whose designation's agencies only are theirs (another
    agency's action is the same 404)."""
    action = session.get(BenefitAction, action_id)
    visibility = visibility_of(session, resident_id)
    if within is not None:
        visibility = visibility.narrowed(within)
    if action is None or action.resident_id != resident_id or not visibility.shares(action.agency):
        raise NotFound("No such action for this resident.")
    if action.kind != kind:
        raise InvalidInput(wrong_kind, errors={"action_id": [why.format(kind=action.kind)]})
    if action.state not in OPEN_STATES:
        raise Conflict(closed.format(state=action.state))
    return action
