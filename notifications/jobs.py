"""Background jobs of notifications: thin wrappers that tests call directly, registered by name.

``notifications.dispatch`` (outbox → messages → deliveries) and ``notifications.send_deliveries`` (due
deliveries → transport) run every few seconds in the embedded default and under Celery beat in production,
and dispatch also queues a send as soon as it has written deliveries. ``notifications.reminders`` writes
the scheduled reminders (renewal, document, interview) to the outbox; it is safe to run as often as wanted.
"""

from __future__ import annotations

from services.background import job

DISPATCH_EVERY_SECONDS = 2.0
SEND_EVERY_SECONDS = 10.0
REMINDERS_EVERY_SECONDS = 3600.0


@job("notifications.dispatch", every_seconds=DISPATCH_EVERY_SECONDS)
def dispatch(context) -> None:
    from notifications.dispatch import dispatch_outbox

    report = dispatch_outbox(context)
    if report.deliveries:
        context.runner.submit("notifications.send_deliveries")


@job("notifications.send_deliveries", every_seconds=SEND_EVERY_SECONDS)
def send_deliveries(context) -> None:
    from notifications.delivery import send_due_deliveries

    send_due_deliveries(context)


@job("notifications.reminders", every_seconds=REMINDERS_EVERY_SECONDS)
def reminders(context) -> None:
    from notifications.reminders import write_due_reminders

    with context.session() as session:
        written = write_due_reminders(session)
    if written:
        context.runner.submit("notifications.dispatch")
