"""``/v1/me/consents``: whether each agency's data is shared into the app, and changing it."""

from __future__ import annotations

from api.auth.principal import current_principal
from api.database import db
from api.extension import Blueprint
from api.pages import ListPage
from api.resident.consents.schemas import ConsentSchema, ConsentUpdateSchema
from services.identity import consent
from services.visibility import visibility_of

blp = Blueprint("consents", __name__, url_prefix="/v1/me", description="The resident's consent per agency")


def _resident_id() -> str:
    return str(current_principal().resident_id)


@blp.route("/consents")
@blp.resident()
@blp.paginated(ConsentSchema, args=None)
def list_consents():
    """Every agency, whether its data is shared into the app, and whether the resident has records there."""
    session = db()
    return ListPage(consent.agency_consents(session, visibility_of(session, _resident_id())))


@blp.route("/consents/<string:agency>", methods=["PUT"])
@blp.resident()
@blp.arguments(ConsentUpdateSchema)
@blp.response(200, ConsentSchema)
@blp.alt_response(404, description="No such agency")
def put_consent(body: dict, agency: str):
    """Share (`true`) or hide (`false`) one agency's data: hiding removes it from every read and stops its
    notifications; sharing again restores both."""
    session = db()
    result = consent.set_consent(session, _resident_id(), agency.upper(), body["granted"])
    session.commit()
    return result
