"""The one JSON parse every request body goes through: strict JSON, at most ``MAX_DEPTH`` levels deep.

Python's ``json`` recurses once per level, so ``[`` × 50,000 raised ``RecursionError`` (a 500) wherever a body
was parsed. Everything that reads a body uses ``parse``: flask-smorest arguments (``HubParser``), Flask's
``request.get_json`` (``HubJSONProvider`` + ``HubRequest``), and the hub's own cursors. Anything that is not
strict JSON (``NaN``, a 5,000-digit number, bytes that are not UTF-8) or nests deeper than ``MAX_DEPTH`` is a
400 problem naming ``body``. 64 levels is far more than any hub body or agency document needs (a FHIR bundle is
about ten) and far less than the interpreter's stack.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Request
from flask.json.provider import DefaultJSONProvider
from webargs import core
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import BadRequest

MAX_DEPTH = 64
TOO_DEEP = f"The body is too deeply nested (at most {MAX_DEPTH} levels)."
NOT_JSON = "The body is not valid JSON."


class JsonBodyError(ValueError):
    """A body that is not strict JSON, or nests too deeply (a ``ValueError``, so ``get_json(silent=True)``
    and every other ``except ValueError`` treat it as unreadable)."""


class BadJsonBody(BadRequest):
    """The 400 a caller gets for a body ``parse`` refused; ``problems`` turns it into a problem naming ``body``."""

    def __init__(self, detail: str) -> None:
        super().__init__(description=detail)
        self.problem_detail = detail
        self.data = {"messages": {"body": [detail]}}


def _refuse_constant(name: str) -> Any:
    raise JsonBodyError(f"{NOT_JSON} ({name} is not JSON)")


def parse(raw: bytes | str) -> Any:
    """The value of ``raw``, or ``JsonBodyError`` saying why it is refused."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes | bytearray) else raw
        value = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise JsonBodyError(TOO_DEEP) from None
    except JsonBodyError:
        raise
    except (ValueError, TypeError):  # JSONDecodeError, UnicodeDecodeError, int() past its digit limit
        raise JsonBodyError(NOT_JSON) from None
    if _opened(text) > MAX_DEPTH and depth(value) > MAX_DEPTH:
        raise JsonBodyError(TOO_DEEP)
    return value


def _opened(text: str) -> int:
    """An upper bound on the depth, cheap enough for every body (counting brackets, strings included)."""
    return text.count("[") + text.count("{")


def depth(value: Any) -> int:
    """How deeply ``value`` nests (a scalar is 0, ``[]`` is 1), walked without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        if level > MAX_DEPTH:
            return level
        stack.extend((child, level + 1) for child in children)
    return deepest


class HubJSONProvider(DefaultJSONProvider):
    """``request.get_json()`` and ``flask.json.loads`` parse with ``parse`` too."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return parse(s)


class HubRequest(Request):
    """A body ``get_json`` refused is the same 400 problem as anywhere else, saying why."""

    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        if isinstance(e, JsonBodyError):
            raise BadJsonBody(str(e)) from e
        return super().on_json_loading_failed(e)


class HubParser(FlaskParser):
    """The webargs parser of every flask-smorest argument: bodies go through ``parse``."""

    def _raw_load_json(self, req: Request) -> Any:
        if not core.is_json(req.mimetype):
            return core.missing
        try:
            return parse(req.get_data(cache=True))
        except JsonBodyError as error:
            raise BadJsonBody(str(error)) from None
