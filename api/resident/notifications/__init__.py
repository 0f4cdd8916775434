"""``/v1/me/notifications`` (the inbox) and ``/v1/me/notification-preferences``."""
