"""``/v1/me/devices``: register a phone for push (a known token moves to the caller), list, remove."""

from __future__ import annotations

from api.auth.principal import current_principal
from api.database import db
from api.extension import Blueprint
from api.resident.devices.schemas import DeviceRegistrationSchema, DeviceSchema
from services import devices

blp = Blueprint("devices", __name__, url_prefix="/v1/me/devices", description="Phones registered for push")


@blp.route("", methods=["POST"])
@blp.resident()
@blp.rate_limited("devices")
@blp.idempotent()
@blp.arguments(DeviceRegistrationSchema)
@blp.response(201, DeviceSchema)
@blp.alt_response(200, schema=DeviceSchema, description="The token was already registered; it now belongs here")
@blp.alt_response(429, description="Too many registrations from this session or address; see Retry-After")
def register_device(body: dict):
    """Register this phone's push token for the signed-in resident and session. Registering a token again
    (an app reinstall, another resident signing in on a shared phone) moves it here: one row per token."""
    principal = current_principal()
    device, created = devices.register_device(
        db(), resident_id=principal.resident_id, session_id=principal.session_id, **body
    )
    return device, 201 if created else 200


@blp.route("", methods=["GET"])
@blp.resident()
@blp.paginated(DeviceSchema)
def list_devices(args: dict):
    """The resident's active devices, most recently registered first; tokens are masked."""
    return devices.active_devices_page(db(), current_principal().resident_id, limit=args["limit"], after=args["after"])


@blp.route("/<string:device_id>", methods=["DELETE"])
@blp.resident()
@blp.response(204)
@blp.alt_response(404, description="No such device of this resident")
def remove_device(device_id: str):
    """Stop pushes to one device (its delivery history stays for support)."""
    session = db()
    devices.remove_device(session, current_principal().resident_id, device_id)
    session.commit()
    return None
