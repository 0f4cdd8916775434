"""The state's data platform: one HTTP client (timeouts, per-agency guards) and a pure adapter per agency feed."""
