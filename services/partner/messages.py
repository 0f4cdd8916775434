"""What a partner may say to a resident: per-locale title and body (``en`` required), ``{placeholders}`` filled
from ``personalisation``, in a category residents can switch off. Pure, so the rules are tested without HTTP.

Decision: partners write in the program categories (``status``, ``documents``, ``interviews``, ``renewals``,
``notices``, ``payments``), never ``account``, which is the hub's own channel for security messages (a case linked
elsewhere): a resident must be able to trust that an account message comes from the hub itself.
Placeholders are plain names (``{first_name}``); a placeholder with no value, or one with an attribute, index or
format spec, is refused with a 422 naming the text, so nothing half-filled reaches a resident.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping

from services.errors import InvalidInput

CATEGORIES = ("status", "documents", "interviews", "renewals", "notices", "payments")
LOCALE = re.compile(r"^[a-z]{2,3}(-[A-Z][A-Za-z]{1,3})?$")
MAX_TITLE = 200
MAX_BODY = 2000
MAX_LOCALES = 10
MAX_PERSONALISATION = 30
MAX_VALUE = 500
_PLACEHOLDER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


def fill(field: str, texts: Mapping[str, str], values: Mapping[str, object], limit: int) -> dict[str, str]:
    """``texts`` by locale with every placeholder filled from ``values``; errors name ``field.<locale>``."""
    if "en" not in texts:
        raise InvalidInput(f"{field} needs an English text (en).", errors={field: ["'en' is required."]})
    if len(texts) > MAX_LOCALES:
        raise InvalidInput(f"At most {MAX_LOCALES} languages.", errors={field: [f"At most {MAX_LOCALES} locales."]})
    filled = {}
    for locale, text in texts.items():
        name = f"{field}.{locale}"
        if not LOCALE.match(locale):
            raise InvalidInput(f"{locale!r} is not a language tag.", errors={name: ["A tag like 'en' or 'es-MX'."]})
        filled[locale] = _fill_one(name, text, values)
        if not filled[locale].strip() or len(filled[locale]) > limit:
            raise InvalidInput(
                f"{name} must be 1 to {limit} characters once filled in.", errors={name: [f"1 to {limit} characters."]}
            )
    return filled


def _fill_one(name: str, text: str, values: Mapping[str, object]) -> str:
    out = []
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        raise InvalidInput(f"{name} has an unmatched brace.", errors={name: ["Write {{ and }} for braces."]}) from None
    for literal, field_name, spec, conversion in parsed:
        out.append(literal)
        if field_name is None:
            continue
        if not _PLACEHOLDER.match(field_name) or spec or conversion:
            raise InvalidInput(f"{name} has a placeholder that is not a plain name.", errors={name: ["{name} only."]})
        if field_name not in values:
            raise InvalidInput(
                f"{name} needs personalisation.{field_name}.", errors={"personalisation": [f"Missing {field_name}."]}
            )
        out.append(str(values[field_name]))
    return "".join(out)


def check_personalisation(values: Mapping[str, object] | None) -> dict[str, object]:
    values = dict(values or {})
    if len(values) > MAX_PERSONALISATION:
        raise InvalidInput("Too many personalisation values.", errors={"personalisation": ["At most 30."]})
    for key, value in values.items():
        if not _PLACEHOLDER.match(key):
            raise InvalidInput("A personalisation key is a plain name.", errors={f"personalisation.{key}": ["Name."]})
        if not isinstance(value, str | int | float) or isinstance(value, bool) or len(str(value)) > MAX_VALUE:
            raise InvalidInput(
                "Personalisation values are strings or numbers of at most 500 characters.",
                errors={f"personalisation.{key}": ["A string or number, at most 500 characters."]},
            )
    return values
