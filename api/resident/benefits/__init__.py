"""The resident benefits API: ``/v1/me/benefits``, ``/v1/me/benefits/{id}`` and ``/v1/me/actions``."""
