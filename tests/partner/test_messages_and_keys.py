"""Pure rules: filling a partner's texts, and which JWKS the hub takes."""

from __future__ import annotations

import pytest
from jwt.algorithms import ECAlgorithm

from notifications.rules import CATEGORIES as RESIDENT_CATEGORIES
from services.errors import InvalidInput
from services.partner.keys import JwksInvalid, check_jwks, find_key
from services.partner.messages import CATEGORIES, fill
from tests.partner.factories import PartnerKey


def test_placeholders_are_filled_per_locale():
    filled = fill("body", {"en": "Hi {name}", "es": "Hola {name}, {{sin}}"}, {"name": "Ana"}, 100)
    assert filled == {"en": "Hi Ana", "es": "Hola Ana, {sin}"}


@pytest.mark.parametrize(
    ("texts", "values", "field"),
    [
        ({"es": "Hola"}, {}, "body"),
        ({"en": "Hi {name"}, {}, "body.en"),
        ({"en": "Hi {name!r}"}, {"name": "x"}, "body.en"),
        ({"en": "Hi {name:>10}"}, {"name": "x"}, "body.en"),
        ({"en": "Hi {who}"}, {}, "personalisation"),
        ({"en": "{x}"}, {"x": "y" * 101}, "body.en"),
        ({"en": "ok", "EN_us": "ok"}, {}, "body.EN_us"),
    ],
)
def test_bad_texts_are_named(texts, values, field):
    with pytest.raises(InvalidInput) as refused:
        fill("body", texts, values, 100)
    assert field in refused.value.errors


def test_partner_categories_are_resident_categories_without_account():
    assert set(CATEGORIES) == set(RESIDENT_CATEGORIES) - {"account"}


def test_only_public_rs256_and_es256_keys_are_taken():
    key = PartnerKey.new()
    assert check_jwks(key.jwks)["keys"][0]["kid"] == key.kid
    assert find_key(key.jwks, key.kid, "ES256") is not None
    assert find_key(key.jwks, key.kid, "RS256") is None and find_key(key.jwks, "other", "ES256") is None
    private = ECAlgorithm.to_jwk(key.private_key, as_dict=True)
    for bad in (
        {"keys": [private]},
        {"keys": [{"kty": "oct", "k": "c2VjcmV0"}]},
        {"keys": []},
        [],
        {"keys": [{**key.jwks["keys"][0], "alg": "ES512"}]},
    ):
        with pytest.raises(JwksInvalid):
            check_jwks(bad)
