"""``/v1/me/sessions``: the resident's sessions per device, and signing one out."""
