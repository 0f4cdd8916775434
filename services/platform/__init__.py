"""The state's unified data platform: one HTTP client (timeouts, per-agency guards) and one pure adapter per agency
feed."""
