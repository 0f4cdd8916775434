"""``POST /v1/me/links``: linking an agency record by its letter code."""
