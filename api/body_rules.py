"""What a request body must be, checked where a route's arguments are parsed: after its authentication.

``Blueprint.arguments`` (``api/extension.py``) wraps every body argument with ``body_rules``, so the checks
run inside the auth decorator: an anonymous caller gets a 401 whatever it sends, never a 415 or a 422 that
describes the route. Decided once for every route:

- a body in another content type than the location takes (JSON; JSON or a form for the OAuth token endpoint)
  is a 415 problem;
- a route whose body is required (flask-smorest's default) answers a missing or empty body with a 422 naming
  ``body`` (``{}`` is a body: a PUT of ``{}`` to preferences changes nothing, on purpose);
- a route that declares no body ignores whatever is sent.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import request
from webargs import core
from werkzeug.exceptions import UnprocessableEntity

from services.errors import DomainError

FORM = "application/x-www-form-urlencoded"
ACCEPTED = {
    "json": "application/json",
    "json_or_form": f"application/json or {FORM}",
    "form": FORM,
}
BODY_REQUIRED = "A JSON body is required."


class UnsupportedMediaType(DomainError):
    status = 415
    title = "Unsupported media type"
    slug = "unsupported-media-type"


class BodyRequired(UnprocessableEntity):
    """A werkzeug 422 like webargs' own, so a blueprint's validation handler (the token endpoint's OAuth
    ``invalid_request``) answers it too."""

    def __init__(self) -> None:
        super().__init__(description=BODY_REQUIRED)
        self.problem_detail = BODY_REQUIRED
        self.data = {"messages": {"body": [BODY_REQUIRED]}}


def _content_type_taken(location: str, mimetype: str) -> bool:
    if location in {"json", "json_or_form"} and core.is_json(mimetype):
        return True
    return location in {"json_or_form", "form"} and mimetype == FORM


def _body_announced() -> bool:
    return (request.content_length or 0) > 0 or "chunked" in request.headers.get("Transfer-Encoding", "").lower()


def check_body(location: str, *, required: bool) -> None:
    """Raise the 415 or 422 problem this request's body deserves at ``location``, or return."""
    if _body_announced() and not _content_type_taken(location, request.mimetype):
        raise UnsupportedMediaType(f"Send the body as {ACCEPTED[location]}.")
    if required and _body_is_empty():
        raise BodyRequired()


def _body_is_empty() -> bool:
    if not _body_announced():
        return True
    if request.mimetype == FORM:
        return not request.form  # parsed already by then (the sign-in limiter reads client_id from it)
    return not request.get_data(cache=True)


def body_rules(location: str, *, required: bool) -> Callable[[Callable], Callable]:
    """Check the body (``check_body``) just before webargs parses it; other locations pass through."""

    def decorator(view: Callable) -> Callable:
        if location not in ACCEPTED:
            return view

        @functools.wraps(view)
        def checked(*args, **kwargs):
            check_body(location, required=required)
            return view(*args, **kwargs)

        return checked

    return decorator
