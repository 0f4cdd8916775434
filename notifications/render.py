"""Pure rendering of messages in the resident's language, from the JSON files under ``notifications/templates/``.

Layout: ``templates/<locale>/<category>.json`` maps a template name to ``inbox`` and ``push`` texts (and an
optional ``push_private``); ``common.json`` holds the locale's generic lock-screen text and its date and amount
formats; ``programs.json`` and ``statuses.json`` hold program display names and plain-language statuses.
Adding a language is adding a folder; anything missing falls back along ``es-MX → es → en``.

Privacy: the lock-screen text is the ``push`` text only with ``detailed_previews``; otherwise it is the
``push_private`` text, rendered with no parameters at all, so it cannot carry a program, amount or case number.
The inbox text is rendered once, when the message is written; the lock-screen text is rendered again for every
push, when it is sent (``render_push_text``), so it follows the resident's settings of that moment.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
DEFAULT_LOCALE = "en"


class TemplateError(LookupError):
    """A template is missing, or needs a parameter the message does not have."""


@dataclasses.dataclass(frozen=True)
class RenderedMessage:
    """The inbox text and the lock-screen text of one message, and the locale they were rendered in."""

    locale: str
    inbox_title: str
    inbox_body: str
    push_title: str
    push_body: str


@dataclasses.dataclass(frozen=True)
class PushText:
    """The lock-screen text of one push, and the locale it was rendered in."""

    locale: str
    title: str
    body: str


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


class TemplateCatalog:
    """The template files under one root, read lazily and kept (they change only with a deploy)."""

    def __init__(self, root: Path = TEMPLATES_DIR) -> None:
        self.root = Path(root)
        self._files: dict[tuple[str, str], dict[str, Any]] = {}
        self._lock = threading.Lock()

    def locales(self) -> tuple[str, ...]:
        return tuple(sorted(path.name for path in self.root.iterdir() if path.is_dir()))

    def _file(self, locale: str, name: str) -> dict[str, Any]:
        key = (locale, name)
        if key not in self._files:
            path = self.root / locale / f"{name}.json"
            content = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
            with self._lock:
                self._files[key] = content
        return self._files[key]

    def _lookup(self, locale: str | None, name: str, key: str) -> tuple[str, Any] | None:
        for candidate in locale_chain(locale):
            value = self._file(candidate, name).get(key)
            if value is not None:
                return candidate, value
        return None

    # -- words and formats -----------------------------------------------------------------------------------
    def program_name(self, code: str, locale: str | None) -> str:
        """The program's display name in the locale; an unknown code is shown as the code."""
        found = self._lookup(locale, "programs", code.upper())
        return found[1] if found else code

    def status_label(self, status: str, locale: str | None) -> str:
        found = self._lookup(locale, "statuses", status)
        return found[1]["label"] if found else status

    def status_explanation(self, status: str, locale: str | None) -> str:
        """What the status means for the resident, in plain language."""
        found = self._lookup(locale, "statuses", status)
        return found[1]["reason"] if found else ""

    def _formats(self, locale: str | None) -> dict[str, Any]:
        found = self._lookup(locale, "common", "formats")
        if found is None:
            raise TemplateError(f"no formats for {locale!r}")
        return found[1]

    def format_amount(self, cents: int, locale: str | None, currency: str = "USD") -> str:
        formats = self._formats(locale)
        whole, fraction = divmod(abs(int(cents)), 100)
        number = f"{whole:,}".replace(",", formats["group_separator"]) + f"{formats['decimal_separator']}{fraction:02d}"
        pattern = formats["currency"].get(currency.upper(), "{amount} " + currency.upper())
        return ("-" if cents < 0 else "") + pattern.replace("{amount}", number)

    def format_date(self, value: dt.date | str, locale: str | None) -> str:
        formats = self._formats(locale)
        day = _as_date(value)
        return formats["date"].format(month=formats["months"][day.month - 1], day=day.day, year=day.year)

    def format_datetime(self, value: dt.datetime | str, locale: str | None) -> str:
        """Date and wall-clock time as given (an appointment keeps the agency's local time)."""
        formats = self._formats(locale)
        moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
        if formats["time"] == "12h":
            hour = moment.hour % 12 or 12
            time_text = f"{hour}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"
        else:
            time_text = f"{moment.hour:02d}:{moment.minute:02d}"
        return formats["datetime"].format(date=self.format_date(moment.date(), locale), time=time_text)

    # -- messages --------------------------------------------------------------------------------------------
    def render(
        self, template_key: str, params: Mapping[str, Any], locale: str | None, *, detailed_previews: bool = False
    ) -> RenderedMessage:
        """Render ``<category>.<name>`` (e.g. ``documents.reminder_1``) in the best locale available."""
        used, template, values = self._prepare(template_key, params, locale)
        inbox_title = _fill(template["inbox"]["title"], values, template_key, used)
        inbox_body = _fill(template["inbox"]["body"], values, template_key, used)
        push = self._lock_screen(template, values, template_key, used, detailed_previews)
        return RenderedMessage(used, inbox_title, inbox_body, push.title, push.body)

    def render_push_text(
        self,
        template_key: str,
        params: Mapping[str, Any] | None,
        locale: str | None,
        *,
        detailed_previews: bool = False,
    ) -> PushText:
        """Only the lock-screen text, as the sender renders it for each push. ``params=None`` (a message whose
        raw values were never kept) always gives the private text, which needs none."""
        used, template, values = self._prepare(template_key, params or {}, locale)
        return self._lock_screen(template, values, template_key, used, detailed_previews and params is not None)

    def _prepare(
        self, template_key: str, params: Mapping[str, Any], locale: str | None
    ) -> tuple[str, dict[str, Any], dict[str, Any]]:
        category, _, name = template_key.partition(".")
        found = self._lookup(locale, category, name)
        if found is None:
            raise TemplateError(f"no template {template_key!r} for {locale!r}")
        used, template = found
        # Words and formats follow the resident's own locale (es-MX program names inside an es template), unless
        # the template fell back to another language: then they follow the template, so a sentence is one language.
        wanted = normalize_locale(locale)
        values = self._values(params, wanted if wanted.split("-")[0] == used.split("-")[0] else used)
        return used, template, values

    def _lock_screen(
        self, template: Mapping[str, Any], values: Mapping[str, Any], template_key: str, used: str, detailed: bool
    ) -> PushText:
        if detailed:
            title = _fill(template["push"]["title"], values, template_key, used)
            body = _fill(template["push"]["body"], values, template_key, used)
        else:
            private = template.get("push_private") or self._generic_push(used)
            title = _fill(private["title"], {}, template_key, used)
            body = _fill(private["body"], {}, template_key, used)
        return PushText(used, title, body)

    def private_push_text(self, locale: str | None) -> PushText:
        found = self._lookup(locale, "common", "push_private")
        if found is None:
            raise TemplateError(f"no generic push text for {locale!r}")
        used, generic = found
        return PushText(used, generic["title"], generic["body"])

    def _generic_push(self, locale: str) -> dict[str, str]:
        found = self._lookup(locale, "common", "push_private")
        if found is None:
            raise TemplateError(f"no generic push text for {locale!r}")
        return found[1]

    def _values(self, params: Mapping[str, Any], locale: str) -> dict[str, Any]:
        """Turn raw parameters (codes, ISO dates, cents) into the words a template shows."""
        values: dict[str, Any] = {}
        for key, value in params.items():
            if value is None:
                continue
            if key.endswith("_on"):
                values[key] = self.format_date(value, locale)
            elif key.endswith("_at"):
                values[key] = self.format_datetime(value, locale)
            else:
                values[key] = value
        if params.get("program_code"):
            values["program"] = self.program_name(params["program_code"], locale)
        if params.get("cents") is not None:
            values["amount"] = self.format_amount(params["cents"], locale, params.get("currency") or "USD")
        if params.get("new_status"):
            values["status"] = self.status_label(params["new_status"], locale)
            values["status_explanation"] = self.status_explanation(params["new_status"], locale)
        return values


class _Strict(dict):
    def __missing__(self, key: str) -> Any:
        raise KeyError(key)


def _fill(text: str, values: Mapping[str, Any], template_key: str, locale: str) -> str:
    try:
        return text.format_map(_Strict(values))
    except KeyError as missing:
        raise TemplateError(f"template {template_key!r} ({locale}) needs {missing}") from None


def _as_date(value: dt.date | str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value[:10])


default_catalog = TemplateCatalog()


def render_message(
    template_key: str, params: Mapping[str, Any], locale: str | None, *, detailed_previews: bool = False
) -> RenderedMessage:
    return default_catalog.render(template_key, params, locale, detailed_previews=detailed_previews)


def render_push_text(
    template_key: str, params: Mapping[str, Any] | None, locale: str | None, *, detailed_previews: bool = False
) -> PushText:
    return default_catalog.render_push_text(template_key, params, locale, detailed_previews=detailed_previews)


def private_push_text(locale: str | None) -> PushText:
    """The locale's generic lock-screen text (``common.json``), for a message whose own templates are gone."""
    return default_catalog.private_push_text(locale)


def program_name(code: str, locale: str | None) -> str:
    return default_catalog.program_name(code, locale)


def status_label(status: str, locale: str | None) -> str:
    return default_catalog.status_label(status, locale)


def status_explanation(status: str, locale: str | None) -> str:
    return default_catalog.status_explanation(status, locale)


def format_amount(cents: int, locale: str | None, currency: str = "USD") -> str:
    return default_catalog.format_amount(cents, locale, currency)


def format_date(value: dt.date | str, locale: str | None) -> str:
    return default_catalog.format_date(value, locale)
