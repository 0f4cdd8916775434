"""The state's data platform: one HTTP client (timeouts, per-agency guards), a pure adapter per feed, reason codes."""
