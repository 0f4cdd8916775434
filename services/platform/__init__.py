"""The state's unified data platform: one HTTP client (timeouts, circuit breakers) and one pure adapter per agency feed."""

from services.components import register_home

register_home("platform", "services.platform.client")
