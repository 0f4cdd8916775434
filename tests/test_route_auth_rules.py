"""Every registered route has an authentication rule or is explicitly public."""

from __future__ import annotations

from api.auth_rules import PUBLIC_ENDPOINTS, rule_of


def test_every_route_declares_who_may_call_it(app):
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        if rule_of(app.view_functions[rule.endpoint]) is None:
            missing.append(rule.rule)
    assert missing == [], f"routes with no auth rule: {missing}"
