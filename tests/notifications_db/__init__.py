"""Notifications against a real database: devices, inbox, preferences, dispatch, delivery, reminders, jobs."""
