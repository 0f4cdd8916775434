"""Factories for notification tests: residents, devices, messages with queued deliveries, outbox events."""

from __future__ import annotations

import itertools

from sqlalchemy.orm import Session

from services import clock
from services.db import new_id
from services.models.identity import Resident
from services.models.notifications import Device, NotificationMessage, PushDelivery

_numbers = itertools.count(1)


def make_resident(session: Session, *, locale: str = "en", time_zone: str = "America/Chicago") -> Resident:
    resident = Resident(
        issuer="https://idp.test",
        subject=f"subject-{next(_numbers)}",
        locale=locale,
        time_zone=time_zone,
        identity_verified=True,
    )
    session.add(resident)
    session.commit()
    return resident


def add_devices(
    session: Session, resident: Resident, tokens: list[str], *, session_id: str | None = None
) -> list[Device]:
    from services.devices import token_hash

    devices = [
        Device(
            resident_id=resident.id,
            session_id=session_id,
            platform="android",
            app_id="gov.state.benefits",
            locale=resident.locale,
            push_token=token,
            token_hash=token_hash(token),
            token_suffix=token[-6:],
        )
        for token in tokens
    ]
    session.add_all(devices)
    session.commit()
    return devices


def queue_message(
    session: Session, resident: Resident, devices: list[Device], *, urgent: bool = False
) -> NotificationMessage:
    """A message as the dispatcher would write it, with one queued delivery per device."""
    message = NotificationMessage(
        id=new_id(),
        resident_id=resident.id,
        dedupe_key=f"test:{new_id()}",
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
