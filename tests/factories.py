"""The one place tests make things: residents, staff, devices, notifications, benefit snapshots and tokens.

Two ways in, for two kinds of test:

- **Rows** (``create_resident``, ``create_device``, ``create_notification``, ``create_snapshot``,
  ``create_events`` with ``approved_event``/``interview_missed_event``) for tests that
  need no identity provider; ``create_signed_in_resident`` and ``create_staff`` add a hub session and an access
  token minted with the hub's own signing code (``mint_token``, the only place a test mints one).
- **Real sign-ins** (``sign_in``, ``sign_in_staff``, ``exchange``, ``authorization_code``): a persona signs in at
  the sandbox identity provider and the ID token is exchanged at ``POST /v1/auth/token``, as a phone app (or
  the support console) would. Use with the ``sandbox_client`` and ``sandbox_url`` fixtures of ``tests/sandbox.py``.

What a factory needs comes first, positionally (the session or hub, the resident a row belongs to, its devices or
fixtures); every option is keyword-only with a default, so a test names only what it cares about. Every row gets
a fresh subject, token or key (``_unique``: a counter and a uuid), so two made in one test never collide on a
unique constraint (tests/test_factories.py holds that).
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import itertools
import secrets
import uuid
from collections.abc import Iterable
from urllib.parse import parse_qs, urlsplit

import httpx
from sqlalchemy.orm import Session

from services import clock
from services.benefits.store import apply_snapshot
from services.db import new_id
from services.devices import token_hash
from services.identity.app_registry import SANDBOX_APPS, ensure_app_clients
from services.identity.hub_tokens import issue_access_token
from services.identity.sessions import open_session
from services.models.identity import Consent, Resident, ResidentLink
from services.models.notifications import Device, NotificationMessage, PushDelivery
from services.outbox import DomainEvent, write_events
from services.platform import adapters
from services.platform.views import pulled
from services.vocabulary import STATE_TIME_ZONE
from tests.platform.payloads import pages

RESIDENT_APP = "sandbox-app"
STAFF_APP = "support-console"
REASON = "Caller asked why her SNAP is missing"
STAFF = {
    "support": ("staff-0001", "Sophie Turner"),
    "supervisor": ("staff-0002", "Omar Haddad"),
    "admin": ("staff-0003", "Ada Okafor"),
}
_numbers = itertools.count(1)


def _unique(prefix: str) -> str:
    """A value no other call returns, in this process or another one sharing the database."""
    return f"{prefix}-{next(_numbers)}-{uuid.uuid4().hex[:12]}"


def _admin_headers(token: str, reason: str | None, extra: dict[str, str]) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}", **extra}
    if reason is not None:
        headers["X-Access-Reason"] = reason
    return headers


# -- rows --------------------------------------------------------------------------------------------------------


def create_resident(
    session: Session,
    *,
    issuer: str = "test",
    subject: str | None = None,
    locale: str = "en",
    time_zone: str = STATE_TIME_ZONE,
    verified: bool = True,
    links: dict[str, str] | None = None,
    revoked: Iterable[str] = (),
    **columns,
) -> Resident:
    """A resident (committed) with ``links`` (agency → record id) and consent withdrawn for ``revoked``;
    ``columns`` are any other ``Resident`` columns (``name``, ``email``, ``email_hash``…)."""
    resident = Resident(
        issuer=issuer,
        subject=subject or _unique("subject"),
        locale=locale,
        time_zone=time_zone,
        identity_verified=verified,
        **columns,
    )
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
    session.commit()
    return resident


def create_device(
    session: Session,
    resident: Resident,
    *,
    push_token: str | None = None,
    session_id: str | None = None,
    platform: str = "android",
    app_id: str = "gov.state.benefits",
) -> Device:
    """A phone registered for push (committed), in the resident's language."""
    push_token = push_token or _unique("fcm-token")
    device = Device(
        resident_id=resident.id,
        session_id=session_id,
        platform=platform,
        app_id=app_id,
        locale=resident.locale,
        push_token=push_token,
        token_hash=token_hash(push_token),
        token_suffix=push_token[-6:],
    )
    session.add(device)
    session.commit()
    return device


def create_devices(
    session: Session, resident: Resident, tokens: Iterable[str], *, session_id: str | None = None
) -> list[Device]:
    """One ``create_device`` per push token."""
    return [create_device(session, resident, push_token=token, session_id=session_id) for token in tokens]


def create_notification(
    session: Session, resident: Resident, devices: Iterable[Device] = (), *, urgent: bool = False
) -> NotificationMessage:
    """A message as the dispatcher would write it (committed), with one queued delivery per device."""
    message = NotificationMessage(
        id=new_id(),
        resident_id=resident.id,
        dedupe_key=_unique("test"),
        category="notices",
        template_key="notices.posted",
        locale="en",
        title="A new letter",
        body="A letter was posted.",
        params={"program_code": "SNAP", "title": "Approval letter", "posted_on": "2026-03-02"},
        urgent=urgent,
    )
    session.add(message)
    session.add_all(
        PushDelivery(message_id=message.id, device_id=device.id, next_attempt_at=clock.now()) for device in devices
    )
    session.commit()
    return message


def create_snapshot(hub, resident_id: str, agency: str, *fixtures: str, stamp=None) -> str:
    """Store the records of captured feed payloads (tests/platform/fixtures) as this resident's snapshot of
    ``agency``, as a pull made now; ``stamp`` replaces the feed's own as-of (to replay an old payload as the
    agency's newest). Returns the store's outcome."""
    payload = pages(*fixtures)
    stamp = stamp or adapters.view_stamp(agency, payload)
    view = pulled(adapters.normalise(agency, payload), clock.now(), stamp)
    with hub.session() as session:
        outcome = apply_snapshot(session, resident_id, agency, view).outcome
        session.commit()
    return outcome


# -- outbox events ---------------------------------------------------------------------------------------------


def approved_event(*, benefit_id: str = "benefit-snap-1", agency: str = "DHS") -> DomainEvent:
    """A benefit's status went from pending to approved (what the store writes to the outbox)."""
    payload = {
        "benefit_id": benefit_id,
        "agency": agency,
        "program_code": "SNAP",
        "old_status": "pending",
        "new_status": "approved",
        "status_reason": "Eligible",
    }
    return DomainEvent("benefit.status_changed", payload, f"benefit.status_changed:{benefit_id}:pending>approved")


def interview_missed_event(*, benefit_id: str = "benefit-snap-1") -> DomainEvent:
    """An interview action went from open to missed (an urgent message, by the rules)."""
    payload = {
        "benefit_id": benefit_id,
        "agency": "DHS",
        "program_code": "SNAP",
        "action_id": "action-1",
        "kind": "interview",
        "due_on": None,
        "title": "Phone interview",
        "scheduled_at": "2026-03-02T08:30:00",
        "old_state": "open",
        "state": "missed",
    }
    return DomainEvent("action.updated", payload, f"action.updated:action-1:missed:{benefit_id}")


def create_events(session: Session, resident: Resident, *events: DomainEvent) -> None:
    """``events`` written to the outbox for the resident (committed), as the store would."""
    write_events(session, resident.id, events)
    session.commit()


# -- callers: a hub session and a minted token --------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Caller:
    """Who a test calls as: ``id`` is the token's subject (the resident's id, or the staff member's subject)."""

    id: str
    token: str
    session_id: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def admin_headers(self, reason: str | None = REASON, **extra: str) -> dict[str, str]:
        """Headers for an admin route: the token, ``X-Access-Reason`` (left out when ``None``) and ``extra``."""
        return _admin_headers(self.token, reason, extra)


def mint_token(
    hub,
    *,
    kind: str,
    subject: str,
    session_id: str,
    client_id: str,
    roles: Iterable[str] = (),
    ttl_seconds: int = 900,
) -> str:
    """A hub access token signed with the hub's own key, as the token endpoint would issue it."""
    return issue_access_token(
        hub.signing_keys,
        issuer=hub.settings.public_url.rstrip("/"),
        subject=subject,
        kind=kind,
        session_id=session_id,
        client_id=client_id,
        ttl_seconds=ttl_seconds,
        roles=tuple(roles),
    )


def create_signed_in_resident(hub, **resident) -> Caller:
    """``create_resident(**resident)`` signed in on the sandbox app: a hub session and an access token."""
    with hub.session() as session:
        ensure_app_clients(session, SANDBOX_APPS)
        row = create_resident(session, **resident)
        hub_session = open_session(session, kind="resident", client_id=RESIDENT_APP, resident_id=row.id)
        session.commit()
        token = mint_token(hub, kind="resident", subject=row.id, session_id=hub_session.id, client_id=RESIDENT_APP)
        return Caller(row.id, token, hub_session.id)


def create_staff(hub, role: str = "support") -> Caller:
    """A staff member of ``role`` (sophie: support, omar: supervisor, ada: admin) signed in on the console."""
    subject, name = STAFF[role]
    with hub.session() as session:
        ensure_app_clients(session, SANDBOX_APPS)
        hub_session = open_session(
            session, kind="staff", client_id=STAFF_APP, staff_subject=subject, staff_name=name, staff_roles=(role,)
        )
        session.commit()
        token = mint_token(
            hub, kind="staff", subject=subject, session_id=hub_session.id, client_id=STAFF_APP, roles=(role,)
        )
        return Caller(subject, token, hub_session.id)


# -- real sign-ins through the sandbox identity providers ----------------------------------------------------------

TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token"
ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"
REDIRECT_URI = "http://127.0.0.1:7777/callback"


@dataclasses.dataclass(frozen=True)
class SignedIn:
    access_token: str
    refresh_token: str
    session_id: str
    headers: dict[str, str]

    def admin_headers(self, reason: str | None = REASON, **extra: str) -> dict[str, str]:
        """Headers for an admin route, as ``Caller.admin_headers``."""
        return _admin_headers(self.access_token, reason, extra)


def signed_in(body: dict) -> SignedIn:
    return SignedIn(
        body["access_token"],
        body["refresh_token"],
        body["session_id"],
        {"Authorization": f"Bearer {body['access_token']}"},
    )


def id_token_for(sandbox_url: str, persona: str, client_id: str = "sandbox-app", nonce: str | None = None) -> str:
    """An ID token from the sandbox resident identity provider."""
    body = {"persona": persona, "client_id": client_id, **({"nonce": nonce} if nonce else {})}
    response = httpx.post(f"{sandbox_url}/idp/test-login", json=body, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["id_token"]


def staff_id_token_for(sandbox_url: str, persona: str) -> str:
    response = httpx.post(f"{sandbox_url}/staff-idp/test-login", json={"persona": persona}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["id_token"]


def exchange(client, id_token: str, client_id: str = "sandbox-app", **extra):
    """``POST /v1/auth/token`` with a token exchange of ``id_token``; returns the raw response."""
    body = {
        "grant_type": TOKEN_EXCHANGE,
        "subject_token": id_token,
        "subject_token_type": ID_TOKEN_TYPE,
        "client_id": client_id,
        **extra,
    }
    return client.post("/v1/auth/token", json=body)


def sign_in(client, sandbox_url: str, persona: str, client_id: str = "sandbox-app", **extra) -> SignedIn:
    """A resident persona signed in through the sandbox IdP and the hub's token exchange."""
    response = exchange(client, id_token_for(sandbox_url, persona, client_id, extra.get("nonce")), client_id, **extra)
    assert response.status_code == 200, response.get_data(as_text=True)
    return signed_in(response.get_json())


def sign_in_staff(client, sandbox_url: str, persona: str, client_id: str = "support-console") -> SignedIn:
    """A staff persona (sophie: support, omar: supervisor, ada: admin) signed in at the workforce IdP."""
    response = exchange(client, staff_id_token_for(sandbox_url, persona), client_id)
    assert response.status_code == 200, response.get_data(as_text=True)
    return signed_in(response.get_json())


def refresh(client, refresh_token: str, client_id: str = "sandbox-app"):
    return client.post(
        "/v1/auth/token", json={"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": client_id}
    )


@dataclasses.dataclass(frozen=True)
class Pkce:
    verifier: str
    challenge: str

    @classmethod
    def new(cls) -> Pkce:
        verifier = secrets.token_urlsafe(48)
        digest = hashlib.sha256(verifier.encode()).digest()
        return cls(verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode())


def authorization_code(
    sandbox_url: str, persona: str, pkce: Pkce, *, client_id: str = "sandbox-app", nonce: str | None = None
) -> str:
    """What a phone app gets back from the provider's authorize page (``login_hint`` approves at once)."""
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": "openid email",
        "code_challenge": pkce.challenge,
        "code_challenge_method": "S256",
        "login_hint": persona,
        "state": "s1",
        **({"nonce": nonce} if nonce else {}),
    }
    response = httpx.get(f"{sandbox_url}/idp/authorize", params=params, follow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query["state"] == ["s1"]
    return query["code"][0]
