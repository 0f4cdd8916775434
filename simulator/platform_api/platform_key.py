"""Every /platform data endpoint needs `Authorization: Bearer <platform key>`, as the real platform's gateway would."""

from __future__ import annotations

import hmac

from flask import request

from simulator.sandbox import current_sandbox, json_error


def require_platform_key():
    """A before_request hook: None lets the request through."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    expected = current_sandbox().settings.platform_key
    if scheme.lower() != "bearer" or not hmac.compare_digest(value.strip().encode(), expected.encode()):
        body, status = json_error(401, "unauthorized", "send Authorization: Bearer <platform key>")
        return body, status, {"WWW-Authenticate": 'Bearer realm="platform"'}
    return None
