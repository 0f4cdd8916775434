"""``GET /v1/me/access-log``: who read or changed the resident's data, and why."""
