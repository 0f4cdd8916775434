"""What operators and tools reach: liveness and readiness probes, and the API's own documentation."""
