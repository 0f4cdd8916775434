"""The resident's own routes (``api/resident/``, ``/v1/me``): profile, sessions, consents, links and their notices,
the access log's language, and the resident route-matrix cells."""
