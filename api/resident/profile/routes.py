"""``GET /v1/me``: who is signed in, whether their identity is verified, and the agencies linked.

The body is made as ``MeSchema`` dumps it (``services.identity.profile``, one statement) and answered as JSON as
flask-smorest would answer the dump, without running the schema on every read:
``tests/resident/test_profile_lean.py`` holds the two to the same bytes and validates the body with the schema.
"""

from __future__ import annotations

from flask import current_app

from api.auth.principal import current_principal
from api.database import read_connection
from api.extension import Blueprint
from api.resident.profile.schemas import MeSchema
from services.identity.profile import resident_profile

blp = Blueprint("me", __name__, url_prefix="/v1/me", description="The signed-in resident")


@blp.route("")
@blp.resident()
@blp.response(200, MeSchema)
def me():
    """The resident: profile, whether identity is verified (and what to do if not), and linked agencies."""
    return current_app.json.response(resident_profile(read_connection(), str(current_principal().resident_id)))
