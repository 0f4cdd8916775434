"""Pure rendering of notification messages in the resident's language, from the catalogue (``services.texts``).

Templates: ``services/texts/<locale>/<category>.json`` maps a template name to ``inbox`` and ``push`` texts (and an
optional ``push_private``); ``common.json`` holds the locale's generic lock-screen text; program names and
plain-language statuses come from the catalogue's words, dates, times and amounts from Babel (``services.texts``).
Anything missing falls back along ``es-MX → es → en``.

Privacy: the lock-screen text is the ``push`` text only with ``detailed_previews``; otherwise it is the
``push_private`` text, rendered with no parameters at all, so it cannot carry a program, amount or case number.
The inbox text is rendered once, when the message is written; the lock-screen text is rendered again for every
push, when it is sent (``render_push_text``), so it follows the resident's settings of that moment.

A representative's copy of the person's message (``render_copy``, ``render_copy_push_text``) is the original
rendered in the representative's language inside the frame of ``representation.json`` ("About Ana's case: …").
Its private lock-screen text carries one value only, whose case it is ("A notice about Ana's case"): never the
program, amount or case number.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from services.texts.catalogue import language_of, locale_chain, normalize_locale, texts
from services.texts.formats import format_date, format_money, format_wall_clock
from services.texts.words import document_reason, program_name, status_explanation, status_label


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


def render_message(
    template_key: str, params: Mapping[str, Any], locale: str | None, *, detailed_previews: bool = False
) -> RenderedMessage:
    """Render ``<category>.<name>`` (e.g. ``documents.reminder_1``) in the best locale available."""
    used, template, values = _prepare(template_key, params, locale)
    inbox_title = _fill(template["inbox"]["title"], values, template_key, used)
    inbox_body = _fill(template["inbox"]["body"], values, template_key, used)
    push = _lock_screen(template, values, template_key, used, detailed_previews)
    texts_locale = _written_in(params, locale)
    return RenderedMessage(texts_locale or used, inbox_title, inbox_body, push.title, push.body)


def render_push_text(
    template_key: str, params: Mapping[str, Any] | None, locale: str | None, *, detailed_previews: bool = False
) -> PushText:
    """Only the lock-screen text, as the sender renders it for each push. ``params=None`` (a message whose raw
    values were never kept) always gives the private text, which needs none."""
    used, template, values = _prepare(template_key, params or {}, locale)
    return _lock_screen(template, values, template_key, used, detailed_previews and params is not None)


def private_push_text(locale: str | None) -> PushText:
    """The locale's generic lock-screen text (``common.json``), for a message whose own templates are gone."""
    used, generic = _generic_push(locale)
    return PushText(used, generic["title"], generic["body"])


COPY_NAME = "represented_name"  # the parameter a copy carries: the person's given name


def render_copy(template_key: str, params: Mapping[str, Any], locale: str | None) -> RenderedMessage:
    """A representative's copy of ``template_key`` (the person's message), in the representative's ``locale``."""
    original = render_message(template_key, params, locale, detailed_previews=True)
    used, frame, case = _copy_frame(params, original.locale)
    title = _fill(frame["inbox"]["title"], {"case": case, "title": original.inbox_title}, template_key, used)
    body = _fill(frame["inbox"]["body"], {"case": case, "body": original.inbox_body}, template_key, used)
    push = _copy_lock_screen(frame, case, original.push_title, original.push_body, template_key, used, True)
    return RenderedMessage(original.locale, title, body, push.title, push.body)


def render_copy_push_text(
    template_key: str, params: Mapping[str, Any], locale: str | None, *, detailed_previews: bool = False
) -> PushText:
    """Only a copy's lock-screen text, as the sender renders it for each push of it."""
    original = render_push_text(template_key, params, locale, detailed_previews=detailed_previews)
    used, frame, case = _copy_frame(params, original.locale)
    return _copy_lock_screen(frame, case, original.title, original.body, template_key, used, detailed_previews)


def _copy_frame(params: Mapping[str, Any], locale: str) -> tuple[str, Mapping[str, Any], str]:
    found = texts().lookup(locale, "representation", "copy")
    if found is None:
        raise TemplateError(f"no copy frame for {locale!r}")
    name = params.get(COPY_NAME)
    case = found.value["case_named"].format(name=name) if name else found.value["case_unnamed"]
    return found.locale, found.value, case


def _copy_lock_screen(
    frame: Mapping[str, Any], case: str, title: str, body: str, template_key: str, used: str, detailed: bool
) -> PushText:
    if detailed:
        values = {"case": case, "title": title, "body": body}
        return PushText(
            used,
            _fill(frame["push"]["title"], values, template_key, used),
            _fill(frame["push"]["body"], values, template_key, used),
        )
    private = frame["push_private"]
    return PushText(
        used,
        _fill(private["title"], {"case": case}, template_key, used),
        _fill(private["body"], {"case": case}, template_key, used),
    )


def _prepare(
    template_key: str, params: Mapping[str, Any], locale: str | None
) -> tuple[str, Mapping[str, Any], dict[str, Any]]:
    category, _, name = template_key.partition(".")
    found = texts().lookup(locale, category, name)
    if found is None or not isinstance(found.value, Mapping) or "inbox" not in found.value:
        raise TemplateError(f"no template {template_key!r} for {locale!r}")
    # Words and formats follow the resident's own locale (es-MX program names inside an es template), unless the
    # template fell back to another language: then they follow the template, so a sentence is one language.
    wanted = normalize_locale(locale)
    values = _values(params, wanted if language_of(wanted) == language_of(found.locale) else found.locale)
    return found.locale, found.value, values


def _lock_screen(
    template: Mapping[str, Any], values: Mapping[str, Any], template_key: str, used: str, detailed: bool
) -> PushText:
    if detailed:
        title = _fill(template["push"]["title"], values, template_key, used)
        body = _fill(template["push"]["body"], values, template_key, used)
    else:
        private = template.get("push_private") or _generic_push(used)[1]
        title = _fill(private["title"], {}, template_key, used)
        body = _fill(private["body"], {}, template_key, used)
    return PushText(used, title, body)


def _generic_push(locale: str | None) -> tuple[str, Mapping[str, str]]:
    found = texts().lookup(locale, "common", "push_private")
    if found is None:
        raise TemplateError(f"no generic push text for {locale!r}")
    return found.locale, found.value


def localized(texts: Mapping[str, str], locale: str | None) -> tuple[str, str] | None:
    """The text of ``texts`` (by locale tag, as a partner wrote them) for ``locale``: ``es-MX`` → ``es`` → ``en``."""
    for candidate in locale_chain(locale):
        if isinstance(texts.get(candidate), str):
            return candidate, texts[candidate]
    return None


def _written_in(params: Mapping[str, Any], locale: str | None) -> str | None:
    """The locale a message's own texts were chosen in (a partner's ``title``), when it carries its texts."""
    title = params.get("title")
    chosen = localized(title, locale) if isinstance(title, Mapping) else None
    return chosen[0] if chosen else None


def _values(params: Mapping[str, Any], locale: str) -> dict[str, Any]:
    """Turn raw parameters (codes, ISO dates, cents) into the words a template shows; a mapping of texts by locale
    (a partner's own title and body) becomes the text for ``locale``."""
    values: dict[str, Any] = {}
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, Mapping):
            chosen = localized(value, locale)
            if chosen is not None:
                values[key] = chosen[1]
        elif key.endswith("_on"):
            values[key] = format_date(value, locale)
        elif key.endswith("_at"):
            values[key] = format_wall_clock(value, locale)
        else:
            values[key] = value
    if params.get("program_code"):
        values["program"] = program_name(params["program_code"], locale)
    if params.get("cents") is not None:
        values["amount"] = format_money(params["cents"], locale, params.get("currency") or "USD")
    if params.get("document_reason"):
        values["reason"] = document_reason(params["document_reason"], locale)
    if params.get("new_status"):
        values["status"] = status_label(params["new_status"], locale)
        values["status_explanation"] = status_explanation(params["new_status"], locale)
    return values


class _Strict(dict):
    def __missing__(self, key: str) -> Any:
        raise KeyError(key)


def _fill(text: str, values: Mapping[str, Any], template_key: str, locale: str) -> str:
    try:
        return text.format_map(_Strict(values))
    except KeyError as missing:
        raise TemplateError(f"template {template_key!r} ({locale}) needs {missing}") from None
