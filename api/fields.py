"""The string fields every input schema uses: text that can be stored, logged by id and sent on.

JSON can carry ``"\\ud800"``: a lone UTF-16 surrogate, which is no character at all. Python keeps it in a
``str`` until something encodes it (the database driver, httpx, hmac), and then it was a 500, or a 503 saying
the identity provider did not answer. NUL is refused too (PostgreSQL text cannot hold it). Both are refused
once, here, with a 422 naming the field; ``tests/api/test_input_fields.py`` walks every route's argument
schemas and fails if any string reaches a route through a plain marshmallow ``String`` (or ``Email``, ``Url``,
``Raw``…).
"""

from __future__ import annotations

import re
from typing import Any

import marshmallow as ma

UNSAFE_TEXT = re.compile("[\x00\ud800-\udfff]")
UNSAFE_MESSAGE = "Contains a character that is not allowed (NUL or an unpaired surrogate)."


def has_unsafe_text(value: str) -> bool:
    return UNSAFE_TEXT.search(value) is not None


class Text(ma.fields.String):
    """A string of real characters (``UNSAFE_TEXT`` refused); validators as for ``String``."""

    default_error_messages = {"unsafe": UNSAFE_MESSAGE}

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if has_unsafe_text(text):
            raise self.make_error("unsafe")
        return text


class JsonDocument(ma.fields.Raw):
    """Any JSON value taken as it came (an agency's document), with every string and key in it ``Text``."""

    default_error_messages = {"unsafe": UNSAFE_MESSAGE}

    def _deserialize(self, value, attr, data, **kwargs) -> Any:
        stack = [value]
        while stack:  # iterative: the body parse already bounds the depth, this keeps the stack flat anyway
            item = stack.pop()
            if isinstance(item, str):
                if has_unsafe_text(item):
                    raise self.make_error("unsafe")
            elif isinstance(item, dict):
                stack.extend(item.keys())
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)
        return value
