"""HTTP: blueprints, request/response schemas, auth decorators and error handlers. No business rules."""
