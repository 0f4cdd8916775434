"""Tests for notifications: transports against the fake FCM server, templates, rules and quiet hours."""
