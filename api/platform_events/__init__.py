"""The platform's signed change events: ``POST /v1/platform/events``."""
