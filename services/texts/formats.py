"""Money, dates, times and lists as each language writes them: CLDR's data through Babel, never by hand.

Decision: a language is formatted as it is written in the United States when CLDR has that variant, else as CLDR
writes the language itself, and a region in the resident's tag does not change it. The hub serves residents of
one state, whose amounts are dollars and whose deadlines come on American letters, so Spanish is ``es_US``
("$1,234.50", "2 de marzo de 2026", "2:05 p.m.") rather than ``es`` ("1234,50 US$", "14:05"), English ``en_US``
("$1,234.50", "March 2, 2026", "2:05 PM"), and a language CLDR has no US variant of, e.g. French, its own
("2 mars 2026", "14:05"). A date is CLDR's long date; a time its short time; a date with a time CLDR's pattern
joining the two ("March 2, 2026, 2:05 PM"), which is grammatical in every language where "at" is not ("a las
1:05" is wrong in Spanish). Babel writes what CLDR says, including its spaces (a narrow no-break space before
"PM", a no-break one inside "1 234,50 $US").
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from decimal import Decimal

from babel import Locale, UnknownLocaleError, dates, lists, numbers

from services.texts.catalogue import language_of, normalize_locale

STATE_TERRITORY = "US"
_FALLBACK = "en_US"


@functools.lru_cache(maxsize=64)
def babel_locale(locale: str | None) -> Locale:
    """The CLDR locale a catalogue locale is formatted in (see the module's decision): ``es-MX`` → ``es_US``."""
    tag = normalize_locale(locale)
    language = language_of(tag)
    script = next((part for part in tag.split("-")[1:] if len(part) == 4), None)
    base = f"{language}_{script}" if script else language
    for identifier in (f"{base}_{STATE_TERRITORY}", base):
        try:
            return Locale.parse(identifier)
        except (UnknownLocaleError, ValueError):
            continue
    return Locale.parse(_FALLBACK)


def format_money(cents: int, locale: str | None, currency: str = "USD") -> str:
    """Whole cents in the currency's own style: ``123450`` → ``$1,234.50`` (en), ``-2550`` → ``-$25.50``."""
    return numbers.format_currency(Decimal(int(cents)).scaleb(-2), currency.upper(), locale=babel_locale(locale))


def format_date(value: dt.date | str, locale: str | None) -> str:
    """A calendar date in words: ``March 2, 2026``, ``2 de marzo de 2026``."""
    return dates.format_date(_as_date(value), format="long", locale=babel_locale(locale))


def format_wall_clock(value: dt.datetime | str, locale: str | None) -> str:
    """A date and time as written, in no particular zone: an appointment keeps the agency's local time."""
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    return _date_and_time(moment.replace(tzinfo=None), locale)


def format_moment(value: dt.datetime, locale: str | None, zone: dt.tzinfo) -> str:
    """An instant as the clock on the reader's wall showed it: UTC 14:05 → ``March 2, 2026, 8:05 AM`` in Chicago."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    return _date_and_time(aware.astimezone(zone).replace(tzinfo=None), locale)


def format_list(items: Sequence[str], locale: str | None) -> str:
    """``DHS and HFS``, ``DHS y HFS``."""
    return lists.format_list(list(items), locale=babel_locale(locale))


def _date_and_time(moment: dt.datetime, locale: str | None) -> str:
    cldr = babel_locale(locale)
    pattern = dates.get_datetime_format("long", locale=cldr)
    date_text = dates.format_date(moment.date(), format="long", locale=cldr)
    time_text = dates.format_time(moment, format="short", locale=cldr)
    return pattern.replace("'", "").replace("{1}", date_text).replace("{0}", time_text)


def _as_date(value: dt.date | str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value[:10])
