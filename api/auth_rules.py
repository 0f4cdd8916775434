"""Every route declares who may call it. ``public`` marks the few that need no token; auth decorators in
``api/auth/`` set ``auth_rule`` too, and a test fails if any registered route has no rule at all."""

from __future__ import annotations

from collections.abc import Callable

PUBLIC_ENDPOINTS = {
    "static",
    "api-docs.openapi_json",
    "docs.docs_page",
    "docs.docs_init",
    "docs.docs_redirect",
    "docs.docs_asset",
}


def mark(view: Callable, rule: str) -> Callable:
    view.auth_rule = rule
    return view


def public(view: Callable) -> Callable:
    """No token needed (health probes, sign-in, the platform's signed webhook has its own check)."""
    return mark(view, "public")


def rule_of(view: Callable) -> str | None:
    target = getattr(view, "view_class", None)
    if target is None:
        return getattr(view, "auth_rule", None)
    rules = {getattr(getattr(target, method.lower()), "auth_rule", None) for method in target.methods}
    return None if None in rules else ",".join(sorted(rules))
