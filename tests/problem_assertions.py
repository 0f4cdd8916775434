"""Assertions about problem documents, shared by every route's tests."""

from __future__ import annotations


def assert_problem(response, status: int, *, field: str | None = None) -> dict:
    """The response is an RFC 9457 problem with ``status``, a request id, and (if given) ``field`` named."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    for member in ("type", "title", "status", "detail", "request_id"):
        assert member in body, f"problem document lacks {member}: {body}"
    assert body["status"] == status
    assert body["request_id"] == response.headers["X-Request-ID"]
    assert "Traceback" not in response.get_data(as_text=True)
    if field is not None:
        assert field in body.get("errors", {}), f"{field} not named in {body.get('errors')}"
    return body
