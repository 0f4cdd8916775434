"""Every authenticated route documents its security scheme in the OpenAPI document."""

from __future__ import annotations

from api.auth_rules import rule_of


def test_resident_and_staff_routes_document_their_bearer_scheme(app, client):
    spec = client.get("/openapi.json").get_json()
    undocumented, checked = [], 0
    for rule in app.url_map.iter_rules():
        kind = rule_of(app.view_functions[rule.endpoint])
        if kind not in {"resident", "staff"}:
            continue
        path = rule.rule.replace("<string:", "{").replace("<", "{").replace(">", "}")
        path = "/".join(part.split(":")[-1] if part.startswith("{") else part for part in path.split("/"))
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            checked += 1
            operation = spec["paths"].get(path, {}).get(method.lower(), {})
            if {kind: []} not in operation.get("security", []):
                undocumented.append(f"{method} {rule.rule}")
    assert checked >= 6 and undocumented == []
