"""Routes for operators rather than apps: health, readiness, metrics."""
