"""The catalogue of resident-facing text: ``services/texts/<locale>/<topic>.json``, looked up with locale fallback.

A folder per language, named by its tag (``en``, ``es``, ``es-MX``); a file per topic (message templates per
notification category, program names, statuses, status reasons, identity, the access log, the generic lock-screen
text). A lookup tries the most specific locale first and ends in English: ``es-MX → es → en``, so a regional
folder holds only what differs. The files ship with the code and change only with a deploy, so each is read once.

One catalogue serves the process (``texts()``), like Babel's own locale data: the text is part of the program, not
a collaborator that differs between hubs. ``use_catalogue`` points the process at another folder for a while: how
a test proves that adding a language is adding a folder, and how a translator previews one before it ships.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import re
import threading
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

TEXTS_DIR = Path(__file__).resolve().parent
DEFAULT_LOCALE = "en"
_TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


class MissingText(LookupError):
    """No locale in the fallback chain, not even English, has this text."""


@dataclasses.dataclass(frozen=True)
class Found:
    """A value of the catalogue and the locale whose folder it came from."""

    locale: str
    value: Any


def normalize_locale(locale: str | None) -> str:
    """``es_mx`` / ``ES-mx`` → ``es-MX``; empty → the default locale."""
    if not locale:
        return DEFAULT_LOCALE
    parts = locale.replace("_", "-").split("-")
    language = parts[0].lower()
    region = [part.upper() if len(part) == 2 else part for part in parts[1:] if part]
    return "-".join([language, *region])


def locale_chain(locale: str | None) -> tuple[str, ...]:
    """The locales to try, most specific first: ``es-MX`` → ``("es-MX", "es", "en")``."""
    parts = normalize_locale(locale).split("-")
    chain = ["-".join(parts[:size]) for size in range(len(parts), 0, -1)]
    if DEFAULT_LOCALE not in chain:
        chain.append(DEFAULT_LOCALE)
    return tuple(chain)


def language_of(locale: str) -> str:
    return normalize_locale(locale).split("-")[0]


class Catalogue:
    """The text files under one root (a folder per locale), read lazily and kept."""

    def __init__(self, root: Path = TEXTS_DIR) -> None:
        self.root = Path(root)
        self._files: dict[tuple[str, str], dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._locales: tuple[str, ...] | None = None

    def locales(self) -> tuple[str, ...]:
        """The locales with a folder, e.g. ``("en", "es")``: listed once per catalogue (every read asks; a folder
        added later is seen by the next process, i.e. the next release)."""
        if self._locales is None:
            found = (path.name for path in self.root.iterdir() if path.is_dir() and _TAG.match(path.name))
            self._locales = tuple(sorted(found))
        return self._locales

    def topics(self, locale: str) -> tuple[str, ...]:
        """The files of one locale's folder, by topic name (``status``, ``programs``, ``access_log``…)."""
        return tuple(sorted(path.stem for path in (self.root / locale).glob("*.json")))

    def topic(self, locale: str, name: str) -> Mapping[str, Any]:
        """One file of one locale's folder as it is (empty when the folder has no such file), without fallback."""
        key = (locale, name)
        if key not in self._files:
            path = self.root / locale / f"{name}.json"
            content = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
            with self._lock:
                self._files[key] = content
        return self._files[key]

    def lookup(self, locale: str | None, topic: str, *path: str) -> Found | None:
        """The value at ``path`` in ``topic``, from the first locale of the chain that has it."""
        for candidate in locale_chain(locale):
            value: Any = self.topic(candidate, topic)
            for step in path:
                value = value.get(step) if isinstance(value, Mapping) else None
            if value is not None:
                return Found(candidate, value)
        return None

    def text(self, locale: str | None, topic: str, *path: str) -> str:
        """A string of the catalogue; one missing in every locale of the chain is a bug in the files."""
        found = self.lookup(locale, topic, *path)
        if found is None or not isinstance(found.value, str):
            raise MissingText(f"no text {topic}:{'.'.join(path)} for {locale!r}")
        return found.value

    def best_for(self, accepted: Iterable[tuple[str, float]]) -> str | None:
        """The locale to answer an ``Accept-Language`` list of (tag, quality) in, most wanted first. A tag falls back
        within its own language only (``fr-CA`` → ``fr``, before an ``en;q=0.5`` further down); ``*`` and tags of
        languages without a folder say nothing (None), so the caller answers in the resident's own language."""
        available = set(self.locales())
        for tag, quality in sorted(accepted, key=lambda item: -item[1]):
            if quality <= 0 or tag == "*":
                continue
            language = language_of(tag)
            for candidate in locale_chain(tag):
                if language_of(candidate) == language and candidate in available:
                    return candidate
        return None

    def language_for(self, locale: str | None) -> str:
        """The most specific locale of the chain that has a folder: what a resident's language is stored as."""
        available = set(self.locales())
        return next((candidate for candidate in locale_chain(locale) if candidate in available), DEFAULT_LOCALE)


_current = Catalogue()
_swap = threading.Lock()


def texts() -> Catalogue:
    """The catalogue this process answers residents from: the shipped folders, unless ``use_catalogue`` says else."""
    return _current


@contextlib.contextmanager
def use_catalogue(catalogue: Catalogue) -> Iterator[Catalogue]:
    """Answer from ``catalogue`` inside the block (every thread of the process), then from the previous one."""
    global _current
    with _swap:
        previous, _current = _current, catalogue
    try:
        yield catalogue
    finally:
        with _swap:
            _current = previous
