"""Pure: the platform's HMAC event signature, its window and its rotation."""

from __future__ import annotations

import pytest

from services.platform.signatures import BadSignature, sign, verify

BODY = b'{"event_id":"evt_1"}'


def test_a_fresh_correct_signature_passes():
    verify("s3cret", "1000", sign("s3cret", 1000, BODY), BODY, now=1100, window=300)


@pytest.mark.parametrize(
    ("timestamp", "signature", "body", "now"),
    [
        ("1000", sign("other", 1000, BODY), BODY, 1000),  # wrong secret
        ("1000", sign("s3cret", 1000, BODY), BODY + b" ", 1000),  # body changed
        ("1001", sign("s3cret", 1000, BODY), BODY, 1001),  # timestamp changed
        ("1000", sign("s3cret", 1000, BODY), BODY, 1301),  # replayed after the window
        ("1000", sign("s3cret", 1000, BODY), BODY, 699),  # from the future
        ("", sign("s3cret", 1000, BODY), BODY, 1000),
        ("1000", None, BODY, 1000),
        ("abc", "v1=00", BODY, 1000),
    ],
)
def test_anything_else_is_refused(timestamp, signature, body, now):
    with pytest.raises(BadSignature):
        verify("s3cret", timestamp, signature, body, now=now, window=300)


def test_several_signatures_during_secret_rotation():
    both = sign("old", 1000, BODY) + ", " + sign("s3cret", 1000, BODY)
    verify("s3cret", "1000", both, BODY, now=1000, window=300)
