"""Case changes posted by agency systems that are not on the platform (``POST /v1/partner/events``).

The event is the platform's change-event shape and goes through the very code of the signed platform webhook
(``services.benefits.platform_events.apply_change_event``): the same adapters, view-order rule, snapshot store,
outbox and notifications. Only three things differ, decided here: the agency must be the partner's own; the event
id is the partner's, kept apart from the platform's and other apps' ids (``partner:<client id>:<hash of event
id>`` as the stored id, so one app cannot pre-empt another's event ids); and an ``occurred_at`` more than
``PARTNER_EVENT_FUTURE_SECONDS`` ahead of the hub's clock is refused, because under the view-order rule a
change "from the future" would make every real later change look stale and freeze the case.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from typing import Any

from services import clock
from services.benefits.platform_events import ChangeEvent, apply_change_event
from services.errors import Forbidden, InvalidInput
from services.hub import Hub
from services.models.partners import PartnerApp


class AgencyNotYours(Forbidden):
    title = "Not your agency"
    slug = "agency-not-yours"


@dataclasses.dataclass(frozen=True)
class PartnerEvent:
    event_id: str
    agency: str
    record_id: str
    occurred_at: dt.datetime
    document: Any


def stored_event_id(client_id: str, event_id: str) -> str:
    digest = hashlib.sha256(f"{client_id}\n{event_id}".encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"partner:{digest}"


def apply_partner_event(hub: Hub, app: PartnerApp, event: PartnerEvent) -> str:
    """The outcome of ``apply_change_event`` (``applied``, ``duplicate``, ``ignored`` …) for the app's own agency."""
    if event.agency != app.agency:
        raise AgencyNotYours(
            f"This app posts changes for {app.agency} only.", errors={"agency": [f"Must be {app.agency}."]}
        )
    ahead = (event.occurred_at - clock.now()).total_seconds()
    if ahead > hub.settings.partner_event_future_seconds:
        raise InvalidInput(
            "occurred_at is in the future; send the time the change happened at the agency.",
            errors={"occurred_at": [f"At most {hub.settings.partner_event_future_seconds} seconds ahead of now."]},
        )
    change = ChangeEvent(
        stored_event_id(app.client_id, event.event_id), event.agency, event.record_id, event.occurred_at, event.document
    )
    return apply_change_event(hub, change)
