"""Formats are CLDR's through Babel, chosen once: a language as it is written in the US where CLDR has that."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from services.texts.formats import babel_locale, format_date, format_list, format_moment, format_money


@pytest.mark.parametrize(
    ("tag", "cldr"),
    [("en", "en_US"), ("es", "es_US"), ("es-MX", "es_US"), ("fr", "fr"), ("zh-Hant", "zh_Hant"), ("xx", "en_US")],
)
def test_the_state_formats_a_language_as_it_is_written_in_the_us(tag, cldr):
    assert str(babel_locale(tag)) == cldr


def test_us_english_and_us_spanish_agree_on_money_and_differ_in_words():
    assert (format_money(123450, "en"), format_money(123450, "es")) == ("$1,234.50", "$1,234.50")
    assert (format_date("2026-03-02", "en"), format_date(dt.date(2026, 3, 2), "es")) == (
        "March 2, 2026",
        "2 de marzo de 2026",
    )
    assert format_list(["DHS", "HFS", "DEC"], "en") == "DHS, HFS, and DEC"
    assert format_list(["DHS", "HFS"], "es") == "DHS y HFS"


def test_a_moment_is_written_on_the_readers_clock():
    moment = dt.datetime(2026, 3, 2, 4, 30, tzinfo=dt.UTC)

    assert format_moment(moment, "en", ZoneInfo("America/Chicago")) == "March 1, 2026, 10:30\u202fPM"  # the day before
    assert format_moment(moment, "en", ZoneInfo("Asia/Tokyo")) == "March 2, 2026, 1:30\u202fPM"
    assert format_moment(moment.replace(tzinfo=None), "fr", ZoneInfo("Europe/Paris")) == "2 mars 2026, 05:30"
