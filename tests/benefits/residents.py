"""Residents for benefits tests that need no identity provider: rows, links and a hub access token minted with
the hub's own signing code (the sign-in flow itself is tested in tests/auth and used by the sandbox tests)."""

from __future__ import annotations

import dataclasses

from services import clock
from services.benefits.store import apply_snapshot
from services.db import new_id
from services.identity.app_registry import SANDBOX_APPS, ensure_app_clients
from services.identity.hub_tokens import issue_access_token
from services.identity.sessions import open_session
from services.models.identity import Consent, Resident, ResidentLink
from services.platform import adapters
from services.platform.views import pulled
from tests.platform.payloads import pages

APP = "sandbox-app"


@dataclasses.dataclass
class TestResident:
    id: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def make_resident(
    hub,
    *,
    verified: bool = True,
    locale: str = "en",
    links: dict[str, str] | None = None,
    revoked: tuple[str, ...] = (),
    kind: str = "resident",
) -> TestResident:
    """A resident with ``links`` (agency → record id), consent revoked for ``revoked``, and an access token."""
    with hub.session() as session:
        ensure_app_clients(session, SANDBOX_APPS)
        resident = Resident(issuer="test", subject=f"sub-{new_id()}", locale=locale, identity_verified=verified)
        session.add(resident)
        session.flush()
        for agency, record_id in (links or {}).items():
            session.add(
                ResidentLink(
                    resident_id=resident.id,
                    agency=agency,
                    record_id=record_id,
                    platform_person_id=f"PER-{record_id}",
                    method="mpi",
                    proof="identity",
                )
            )
        for agency in revoked:
            session.add(Consent(resident_id=resident.id, agency=agency, granted=False))
        client_id = APP if kind == "resident" else "support-console"
        hub_session = open_session(
            session,
            kind=kind,
            client_id=client_id,
            resident_id=resident.id if kind == "resident" else None,
            staff_subject=None if kind == "resident" else "staff-sophie",
            staff_roles=() if kind == "resident" else ("support",),
        )
        token = issue_access_token(
            hub.signing_keys,
            issuer=hub.settings.public_url.rstrip("/"),
            subject=resident.id if kind == "resident" else "staff-sophie",
            kind=kind,
            session_id=hub_session.id,
            client_id=client_id,
            ttl_seconds=900,
            roles=() if kind == "resident" else ("support",),
        )
        session.commit()
        return TestResident(resident.id, token)


def store_fixture(hub, resident_id: str, agency: str, *fixtures: str, stamp=None) -> str:
    """Store the records of captured feed payloads as this resident's snapshot of ``agency``, as a pull made
    now; ``stamp`` replaces the feed's own as-of (to replay an old payload as the agency's newest)."""
    payload = pages(*fixtures)
    stamp = stamp or adapters.view_stamp(agency, payload)
    view = pulled(adapters.normalise(agency, payload), clock.now(), stamp)
    with hub.session() as session:
        outcome = apply_snapshot(session, resident_id, agency, view).outcome
        session.commit()
    return outcome
