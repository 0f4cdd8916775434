"""Notifications: rules, templates, preferences, dispatch from the outbox, delivery and push transports."""
