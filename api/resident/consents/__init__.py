"""``/v1/me/consents``: sharing or hiding each agency's data."""
