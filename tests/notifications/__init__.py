"""Notifications: transports against the fake FCM server, templates, rules, quiet hours, and (with a database)
dispatch from the outbox, send-time decisions, delivery, leases, reminders, the Celery path and the inbox routes."""
