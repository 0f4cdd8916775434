"""The interactive API docs, served entirely from this service (Swagger UI from the swagger-ui-bundle package)."""
