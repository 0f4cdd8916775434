"""A resident with a phone and a notification, and the admin routes filled in for them."""

from __future__ import annotations

import dataclasses
import hashlib
import secrets

import pytest

from services.models.documents import DocumentUpload
from services.models.identity import Resident
from services.models.representation import DesignationAgency, RepresentativeDesignation
from tests.factories import Caller, create_devices, create_notification, create_resident, create_signed_in_resident
from tests.partner.factories import PartnerKey, register_app

MARIA_EMAIL = "maria.lopez@example.com"
MARIA_PHONE = "+1 (312) 555-0101"


PARTNER_BODIES = {"admin-partner-apps.rekey": {"jwks": PartnerKey.new().jwks}}


@dataclasses.dataclass
class World:
    maria: Caller
    message_id: str
    partner_id: str = ""
    document_id: str = ""
    designation_id: str = ""

    @staticmethod
    def body(endpoint: str) -> dict | None:
        """The JSON body a route needs to succeed (only re-keying takes one)."""
        return PARTNER_BODIES.get(endpoint)

    def paths(self, app) -> list[tuple[str, str, str]]:
        """(method, path, endpoint) of every admin route, with maria's ids filled in."""
        values = {
            "resident_id": self.maria.id,
            "notification_id": self.message_id,
            "client_id": self.partner_id,
            "document_id": self.document_id,
            "designation_id": self.designation_id,
        }
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
    designation = maria_represented_by_someone(db_session, row.id)
    return World(maria, message.id, partner_id, stored_upload(hub, db_session, row.id).id, designation.id)


def maria_represented_by_someone(session, person_id: str) -> RepresentativeDesignation:
    """A designation of maria's at DHS, recorded by the agency, held by another resident."""
    representative = create_resident(session)
    designation = RepresentativeDesignation(person_id=person_id, representative_id=representative.id, origin="agency")
    designation.agencies = [DesignationAgency(agency="DHS", status="recorded", platform_designation_id=None)]
    session.add(designation)
    session.commit()
    return designation


def stored_upload(hub, session, resident_id: str, content: bytes = b"%PDF-1.7 maria's pay stub") -> DocumentUpload:
    """An upload of the resident's as the upload route leaves it (a row and its encrypted file)."""
    key = secrets.token_hex(16)
    hub.document_store.put(key, content)
    upload = DocumentUpload(
        resident_id=resident_id,
        action_id="a" * 32,
        benefit_id="b" * 32,
        agency="DHS",
        program_code="SNAP",
        record_id="IES100200301",
        action_source_key="VR-1",
        action_title="Proof of income",
        filename="paystub.pdf",
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        storage_key=key,
        receipt_number="BH-TEST-" + secrets.token_hex(2).upper(),
    )
    session.add(upload)
    session.commit()
    return upload
