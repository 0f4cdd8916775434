"""A resident's phones registered for push: register (a known token moves to the caller), list, remove, and
deactivate on sign-out (``services.identity.sessions``) or when FCM says the token is dead
(``notifications.delivery``). A token is found by its SHA-256 hash and shown only as its last characters.
Deactivating a device cancels the pushes still queued for it.

Here, in services/, because signing out is an identity rule that must stop pushes, and services/ never imports
notifications/; the sender and the rules that make pushes are in notifications/."""

from __future__ import annotations

import hashlib
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services import clock
from services.db import commits
from services.errors import NotFound
from services.models.notifications import CancelReason, Device, PushDelivery
from services.pagination import Page, keyset_page

PLATFORMS = ("ios", "android")
_SHOWN_CHARACTERS = 6


class DeactivationReason(StrEnum):
    """Why a device stopped getting pushes (``devices.deactivated_reason``)."""

    SIGNED_OUT = "signed_out"  # its session ended, or support signed the resident out everywhere
    REMOVED = "removed"  # the resident removed it
    TOKEN_INVALID = "token_invalid"  # noqa: S105  (FCM said the token is dead; not a secret)


_CANCELLED_BECAUSE = {
    DeactivationReason.SIGNED_OUT: CancelReason.DEVICE_SIGNED_OUT,
    DeactivationReason.REMOVED: CancelReason.DEVICE_REMOVED,
    DeactivationReason.TOKEN_INVALID: CancelReason.DEVICE_TOKEN_INVALID,
}


def token_hash(push_token: str) -> str:
    return hashlib.sha256(push_token.encode()).hexdigest()


def masked_token(device: Device) -> str:
    """What the API shows of a push token: enough for a person to tell two phones apart, never enough to send."""
    return "•••••" + device.token_suffix


@commits
def register_device(
    session: Session,
    *,
    resident_id: str,
    session_id: str | None,
    platform: str,
    push_token: str,
    app_id: str,
    locale: str | None,
) -> tuple[Device, bool]:
    """Register ``push_token`` for the resident and session; returns ``(device, created)``.

    A token already known (from this resident or another) moves to the caller: one row per token, so a
    token is never shared by two residents. Pushes still queued for the previous owner are cancelled.
    Commits: a token registered concurrently shows only as the unique constraint's refusal at the commit, and
    the registration then retries on the row the other request made.
    """
    digest = token_hash(push_token)
    for attempt in range(2):
        device = session.scalar(select(Device).where(Device.token_hash == digest))
        created = device is None
        if created:
            device = Device(push_token=push_token, token_hash=digest, token_suffix=push_token[-_SHOWN_CHARACTERS:])
            session.add(device)
        elif device.resident_id != resident_id:
            _cancel_queued(session, device.id, reason=CancelReason.DEVICE_MOVED)
        device.resident_id = resident_id
        device.session_id = session_id
        device.platform = platform
        device.app_id = app_id
        device.locale = locale
        device.active = True
        device.deactivated_reason = None
        device.deactivated_at = None
        device.registered_at = clock.now()
        try:
            session.commit()
            return device, created
        except IntegrityError:
            session.rollback()  # the same token registered concurrently: take the row the other request made
            if attempt:
                raise
    raise AssertionError("unreachable")


def active_devices_page(session: Session, resident_id: str, *, limit: int, after: dict | None) -> Page:
    stmt = select(Device).where(Device.resident_id == resident_id, Device.active.is_(True))
    return keyset_page(session, stmt, key=[Device.registered_at, Device.id], limit=limit, after=after)


def remove_device(session: Session, resident_id: str, device_id: str) -> None:
    """The resident removes one of their devices; another resident's id (or an unknown one) is a 404."""
    device = session.scalar(
        select(Device).where(Device.id == device_id, Device.resident_id == resident_id, Device.active.is_(True))
    )
    if device is None:
        raise NotFound("There is no such device.")
    _deactivate(session, [device], reason=DeactivationReason.REMOVED)


def deactivate_for_session(session: Session, session_id: str) -> int:
    """Signing out a hub session stops pushes to the devices it registered."""
    devices = list(session.scalars(select(Device).where(Device.session_id == session_id, Device.active.is_(True))))
    _deactivate(session, devices, reason=DeactivationReason.SIGNED_OUT)
    return len(devices)


def deactivate_for_resident(
    session: Session, resident_id: str, *, reason: DeactivationReason = DeactivationReason.SIGNED_OUT
) -> int:
    """Every active device of a resident (support signing a resident out everywhere)."""
    devices = list(session.scalars(select(Device).where(Device.resident_id == resident_id, Device.active.is_(True))))
    _deactivate(session, devices, reason=reason)
    return len(devices)


def deactivate_dead_tokens(session: Session, device_ids: list[str]) -> None:
    """FCM answered UNREGISTERED (or an invalid token) for these devices."""
    if device_ids:
        devices = list(session.scalars(select(Device).where(Device.id.in_(device_ids), Device.active.is_(True))))
        _deactivate(session, devices, reason=DeactivationReason.TOKEN_INVALID)


def _deactivate(session: Session, devices: list[Device], *, reason: DeactivationReason) -> None:
    now = clock.now()
    for device in devices:
        device.active = False
        device.deactivated_reason = reason
        device.deactivated_at = now
        _cancel_queued(session, device.id, reason=_CANCELLED_BECAUSE[reason])


def _cancel_queued(session: Session, device_id: str, *, reason: CancelReason) -> None:
    session.execute(
        update(PushDelivery)
        .where(PushDelivery.device_id == device_id, PushDelivery.state == "queued")
        .values(state="cancelled", error_code=reason)
    )
