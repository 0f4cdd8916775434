"""The words for the hub's codes: every status reason an adapter can give has plain language in every language."""

from __future__ import annotations

import pytest

from services.platform.status_reasons import OTHER, REASON_CODES, reason_code
from services.texts.catalogue import texts
from services.texts.words import status_reason


@pytest.mark.parametrize("locale", texts().locales())
def test_every_reason_code_has_its_own_words_in_every_language(locale):
    missing = sorted(code for code in REASON_CODES if texts().lookup(locale, "status_reasons", code) is None)
    assert missing == []
    assert set(texts().topic(locale, "status_reasons")) == REASON_CODES  # nothing unused either


def test_a_reason_is_told_in_the_readers_language_and_an_unknown_one_is_left_to_the_status():
    code = reason_code("Household income is over the limit.")

    assert status_reason(code, "en") == "Your household income is over the program's limit."
    assert status_reason(code, "es-MX") == "Los ingresos de tu hogar superan el límite del programa."
    assert status_reason(code, "fr") == status_reason(code, "en")
    assert reason_code("A wording no agency used before") == OTHER and status_reason(OTHER, "es") is None
    assert status_reason(None, "es") is None
