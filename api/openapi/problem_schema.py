"""The one error body the hub sends, as the document describes it: ``application/problem+json`` (RFC 9457).

``api/problems.py`` writes every error; this is its schema, used for every 4xx/5xx of every operation
(``api/openapi/operations.py``), so a client generated from ``/openapi.json`` parses errors as they are sent.
Extension members are allowed, as RFC 9457 allows them; the one the hub adds is OAuth's ``error`` on the token
endpoint.
"""

from __future__ import annotations

from http import HTTPStatus

import marshmallow as ma

from api.problems import PROBLEM_MIMETYPE, TYPE_BASE


class ProblemSchema(ma.Schema):
    """A problem document; ``errors`` names each field (or header) that was refused and why."""

    class Meta:
        unknown = ma.INCLUDE  # RFC 9457 extension members (OAuth's ``error``)

    type = ma.fields.String(
        required=True,
        metadata={"description": "A URI naming the kind of problem", "example": TYPE_BASE + "link-proof-required"},
    )
    title = ma.fields.String(required=True, metadata={"example": "Link proof required"})
    status = ma.fields.Integer(required=True, metadata={"description": "The HTTP status", "example": 403})
    detail = ma.fields.String(
        required=True,
        metadata={
            "description": "What went wrong and what to do, in English (for developers)",
            "example": "The letter code is right; send birthdate to prove the case is yours.",
        },
    )
    request_id = ma.fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "Quote it to support; also the X-Request-ID header", "example": "5f0c2a…"},
    )
    errors = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.String()),
        metadata={
            "description": "Field (or header) → messages, on validation failures",
            "example": {"birthdate": ["Not a valid date."]},
        },
    )
    error = ma.fields.String(
        metadata={
            "description": "The OAuth error code (RFC 6749), on the token endpoint only",
            "example": "invalid_grant",
        }
    )


def response_name(status: int) -> str:
    """The component name of a status' problem response: ``NotFound``, ``TooManyRequests``, …"""
    return "".join(word.capitalize() for word in HTTPStatus(status).name.split("_"))


MEDIA_TYPE = PROBLEM_MIMETYPE
