"""``GET /metrics`` for the operator's Prometheus, and the instruments every HTTP request updates."""
