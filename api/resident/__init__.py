"""The resident API: every ``/v1/me/*`` route, one folder per resource with its routes and schemas."""
