"""Schemas described exactly as they are validated.

A ``Dict`` field whose keys the hub checks itself (``metadata={"closed_keys": (...)}``: notification
categories) is documented as an object with exactly those properties, not as an open map.

apispec writes a nullable nested schema in OpenAPI 3.0 as ``anyOf: [{type: object, nullable: true}, {$ref}]``,
whose first branch is *any* object: ``quiet_hours: {"start": 1}`` looked valid in the document, and the hub
refuses it. The null branch here admits ``null`` only (``enum: [null]``), so the field is exactly "this schema,
or null".
"""

from __future__ import annotations

from typing import Any

NULL_ONLY = {"type": "object", "nullable": True, "enum": [None]}
_OPEN_NULLABLE = {"type": "object", "nullable": True}


def close_nullable_objects(node: Any) -> None:
    """Rewrite every open nullable branch of an ``anyOf`` under ``node`` (in place) to admit null only."""
    if isinstance(node, dict):
        branches = node.get("anyOf")
        if isinstance(branches, list):
            node["anyOf"] = [dict(NULL_ONLY) if branch == _OPEN_NULLABLE else branch for branch in branches]
        for value in node.values():
            close_nullable_objects(value)
    elif isinstance(node, list):
        for value in node:
            close_nullable_objects(value)


def closed_keys2properties(self, field, ret=None, **kwargs) -> dict:
    """apispec attribute function (runs after its own Dict conversion): a map of known keys is a closed object."""
    keys = field.metadata.get("closed_keys")
    if not keys:
        return {}
    values = (ret or {}).get("additionalProperties", {})
    return {"properties": {key: values for key in keys}, "additionalProperties": False}
