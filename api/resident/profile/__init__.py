"""``GET /v1/me``: the signed-in resident's profile and identity status."""
