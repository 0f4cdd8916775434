"""A resident with a phone and a notification, and the admin routes filled in for them."""

from __future__ import annotations

import dataclasses

import pytest

from services.models.identity import Resident
from tests.factories import Caller, create_devices, create_notification, create_signed_in_resident
from tests.partner.factories import PartnerKey, register_app

MARIA_EMAIL = "maria.lopez@example.com"
MARIA_PHONE = "+1 (312) 555-0101"


PARTNER_BODIES = {"admin-partner-apps.rekey": {"jwks": PartnerKey.new().jwks}}


@dataclasses.dataclass
class World:
    maria: Caller
    message_id: str
    partner_id: str = ""

    @staticmethod
    def body(endpoint: str) -> dict | None:
        """The JSON body a route needs to succeed (only re-keying takes one)."""
        return PARTNER_BODIES.get(endpoint)

    def paths(self, app) -> list[tuple[str, str, str]]:
        """(method, path, endpoint) of every admin route, with maria's ids filled in."""
        values = {"resident_id": self.maria.id, "notification_id": self.message_id, "client_id": self.partner_id}
        routes = []
        for rule in app.url_map.iter_rules():
            if not rule.rule.startswith("/v1/admin"):
                continue
            path = rule.rule
            for name in rule.arguments:
                path = path.replace(f"<{name}>", values[name])
            if path == "/v1/admin/residents":
                path += "?email=" + MARIA_EMAIL
            (method,) = rule.methods - {"HEAD", "OPTIONS"}
            routes.append((method, path, rule.endpoint))
        return sorted(routes)


@pytest.fixture
def world(hub, db_session) -> World:
    hasher = hub.lookup_hasher
    maria = create_signed_in_resident(
        hub,
        name="Maria Lopez",
        email=MARIA_EMAIL,
        email_hash=hasher.email(MARIA_EMAIL),
        phone_hash=hasher.phone(MARIA_PHONE),
    )
    row = db_session.get(Resident, maria.id)
    devices = create_devices(db_session, row, ["fcm-token-of-marias-phone-0001"])
    message = create_notification(db_session, row, devices)
    partner_id, _key, _secret = register_app(hub)
    return World(maria, message.id, partner_id)
