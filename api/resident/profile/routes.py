"""``GET /v1/me``: who is signed in, whether their identity is verified, and the agencies linked."""

from __future__ import annotations

from api.auth.principal import current_principal
from api.database import db
from api.extension import Blueprint
from api.resident.profile.schemas import MeSchema
from services.identity.profile import resident_profile

blp = Blueprint("me", __name__, url_prefix="/v1/me", description="The signed-in resident")


@blp.route("")
@blp.resident()
@blp.response(200, MeSchema)
def me():
    """The resident: profile, whether identity is verified (and what to do if not), and linked agencies."""
    return resident_profile(db(), str(current_principal().resident_id))
