"""The HTTP surface as a whole: problem documents, bad input, fields, idempotency, hosts and headers, gunicorn's
limits, outages, the OpenAPI document (and a fuzz of it), and the CLI commands benchmarks seed with."""
