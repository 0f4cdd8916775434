"""``flask apps add-partner`` prints the client id and, once, the callback secret; refusals change nothing."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from services.models.audit import AuditEvent
from services.models.partners import PartnerApp
from tests.partner.factories import PartnerKey, token_for


def test_add_partner_registers_an_app_that_can_get_a_token(app, client, hub, tmp_path, db_session):
    key = PartnerKey.new()
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(key.jwks))
    result = app.test_cli_runner().invoke(
        args=[
            "apps",
            "add-partner",
            "--agency", "DHS",
            "--name", "DHS case alerts",
            "--jwks-file", str(jwks),
            "--scopes", "notifications:send,notifications:read",
            "--callback-url", "https://dhs.example/hub-callbacks",
        ]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = dict(line.split(": ", 1) for line in result.output.splitlines() if ": " in line)
    client_id, secret = lines["client_id"], lines["callback_secret"]
    assert client_id.startswith("dhs-dhs-case-alerts-") and len(secret) >= 32
    row = db_session.get(PartnerApp, client_id)
    assert row.scopes == ["notifications:send", "notifications:read"] and secret not in str(
        row.callback_secret_encrypted
    )
    assert hub.field_cipher.decrypt(row.callback_secret_encrypted) == secret
    assert (
        db_session.scalar(select(AuditEvent.action).where(AuditEvent.actor_kind == "system")) == "partner_app.register"
    )
    assert token_for(client, client_id, key, scope="notifications:read")


def test_add_partner_refuses_bad_scopes_and_private_keys(app, tmp_path, db_session):
    private = tmp_path / "private.json"
    from jwt.algorithms import ECAlgorithm

    private.write_text(json.dumps({"keys": [ECAlgorithm.to_jwk(PartnerKey.new().private_key, as_dict=True)]}))
    runner = app.test_cli_runner()
    bad_scope = runner.invoke(
        args=[
            "apps",
            "add-partner",
            "--agency",
            "DHS",
            "--name",
            "x",
            "--jwks-file",
            str(private),
            "--scopes",
            "everything",
        ]
    )
    assert bad_scope.exit_code != 0
    bad_key = runner.invoke(
        args=[
            "apps",
            "add-partner",
            "--agency",
            "DHS",
            "--name",
            "x",
            "--jwks-file",
            str(private),
            "--scopes",
            "events:write",
        ]
    )
    assert bad_key.exit_code != 0 and "private" in bad_key.output
    assert db_session.scalar(select(func.count()).select_from(PartnerApp)) == 0
