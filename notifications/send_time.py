"""Send-time decisions: may this push still go out, and what does its lock screen say, from the resident's
settings at the moment it is sent rather than when the message was written.

A push can wait a long time between dispatch and send (quiet hours, FCM backoff, a support resend of an old
message), and the resident may change their mind meanwhile. So every claimed push is decided again, in this
order, and the first rule that applies wins:

1. the device was switched off (signed out, removed, dead token) → cancelled, ``device_inactive``;
2. the device now belongs to another resident (its token was registered again by them) → ``device_moved``;
3. the resident stopped sharing the message's agency → ``consent_withdrawn``; for a representative's copy of
   the person's message, instead: the copy no longer stands (the designation ended at that agency, or the person
   stopped sharing it: ``services.representation.copies``) → ``representation_ended``;
4. the resident switched the message's category off → ``category_disabled``;
5. a non-urgent push inside the resident's quiet hours (in their time zone of now) → held until they end;
6. otherwise it is sent, with the lock-screen text rendered now: in the resident's language of now, private
   unless they allow detailed previews now.

Everything a batch needs about its residents is read in three statements (``recipients_for``), whatever its
size. ``decide`` and ``push_for`` are pure.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Iterable
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from notifications.preferences import Preferences
from notifications.render import PushText, TemplateError, private_push_text, render_copy_push_text, render_push_text
from notifications.transports import PushMessage
from services.models.identity import Resident
from services.models.notifications import CancelReason, Device, NotificationMessage, NotificationPreference
from services.representation import copies
from services.visibility import withheld_by_resident

log = logging.getLogger("notifications.send_time")


@dataclasses.dataclass(frozen=True)
class Recipient:
    """What the send-time rules need to know about a resident, as it is now."""

    resident_id: str
    locale: str | None
    time_zone: str | None
    preferences: Preferences
    withheld_agencies: frozenset[str]


@dataclasses.dataclass(frozen=True)
class Decision:
    """``send``; ``cancel`` with its ``reason``; or ``hold`` until ``until`` (UTC)."""

    verdict: Literal["send", "cancel", "hold"]
    reason: CancelReason | None = None
    until: dt.datetime | None = None


SEND = Decision("send")


def recipients_for(session: Session, resident_ids: Iterable[str]) -> dict[str, Recipient]:
    """Residents, preferences and withheld agencies of many residents at once: three statements."""
    ids = sorted(set(resident_ids))
    if not ids:
        return {}
    residents = session.execute(select(Resident.id, Resident.locale, Resident.time_zone).where(Resident.id.in_(ids)))
    preferences = {
        row.resident_id: Preferences.from_row(row)
        for row in session.scalars(select(NotificationPreference).where(NotificationPreference.resident_id.in_(ids)))
    }
    withheld = withheld_by_resident(session, ids)
    return {
        resident_id: Recipient(
            resident_id=resident_id,
            locale=locale,
            time_zone=time_zone,
            preferences=preferences.get(resident_id, Preferences()),
            withheld_agencies=withheld.get(resident_id, frozenset()),
        )
        for resident_id, locale, time_zone in residents
    }


def standing_copies(session: Session, messages: Iterable[NotificationMessage]) -> set[str]:
    """Of these messages, the copies that still stand (one statement; none when there is no copy)."""
    return copies.standing_copies(session, [m.id for m in messages if m.designation_id is not None])


def decide(
    message: NotificationMessage,
    device: Device,
    recipient: Recipient | None,
    now: dt.datetime,
    *,
    copy_stands: bool = True,
) -> Decision:
    """May this push of ``message`` to ``device`` go out ``now``? (The rules of the module docstring.)
    ``copy_stands``: for a copy, whether it still stands (``standing_copies``)."""
    if not device.active:
        return Decision("cancel", reason=CancelReason.DEVICE_INACTIVE)
    if recipient is None or device.resident_id != message.resident_id:
        return Decision("cancel", reason=CancelReason.DEVICE_MOVED)
    if message.designation_id is not None:
        if not copy_stands:
            return Decision("cancel", reason=CancelReason.REPRESENTATION_ENDED)
    elif message.agency and message.agency in recipient.withheld_agencies:
        return Decision("cancel", reason=CancelReason.CONSENT_WITHDRAWN)
    if not recipient.preferences.pushes(message.category):
        return Decision("cancel", reason=CancelReason.CATEGORY_DISABLED)
    until = recipient.preferences.push_not_before(now, recipient.time_zone, urgent=message.urgent)
    if until is not None:
        return Decision("hold", until=until)
    return SEND


def lock_screen_text(message: NotificationMessage, recipient: Recipient) -> PushText:
    """The lock-screen text for ``message`` now. A template that no longer renders (a deploy changed it) falls
    back to the private text rather than failing the push: the resident is still told, and nothing leaks."""
    locale = recipient.locale or message.locale
    render = render_copy_push_text if message.designation_id is not None and message.params else render_push_text
    try:
        return render(
            message.template_key,
            message.params,
            locale,
            detailed_previews=recipient.preferences.detailed_previews,
        )
    except TemplateError:
        log.exception("push text could not be rendered; sending the private text", extra={"message_id": message.id})
        return private_push_text(locale)


def push_for(message: NotificationMessage, device: Device, text: PushText) -> PushMessage:
    """The push of ``message`` to ``device`` with its lock-screen ``text`` (``lock_screen_text``)."""
    return PushMessage(
        token=device.push_token,
        title=text.title,
        body=text.body,
        data={"message_id": message.id, "category": message.category},
        urgent=message.urgent,
        collapse_key=message.id,
    )
