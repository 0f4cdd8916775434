"""Notifications: rules, rendering from services/texts/, preferences, dispatch, delivery and push transports."""
