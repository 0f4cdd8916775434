"""The partner routes are in the OpenAPI document with their scheme, bodies, scopes' refusals and limits."""

from __future__ import annotations


def test_partner_operations_are_documented(client):
    document = client.get("/openapi.json").get_json()
    assert document["components"]["securitySchemes"]["partner"]["scheme"] == "bearer"
    send = document["paths"]["/v1/partner/notifications"]["post"]
    assert send["security"] == [{"partner": []}]
    assert {"202", "401", "403", "404", "409", "429"} <= set(send["responses"])
    assert "Idempotency-Key" in [parameter["name"] for parameter in send["parameters"]]
    for path, method in [
        ("/v1/partner/notifications", "get"),
        ("/v1/partner/notifications/{notification_id}", "get"),
        ("/v1/partner/events", "post"),
    ]:
        assert document["paths"][path][method]["security"] == [{"partner": []}], path
    token = document["components"]["schemas"]["TokenRequest"]["properties"]
    assert {"client_assertion", "client_assertion_type", "scope"} <= set(token)
    admin = document["paths"]["/v1/admin/partner-apps/{client_id}/suspend"]["post"]
    assert admin["security"] == [{"staff": []}]
