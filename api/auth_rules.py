"""Who may call each route, declared once per route: an ``AuthRule`` enforces, documents and marks.

A route declares its rule with one blueprint method (``@blp.resident()``, ``@blp.staff(PERMISSION)``,
``@blp.signed_in()``, ``@blp.platform_signed()``, ``@blp.public()``; admin routes ``@blp.staff_access(...)``),
anywhere in its decorator stack. ``api.extension.Blueprint.route`` then applies the rule outermost, so the check
runs before rate limits, idempotency and body parsing whatever the order of the decorators (an anonymous caller
gets a 401, never a 422 describing the route's fields), and writes its security scheme and responses into the
OpenAPI document. A route with no rule, or with two, fails when it is registered; ``rule_of`` is what the
route-walk test (``tests/test_route_auth_rules.py``) reads.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

PUBLIC_ENDPOINTS = {"static", "api-docs.openapi_json", "docs.docs_page", "docs.docs_init", "docs.docs_asset"}
DECLARED = "hub_auth"  # the attribute a declaration leaves on the view until its route applies it


@dataclasses.dataclass(frozen=True)
class AuthRule:
    """One way of being allowed to call a route."""

    name: str  # what the route walk reads: resident | staff | signed_in | platform-signature | public
    enforce: Callable[[Callable], Callable]  # wraps a view with the check (and marks it with ``name``)
    security: tuple[str, ...] = ()  # the OpenAPI security schemes, any one of which is accepted
    responses: tuple[tuple[int, str], ...] = ()  # the statuses the check itself can answer, in words

    def doc(self) -> dict[str, Any]:
        """The rule's part of the OpenAPI operation."""
        doc: dict[str, Any] = {}
        if self.security:
            doc["security"] = [{scheme: []} for scheme in self.security]
        if self.responses:
            doc["responses"] = {str(status): response_doc(words) for status, words in self.responses}
        return doc


def response_doc(description: str) -> dict[str, Any]:
    """How an error the auth rules answer is documented: the one place a problem schema would be added."""
    return {"description": description}


def mark(view: Callable, rule: str) -> Callable:
    view.auth_rule = rule
    return view


def declare(rule: AuthRule) -> Callable[[Callable], Callable]:
    """Leave ``rule`` on the view for its ``Blueprint.route`` to apply; a second rule on one route is an error."""

    def decorator(view: Callable) -> Callable:
        if getattr(view, DECLARED, None) is not None:
            raise TypeError(f"{view.__name__} declares two auth rules ({getattr(view, DECLARED).name}, {rule.name})")
        setattr(view, DECLARED, rule)
        return view

    return decorator


def declared_rule(view: Callable) -> AuthRule | None:
    return getattr(view, DECLARED, None)


PUBLIC = AuthRule("public", lambda view: mark(view, "public"))

public = declare(PUBLIC)
"""No token needed (health probes, sign-in, the hub's keys). Same as ``@blp.public()``."""


def rule_of(view: Callable) -> str | None:
    target = getattr(view, "view_class", None)
    if target is None:
        return getattr(view, "auth_rule", None)
    rules = {getattr(getattr(target, method.lower()), "auth_rule", None) for method in target.methods}
    return None if None in rules else ",".join(sorted(rules))
