"""``/v1/me/devices``: the resident's phones registered for push."""
