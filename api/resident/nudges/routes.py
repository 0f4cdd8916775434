"""Nudges (``/v1/me/nudges``): suggestions from the agencies the resident shares, each with its reasons and next
step; dismissing one; switching a kind off (``/v1/me/nudges/preferences``). The rules are ``services/nudges/rules.toml``."""

from __future__ import annotations

from api.auth.principal import current_principal
from api.current_hub import current_hub
from api.database import db
from api.extension import Blueprint
from api.openapi.headers import ACCEPT_LANGUAGE
from api.pages import ListPage
from api.resident.benefits.presenters import read_locale
from api.resident.nudges.schemas import DismissedSchema, NudgePreferencesSchema, NudgeSchema
from services.models.identity import Resident
from services.nudges import store

blp = Blueprint("nudges", __name__, url_prefix="/v1/me", description="Suggestions, their reasons and the opt-out")


@blp.route("/nudges", methods=["GET"])
@blp.resident()
@blp.reads_headers(ACCEPT_LANGUAGE)
@blp.paginated(NudgeSchema)
def list_nudges(args: dict):
    """What the hub suggests now, urgent first, from the agencies the resident shares; dismissed ones and kinds
    switched off are left out. Worked out on every read, so one whose facts stop holding is gone."""
    session = db()
    resident_id = current_principal().resident_id
    resident = session.get(Resident, resident_id)
    locale = read_locale(resident.locale if resident else None)
    shown = store.current_nudges(session, resident_id, current_hub().field_cipher, locale)
    session.commit()  # the rows of nudges seen for the first time (their ids, for dismiss)
    start = int((args["after"] or {}).get("position", 0)) if isinstance(args["after"], dict) else 0
    page = shown[start : start + args["limit"]]
    following = {"position": start + len(page)} if start + len(page) < len(shown) else None
    return ListPage([_present(nudge) for nudge in page], following)


@blp.route("/nudges/<string:nudge_id>/dismiss", methods=["POST"])
@blp.resident()
@blp.response(200, DismissedSchema)
@blp.alt_response(404, description="No such nudge of this resident")
def dismiss_nudge(nudge_id: str):
    """Dismiss one nudge; it is not shown or pushed again. Dismissing it again keeps the first time."""
    session = db()
    row = store.dismiss(session, current_principal().resident_id, nudge_id)
    session.commit()
    return row


@blp.route("/nudges/preferences", methods=["GET"])
@blp.resident()
@blp.response(200, NudgePreferencesSchema)
def get_nudge_preferences():
    """Which kinds of nudge the resident wants."""
    return _kinds(store.kind_preferences(db(), current_principal().resident_id))


@blp.route("/nudges/preferences", methods=["PUT"])
@blp.resident()
@blp.arguments(NudgePreferencesSchema)
@blp.response(200, NudgePreferencesSchema)
def put_nudge_preferences(body: dict):
    """Switch kinds of nudge on or off; kinds left out keep their value. A kind switched off is neither shown nor
    pushed (dismissed ones stay dismissed when it is switched on again)."""
    wanted = {name: value["enabled"] for name, value in body["kinds"].items()}
    return _kinds(store.update_kind_preferences(db(), current_principal().resident_id, wanted))


def _kinds(preferences: dict[str, bool]) -> dict:
    return {"kinds": {kind: {"enabled": enabled} for kind, enabled in preferences.items()}}


def _present(nudge: store.ShownNudge) -> dict:
    step = nudge.candidate.next_step
    return {
        "id": nudge.row.id,
        "kind": nudge.candidate.kind,
        "urgent": nudge.candidate.urgent,
        "agency": nudge.candidate.agency,
        "title": nudge.text.title,
        "body": nudge.text.body,
        "reasons": nudge.text.reasons,
        "action": {
            "kind": step.kind,
            "label": nudge.text.action_label,
            "href": step.href,
            "benefit_id": step.benefit_id,
            "action_id": step.action_id,
        },
        "locale": nudge.text.locale,
        "created_at": nudge.row.created_at,
    }
