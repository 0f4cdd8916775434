"""Every shipped language says everything English says, with the same placeholders, and Spanish in one register."""

from __future__ import annotations

import re
import string
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from services.texts.catalogue import TEXTS_DIR, Catalogue, texts

SHIPPED = texts().locales()
OTHERS = [locale for locale in SHIPPED if locale != "en"]


def leaves(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every (key path, string) of a text file."""
    if isinstance(value, Mapping):
        for key, inner in value.items():
            yield from leaves(inner, (*path, key))
    else:
        yield path, value


def strings(catalogue: Catalogue, locale: str) -> dict[tuple[str, ...], Any]:
    return {
        (topic, *path): text
        for topic in catalogue.topics(locale)
        for path, text in leaves(catalogue.topic(locale, topic))
    }


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def test_english_and_spanish_ship_and_english_is_the_last_word():
    assert {"en", "es"} <= set(SHIPPED)
    assert texts().language_for("es-MX") == "es" and texts().language_for("pt-BR") == "en"
    assert texts().language_for(None) == "en"


@pytest.mark.parametrize("locale", OTHERS)
def test_every_english_text_exists_in_every_shipped_language(locale):
    """A language folder has every text; a regional one (``es-MX``) only what differs from its language's."""
    english, other = strings(texts(), "en"), strings(texts(), locale)

    if "-" not in locale:
        assert sorted(set(english) - set(other)) == []
    assert sorted(set(other) - set(english)) == []  # nor a text nobody asks for


@pytest.mark.parametrize("locale", OTHERS)
def test_every_text_takes_the_same_placeholders_in_every_language(locale):
    english, other = strings(texts(), "en"), strings(texts(), locale)

    for key, text in english.items():
        assert isinstance(text, str) and text, key
        if key in other:
            assert placeholders(other[key]) == placeholders(text), key


def test_the_guard_sees_a_missing_text(tmp_path):
    for locale, body in (("en", '{"a": {"b": "x {n}", "c": "y"}}'), ("xx", '{"a": {"b": "z {m}"}}')):
        (tmp_path / locale).mkdir()
        (tmp_path / locale / "topic.json").write_text(body)
    catalogue = Catalogue(tmp_path)

    assert set(strings(catalogue, "en")) - set(strings(catalogue, "xx")) == {("topic", "a", "c")}
    assert placeholders(strings(catalogue, "xx")[("topic", "a", "b")]) == {"m"}


# Formal ("usted") forms next to the informal ones the texts use: possessives and pronouns, and the formal
# imperative of each verb the texts tell the resident to do.
FORMAL_SPANISH = re.compile(
    r"\b(usted|ustedes|su|sus|suyo|suya|verifique|llame|envíe|abra|vuelva|comuníquese|renueve|reporte|entregue|"
    r"complétela|mire|inicie|inició|necesitará|puede usted)\b",
    re.IGNORECASE,
)


@pytest.mark.parametrize("locale", [locale for locale in SHIPPED if locale.startswith("es")])
def test_spanish_speaks_to_the_resident_as_tu_everywhere(locale):
    formal = {key: FORMAL_SPANISH.findall(text) for key, text in strings(texts(), locale).items()}

    assert {key: words for key, words in formal.items() if words} == {}
    assert FORMAL_SPANISH.search("Su identidad está verificada. Verifique su identidad.")


def test_a_read_is_answered_in_the_most_wanted_language_the_catalogue_speaks(tmp_path):
    for locale in ("en", "es", "fr"):
        (tmp_path / locale).mkdir()
    catalogue = Catalogue(tmp_path)

    assert catalogue.best_for([("fr-CA", 1.0), ("en", 0.5)]) == "fr"  # French before the English asked for less
    assert catalogue.best_for([("es-MX", 1.0), ("es", 0.9)]) == "es"
    assert catalogue.best_for([("de", 1.0), ("es", 0.3)]) == "es"
    assert catalogue.best_for([("de", 1.0), ("*", 0.5)]) is None  # then the resident's own language
    assert catalogue.best_for([("fr", 0.0), ("en", 0.2)]) == "en"  # q=0 means "not this one"
    assert Catalogue(TEXTS_DIR).best_for([("fr-CA", 1.0), ("en", 0.5)]) == "en"
