"""Domain errors: values that services raise and ``api/problems.py`` maps to problem documents."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base for errors a caller can act on. ``status`` is the HTTP status the API answers with."""

    status = 400
    title = "Bad request"
    slug = "bad-request"

    def __init__(
        self,
        detail: str,
        *,
        errors: dict[str, list[str]] | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}
        self.extra = extra


class InvalidInput(DomainError):
    status = 422
    title = "Invalid input"
    slug = "invalid-input"


class NotFound(DomainError):
    """Also what a resident gets for another resident's object: never a hint that it exists."""

    status = 404
    title = "Not found"
    slug = "not-found"


class Unauthenticated(DomainError):
    status = 401
    title = "Unauthorized"
    slug = "unauthorized"

    def __init__(self, detail: str, **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"WWW-Authenticate": 'Bearer realm="benefits-hub"'})
        super().__init__(detail, **kwargs)


class Forbidden(DomainError):
    status = 403
    title = "Forbidden"
    slug = "forbidden"


class Conflict(DomainError):
    status = 409
    title = "Conflict"
    slug = "conflict"


class SourceUnavailable(DomainError):
    status = 503
    title = "Source unavailable"
    slug = "source-unavailable"


class QueueUnavailable(DomainError):
    """Work a request must hand to the background could not be queued (the broker is down): try again later."""

    status = 503
    title = "Service unavailable"
    slug = "queue-unavailable"
