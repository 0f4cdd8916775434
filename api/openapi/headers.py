"""Every header the hub sends or reads that the document names, described once (``components/headers`` and
header parameters), so generated clients and "Try it out" know them."""

from __future__ import annotations

from api.idempotency import HEADER as IDEMPOTENCY_HEADER

# Response headers ------------------------------------------------------------------------------------------

RESPONSE_HEADERS = {
    "X-Request-ID": {
        "description": "This request's id: in every log line about it and in every problem document. Send your "
        "own (8–128 of A-Z a-z 0-9 . _ : -) to follow a call through the hub; otherwise the hub makes one.",
        "required": True,
        "schema": {"type": "string", "example": "0f6f1c2d9b7e4a55b6c1d2e3f4a5b6c7"},
    },
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "required": True,
        "schema": {"type": "integer", "minimum": 0, "example": 30},
    },
    "WWW-Authenticate": {
        "description": 'The bearer challenge (RFC 6750): `Bearer realm="benefits-hub"`, with '
        '`error="invalid_token"` when a token was sent but is not valid here.',
        "required": True,
        "schema": {"type": "string", "example": 'Bearer realm="benefits-hub", error="invalid_token"'},
    },
    "ETag": {
        "description": "A strong validator of this body; send it back as If-None-Match to get a 304.",
        "required": True,
        "schema": {"type": "string", "example": '"3b1f9a0c2d4e5f60718293a4b5c6d7e8"'},
    },
    "Content-Language": {
        "description": "The language the texts of this answer are in (from Accept-Language, else the "
        "resident's language).",
        "required": True,
        "schema": {"type": "string", "example": "es"},
    },
    "Idempotent-Replayed": {
        "description": "`true` when this is the stored answer to an earlier request with the same "
        "Idempotency-Key (nothing was done again).",
        "schema": {"type": "string", "enum": ["true"]},
    },
    "X-RateLimit-Limit": {
        "description": "How many requests the tightest limit on this route allows per window.",
        "schema": {"type": "integer", "example": 30},
    },
    "X-RateLimit-Remaining": {
        "description": "How many are left in the current window.",
        "schema": {"type": "integer", "example": 29},
    },
    "X-RateLimit-Reset": {
        "description": "When the window resets (epoch seconds).",
        "schema": {"type": "integer", "example": 1796208000},
    },
}

RATE_LIMIT_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")


def ref(name: str) -> dict:
    return {"$ref": f"#/components/headers/{name}"}


# Request headers (parameters) ------------------------------------------------------------------------------


def header(name: str, description: str, schema: dict, *, required: bool = False, example=None) -> dict:
    parameter = {"in": "header", "name": name, "required": required, "description": description, "schema": schema}
    if example is not None:
        parameter["example"] = example
    return parameter


ACCESS_REASON = header(
    "X-Access-Reason",
    "Why you are looking at this resident's data, in at least 3 words (12–500 characters). It is written to "
    "the audit log and the resident sees it in their access log.",
    {"type": "string", "minLength": 12, "maxLength": 500},
    required=True,
    example="Caller asked why her SNAP shows a document due",
)
BREAK_GLASS = header(
    "X-Break-Glass",
    "`true` to see the data of an agency the resident stopped sharing (supervisors only; flagged for review).",
    {"type": "string", "enum": ["true", "false"]},
    example="false",
)
IF_NONE_MATCH = header(
    "If-None-Match",
    "The ETag of the copy you hold: a 304 without a body when nothing changed.",
    {"type": "string"},
    example='"3b1f9a0c2d4e5f60718293a4b5c6d7e8"',
)
ACCEPT_LANGUAGE = header(
    "Accept-Language",
    "The language of program names, statuses and messages (`en`, `es`; `es-MX` is answered from `es`). "
    "Without it, the resident's own language.",
    {"type": "string", "maxLength": 200},
    example="es",
)
REQUEST_START = header(
    "X-Request-Start",
    "When your load balancer received the request (`t=<epoch seconds, ms or µs>`, as nginx and Heroku send it): "
    "the read budget counts from then. Ignored when it is in the future or over a minute old.",
    {"type": "string", "maxLength": 64},
    example="t=1796207999.120",
)
IDEMPOTENCY_KEY = IDEMPOTENCY_HEADER
PLATFORM_TIMESTAMP = header(
    "X-Platform-Timestamp",
    "When the platform signed the event (epoch seconds); outside the hub's window the event is refused as a "
    "possible replay. X-Platform-Signature is `v1=` and the hex HMAC-SHA256 of `<timestamp>.<raw body>`.",
    {"type": "string", "maxLength": 20},
    required=True,
    example="1796207999",
)
PLATFORM_EVENT_ID = header(
    "X-Platform-Event-Id",
    "The event's id, when the platform sends it: it must equal the body's `event_id` (a 422 otherwise).",
    {"type": "string", "maxLength": 200},
    example="evt-DHS-20260309-000042",
)
