"""The platform's side of the API: its signed change events, ``POST /v1/platform/events``."""
