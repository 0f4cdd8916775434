"""Cursor pages at the HTTP edge, in one place: ``?limit=&cursor=`` in, ``{"data": [...], "meta": {"next_cursor":
…}}`` out.

A list route wears ``@blp.paginated(ItemSchema, meta=…, args=…)`` (``api.extension.Blueprint``): it parses the
page arguments (the view gets ``args["after"]``, the keyset the cursor carries), documents the page's schema and
shapes what the view returns, a ``services.pagination.Page`` or, to add members to ``meta`` or present the
items, a ``ListPage``. Keysets come from ``services.pagination.keyset_page``; a cursor is their base64url JSON.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import functools
import json
from collections.abc import Sequence
from typing import Any

import marshmallow as ma
from werkzeug.datastructures import MultiDict

from api.fields import Text
from api.json_bodies import JsonBodyError
from api.json_bodies import parse as parse_json
from services.errors import InvalidInput
from services.pagination import Page

MAX_CURSOR_CHARS = 512


class PageArgs(ma.Schema):
    """``?limit=&cursor=`` on every list route."""

    limit = ma.fields.Integer(load_default=50, validate=ma.validate.Range(min=1, max=200))
    cursor = Text(load_default=None, validate=ma.validate.Length(max=MAX_CURSOR_CHARS))


class PageMeta(ma.Schema):
    next_cursor = ma.fields.String(allow_none=True)


_LIMIT = PageArgs().fields["limit"]
_RANGE = next(v for v in _LIMIT.validators if isinstance(v, ma.validate.Range))


def first_page_limit(args: MultiDict) -> int | None:
    """The page size when the query asks for a first page and nothing else (no query, or one plain ``limit``
    within its range), else ``None``: what a lean first-page read may answer before the query is parsed (anything
    else goes on to ``PageArgs`` and its validation)."""
    if not args:
        return _LIMIT.load_default
    if len(args) != 1 or "limit" not in args or len(args.getlist("limit")) != 1:
        return None
    raw = args["limit"]
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 3:
        return None
    limit = int(raw)
    return limit if _RANGE.min <= limit <= _RANGE.max else None


@dataclasses.dataclass(frozen=True)
class ListPage:
    """One page as a list route answers it: its items, where the next page starts, and more of ``meta``."""

    items: Sequence[Any]
    next_after: dict[str, Any] | None = None
    meta: dict[str, Any] = dataclasses.field(default_factory=dict)

    @classmethod
    def of(cls, page: Page, *, items: Sequence[Any] | None = None, **meta: Any) -> ListPage:
        """``page`` with its items presented (``items``) and ``meta`` added."""
        return cls(page.items if items is None else items, page.next_after, meta)


def cursor_for(after: dict[str, Any] | None) -> str | None:
    """The cursor of the page after the one whose last keyset is ``after``; ``None`` on the last page."""
    return encode_cursor(after) if after else None


def page_meta(next_after: dict[str, Any] | None, **more: Any) -> dict[str, Any]:
    """A page's ``meta``: its ``next_cursor`` and ``more`` (the benefit reads add their sources and language)."""
    return {"next_cursor": cursor_for(next_after), **more}


def page_body(page: Page | ListPage) -> dict[str, Any]:
    return {"data": page.items, "meta": page_meta(page.next_after, **(page.meta if isinstance(page, ListPage) else {}))}


@functools.cache
def page_schema(item_schema: type[ma.Schema], meta_schema: type[ma.Schema] = PageMeta) -> type[ma.Schema]:
    """The ``data`` + ``meta`` schema of a page of ``item_schema`` (``DevicePage`` for ``DeviceSchema``)."""
    name = item_schema.__name__.removesuffix("Schema") + "Page"
    fields = {
        "data": ma.fields.List(ma.fields.Nested(item_schema), required=True),
        "meta": ma.fields.Nested(meta_schema, required=True),
    }
    return ma.Schema.from_dict(fields, name=name)


def shaped(view):
    """Wrap ``view`` so that the page it returns is answered as ``page_body``."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        return page_body(view(*args, **kwargs))

    return wrapper


def with_keyset(view):
    """Give ``view`` the keyset its cursor carries as ``args["after"]``."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        *leading, page_args = args
        return view(*leading, {**page_args, "after": decode_cursor(page_args["cursor"])}, **kwargs)

    return wrapper


def encode_cursor(values: dict[str, Any]) -> str:
    raw = json.dumps(values, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    """The values a cursor carries, or a problem naming ``cursor`` when it was not ours."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = parse_json(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, JsonBodyError):
        values = None
    if not isinstance(values, dict):
        raise InvalidInput("The cursor is not one this API issued.", errors={"cursor": ["Not a valid cursor."]})
    return values
