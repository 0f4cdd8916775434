"""The OpenAPI document: the problem schema, what every operation can answer and read, tags and the guide."""
