"""The hourly job that pushes urgent nudges: the scan (``services.nudges.pushes``) writes them to the outbox, and
a dispatch at once turns them into inbox messages and pushes (held for quiet hours, ``notifications.dispatch``)."""

from __future__ import annotations

from notifications.dispatch import dispatch_job
from services.background import job
from services.hub import Hub
from services.nudges.pushes import write_nudge_pushes

NUDGE_PUSHES_EVERY_SECONDS = 3600.0


@job("nudges.push_urgent", every_seconds=NUDGE_PUSHES_EVERY_SECONDS)
def nudge_pushes_job(hub: Hub) -> None:
    with hub.session() as session:
        written = write_nudge_pushes(session, hub.field_cipher)
    if written:
        hub.runner.submit(dispatch_job)
