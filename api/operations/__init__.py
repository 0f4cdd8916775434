"""What operators and tools reach: liveness and readiness probes, metrics, and the API's own documentation."""
