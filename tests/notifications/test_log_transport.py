"""The embedded default logs pushes: enough to follow a message, nothing that identifies the resident."""

from __future__ import annotations

import logging

from notifications.transports import PushMessage, PushResult, transport_from_settings
from notifications.transports.log import LogTransport, token_fingerprint


def test_each_push_is_logged_as_one_json_line_without_token_or_text(caplog):
    message = PushMessage(
        token="secret-device-token-123",
        title="SNAP payment sent",
        body="$123.45 was issued",
        data={"message_id": "msg-9", "category": "payments", "case": "C-1234"},
        urgent=True,
    )

    with caplog.at_level(logging.INFO, logger="notifications.push"):
        [result] = LogTransport().send([message])

    assert result.ok and result.provider_message_id.startswith("log/")
    [record] = caplog.records
    assert record.getMessage() == "push logged"
    fields = ("event", "provider_message_id", "token_hash", "urgent", "message_id", "category")
    line = {key: getattr(record, key) for key in fields if hasattr(record, key)}
    assert line == {
        "event": "push.logged",
        "provider_message_id": result.provider_message_id,
        "token_hash": token_fingerprint("secret-device-token-123"),
        "urgent": True,
        "message_id": "msg-9",
        "category": "payments",
    }
    logged = record.getMessage() + repr(vars(record))
    for secret in ("secret-device-token-123", "SNAP", "123.45", "C-1234"):
        assert secret not in logged


def test_every_message_gets_its_own_id_in_order():
    results = LogTransport().send([PushMessage(f"t{i}", "t", "b") for i in range(3)])

    assert [r.outcome for r in results] == ["sent"] * 3
    assert len({r.provider_message_id for r in results}) == 3
    assert LogTransport().send([]) == []


def test_without_firebase_credentials_the_hub_logs_pushes():
    from config import Settings

    assert isinstance(transport_from_settings(Settings.from_env({})), LogTransport)


def test_a_result_only_takes_known_outcomes():
    import pytest

    with pytest.raises(ValueError):
        PushResult("maybe")
    assert not PushResult("retryable", error_code="UNAVAILABLE").ok
