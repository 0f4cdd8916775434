"""A representative's copy of a message the person they act for was just sent (who gets one, and when it stands:
``services.representation.copies``).

A copy is a message of the representative's own: their inbox, their language, their devices, categories, quiet
hours and lock-screen choice, rendered from the original's template and parameters inside a frame that says whose
case it is (``notifications.render.render_copy``). It keeps the original's category, urgency, agency and benefit,
and names the designation it was sent under (``represented_id`` in the inbox).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

from notifications.render import COPY_NAME, render_copy
from services.db import new_id
from services.models.identity import Resident
from services.models.notifications import NotificationMessage
from services.representation.acting import given_name
from services.representation.copies import copy_recipients
from services.representation.grants import Grant

ACCOUNT = "account"  # notifications.rules: the hub's account channel


def copies_of(
    message: NotificationMessage, person: Resident, grants: Iterable[Grant], residents: Mapping[str, Resident]
) -> list[NotificationMessage]:
    """The copies of the person's ``message`` for their representatives at its agency (none for the account)."""
    made: list[NotificationMessage] = []
    if message.category == ACCOUNT:
        return made  # the account's own messages (sign-in, devices, a case linked elsewhere) are never copied
    for representative_id, grant in copy_recipients(grants, message.agency).items():
        representative = residents.get(representative_id)
        if representative is None:
            continue
        params = {**(message.params or {}), COPY_NAME: given_name(person.given_name, person.name)}
        rendered = render_copy(message.template_key, params, representative.locale)
        made.append(
            NotificationMessage(
                id=new_id(),
                resident_id=representative_id,
                dedupe_key=copy_dedupe_key(representative_id, message.dedupe_key),
                outbox_event_id=message.outbox_event_id,
                category=message.category,
                template_key=message.template_key,
                agency=message.agency,
                benefit_id=message.benefit_id,
                locale=rendered.locale,
                title=rendered.inbox_title[:300],
                body=rendered.inbox_body,
                params=params,
                urgent=message.urgent,
                created_at=message.created_at,
                designation_id=grant.designation_id,
            )
        )
    return made


def copy_dedupe_key(representative_id: str, original_key: str) -> str:
    """One copy per representative per original message; hashed when it would not fit the column."""
    key = f"{representative_id}:copy:{original_key}"
    return key if len(key) <= 255 else f"{representative_id}:copy:sha256:{hashlib.sha256(key.encode()).hexdigest()}"
