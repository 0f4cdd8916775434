"""Notifications: templates, preferences, devices, delivery and push transports."""
