"""``Idempotency-Key`` on writes that clients retry: ``@blp.idempotent()`` under the route's auth decorator.

The rules (claim, replay, 409s, 24 hours) live in ``services/idempotency.py``; this is the HTTP side: the
header's format (8–255 of ``A-Z a-z 0-9 . _ : -``, a UUID fits; anything else a 422 naming the header), the
caller the key belongs to (a resident, a staff member; one caller can never see another's stored answer),
the request's fingerprint (method, path and query, caller, content type, body), and the answer kept (status,
body and the headers in ``KEPT_HEADERS``). A replay says ``Idempotent-Replayed: true``. Without the header a
request runs as usual.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable

from flask import Response, current_app, request

from api.auth.principal import current_principal
from api.current_hub import current_hub
from services import idempotency
from services.errors import InvalidInput

HEADER = "Idempotency-Key"
KEY_FORMAT = re.compile(r"^[A-Za-z0-9._:-]{8,255}$")
KEPT_HEADERS = ("Content-Type", "Location", "ETag", "Content-Language", "Vary")
PARAMETER = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "schema": {"type": "string", "pattern": KEY_FORMAT.pattern, "minLength": 8, "maxLength": 255},
    "description": "Send the same key when retrying this request: the first answer is given again and nothing is "
    "done twice (24 hours). The same key with a different request is a 409.",
    "example": "maria-phone-0001-7f3c",
}
DOC = {"responses": {"409": {"description": "The key was used for another request, or its request is in progress"}}}


def _key() -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not KEY_FORMAT.match(key):
        message = "8 to 255 letters, digits, '.', '_', ':' or '-' (a UUID fits)."
        raise InvalidInput(f"{HEADER} is not a valid key.", errors={HEADER: [message]})
    return key


def _caller() -> str:
    principal = current_principal()
    return f"{principal.kind}:{principal.resident_id or principal.staff_subject or principal.client_id}"


def _fingerprint(caller: str) -> str:
    digest = hashlib.sha256()
    for part in (request.method, request.full_path, caller, request.mimetype):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\n")
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _replay(answer: idempotency.StoredAnswer) -> Response:
    response = Response(answer.body, status=answer.status)
    for name, value in answer.headers.items():
        response.headers[name] = value
    response.headers["Idempotent-Replayed"] = "true"
    return response


def idempotent(view: Callable) -> Callable:
    """Run ``view`` once per (caller, key); see the module docstring."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        key = _key()
        if key is None:
            return view(*args, **kwargs)
        caller, sessions = _caller(), current_hub().session_factory
        stored = idempotency.claim(sessions, caller, key, _fingerprint(caller))
        if stored is not None:
            return _replay(stored)
        try:
            response = current_app.make_response(view(*args, **kwargs))
        except BaseException:
            idempotency.release(sessions, caller, key)
            raise
        if 200 <= response.status_code < 300:
            headers = {name: response.headers[name] for name in KEPT_HEADERS if name in response.headers}
            answer = idempotency.StoredAnswer(response.status_code, response.get_data(as_text=True), headers)
            idempotency.record(sessions, caller, key, answer)
        else:
            idempotency.release(sessions, caller, key)
        return response

    return wrapper
