"""Guard: every list route answers and documents one page shape, ``data`` + ``meta.next_cursor``, built by
``@blp.paginated`` (``api/pages.py``) rather than by hand."""

from __future__ import annotations

import pathlib

from api.pages import ListPage, decode_cursor, encode_cursor, page_body
from services.pagination import Page

LIST_ROUTES = {
    ("get", "/v1/me/sessions"),
    ("get", "/v1/me/consents"),
    ("get", "/v1/me/devices"),
    ("get", "/v1/me/notifications"),
    ("get", "/v1/me/access-log"),
    ("get", "/v1/admin/residents"),
    ("get", "/v1/admin/residents/{resident_id}/notifications"),
    ("get", "/v1/admin/audit-events"),
}


def _resolve(spec, schema):
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def test_every_list_route_documents_data_and_a_next_cursor(client):
    spec = client.get("/openapi.json").get_json()
    for method, path in LIST_ROUTES:
        body = _resolve(spec, spec["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"])
        assert body["properties"]["data"]["type"] == "array", path
        meta = _resolve(spec, body["properties"]["meta"])
        assert "next_cursor" in meta["properties"], path
        assert set(body["required"]) == {"data", "meta"}, path


def test_a_page_is_shaped_with_its_cursor_and_extra_meta():
    assert page_body(Page(["a"], None)) == {"data": ["a"], "meta": {"next_cursor": None}}
    shaped = page_body(ListPage.of(Page(["a"], {"id": 7}), items=["A"], unread_count=2))
    assert shaped["data"] == ["A"] and shaped["meta"]["unread_count"] == 2
    assert decode_cursor(shaped["meta"]["next_cursor"]) == {"id": 7}
    assert encode_cursor({"id": 7}) == shaped["meta"]["next_cursor"]


def test_no_route_builds_the_page_shape_by_hand():
    api = pathlib.Path(__file__).resolve().parents[2] / "api"
    by_hand = [
        str(path.relative_to(api.parent))
        for path in api.rglob("*.py")
        if path.name != "pages.py" and '"next_cursor": ' in path.read_text()
    ]
    assert by_hand == []
