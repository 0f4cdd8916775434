"""Messages read well in the resident's language, and the lock screen gives nothing away unless allowed."""

from __future__ import annotations

import json
import re
import shutil
import string

import pytest

from notifications.render import TemplateError, render_message
from services.platform.records import BENEFIT_STATUSES
from services.texts.catalogue import TEXTS_DIR, Catalogue, locale_chain, texts, use_catalogue
from services.texts.formats import format_money, format_wall_clock
from services.texts.words import program_name, status_explanation, status_label

PROGRAM_CODES = ("SNAP", "TANF", "CASH", "WIC", "MEDICAID", "CCP", "BAP", "LIHEAP", "CCAP")
CATEGORY_FILES = ("status", "documents", "interviews", "renewals", "notices", "payments", "account")
CASE_NUMBER = "C-778812"

# Parameters enough for every template, with values that are easy to spot in the text.
ALL_PARAMS = {
    "program_code": "SNAP",
    "old_status": "pending",
    "new_status": "denied",
    "action_id": "act-1",
    "title": "Proof of income",
    "due_on": "2026-04-01",
    "scheduled_at": "2026-03-30T14:05:00-05:00",
    "renewal_due_on": "2026-06-30",
    "days_left": 3,
    "notice_id": "n-1",
    "posted_on": "2026-03-02",
    "payment_id": "p-1",
    "cents": 123456,
    "currency": "USD",
    "paid_on": "2026-03-05",
    "case_number": CASE_NUMBER,
    "agency": "DHS",
    "linked_on": "2026-03-02",
    "document_id": "doc-1",
    "tracking_number": "DHS-DOC-1A2B3C",
    "receipt_number": "BH-4F7K-Q9M2",
    "document_reason": "unreadable",
}


def template_keys(locale: str = "en") -> list[str]:
    keys = []
    for category in CATEGORY_FILES:
        content = json.loads((TEXTS_DIR / locale / f"{category}.json").read_text())
        keys.extend(f"{category}.{name}" for name in content)
    return keys


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


# -- languages -----------------------------------------------------------------------------------------------
def test_a_payment_in_english_and_in_spanish():
    params = {"program_code": "SNAP", "cents": 123456, "currency": "USD", "paid_on": "2026-03-05"}

    en = render_message("payments.issued", params, "en")
    es = render_message("payments.issued", params, "es")

    assert en.inbox_title == "SNAP food benefits payment sent"
    assert en.inbox_body == "A SNAP food benefits payment of $1,234.56 was issued on March 5, 2026."
    assert es.inbox_title == "Pago de beneficios de alimentos SNAP enviado"
    assert es.inbox_body == "Se emitió un pago de beneficios de alimentos SNAP por $1,234.56 el 5 de marzo de 2026."


def test_a_status_message_explains_the_status_in_plain_language():
    params = {"program_code": "MEDICAID", "old_status": "pending", "new_status": "denied"}

    en = render_message("status.denied", params, "en")
    es = render_message("status.denied", params, "es")

    assert "Medicaid" in en.inbox_body and "how to appeal" in en.inbox_body
    assert "Medicaid" in es.inbox_body and "cómo apelar" in es.inbox_body


def test_appointment_times_keep_the_agencys_wall_clock_in_each_locales_style():
    params = {"program_code": "CCAP", "scheduled_at": "2026-03-30T14:05:00-05:00"}

    en = render_message("interviews.scheduled", params, "en")
    es = render_message("interviews.scheduled", params, "es")

    # CLDR's own spacing (Babel): a narrow no-break space before the day period, its "{date}, {time}" pattern
    assert "March 30, 2026, 2:05\u202fPM" in en.inbox_body
    assert "30 de marzo de 2026, 2:05\u202fp.m." in es.inbox_body  # es_US: the state's 12-hour clock
    assert format_wall_clock("2026-03-30T00:00:00", "en").endswith("12:00\u202fAM")
    assert format_wall_clock("2026-03-30T12:30:00", "en").endswith("12:30\u202fPM")


def test_amounts_are_whole_cents_with_grouping():
    assert format_money(5, "en") == "$0.05"
    assert format_money(100000000, "en") == "$1,000,000.00"
    assert format_money(-2550, "es") == "-$25.50"
    assert format_money(2550, "en", "CAD") == "CA$25.50"  # CLDR's symbol for a foreign dollar


def test_program_names_and_statuses_in_both_languages():
    assert program_name("CCP", "en") == "Community Care Program"
    assert program_name("CCP", "es") == "Programa de Cuidado Comunitario"
    assert program_name("ccap", "es-MX") == "Asistencia para el Cuidado Infantil"
    assert program_name("NEWPROG", "es") == "NEWPROG"
    assert status_label("action_needed", "en") == "Action needed"
    assert status_label("action_needed", "es") == "Acción necesaria"
    assert status_explanation("suspended", "es").startswith("Tus beneficios están en pausa")


# -- fallback ------------------------------------------------------------------------------------------------
def test_locale_chain_goes_from_specific_to_english():
    assert locale_chain("es-MX") == ("es-MX", "es", "en")
    assert locale_chain("es_mx") == ("es-MX", "es", "en")
    assert locale_chain("en-US") == ("en-US", "en")
    assert locale_chain(None) == ("en",)


def test_a_regional_spanish_falls_back_to_spanish_and_an_unknown_language_to_english():
    params = {"program_code": "WIC", "renewal_due_on": "2026-06-30"}

    assert render_message("renewals.due_set", params, "es-MX").locale == "es"
    assert render_message("renewals.due_set", params, "fr-CA").locale == "en"
    assert render_message("renewals.due_set", params, None).locale == "en"


@pytest.fixture
def catalog_with_more_languages(tmp_path):
    """A copy of the shipped texts plus a partial es-MX, in use for the test."""
    shutil.copytree(TEXTS_DIR, tmp_path / "texts", ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    root = tmp_path / "texts"
    (root / "es-MX").mkdir()
    (root / "es-MX" / "programs.json").write_text(json.dumps({"SNAP": "SNAP (cupones de alimentos)"}))
    (root / "es-MX" / "payments.json").write_text(
        json.dumps(
            {
                "issued": {
                    "inbox": {"title": "Pago de {program}", "body": "Depositamos {amount}."},
                    "push": {"title": "Pago de {program}", "body": "{amount}"},
                }
            }
        )
    )
    with use_catalogue(Catalogue(root)) as catalogue:
        yield catalogue


def test_adding_a_language_is_adding_files(catalog_with_more_languages):
    catalogue = catalog_with_more_languages
    params = {"program_code": "SNAP", "cents": 123456, "currency": "USD", "paid_on": "2026-03-05"}

    mexico = render_message("payments.issued", params, "es-MX")
    spain = render_message("payments.issued", params, "es-ES")
    notice = render_message(
        "notices.posted", {"program_code": "SNAP", "title": "Aviso", "posted_on": "2026-03-02"}, "es-MX"
    )

    assert (mexico.locale, mexico.inbox_body) == ("es-MX", "Depositamos $1,234.56.")
    assert mexico.inbox_title == "Pago de SNAP (cupones de alimentos)"
    assert spain.locale == "es" and "$1,234.56" in spain.inbox_body  # the state's formats, whatever the region
    assert notice.locale == "es" and "SNAP (cupones de alimentos)" in notice.inbox_body
    assert (
        "March 2, 2026"
        in render_message(
            "notices.posted", {"program_code": "SNAP", "title": "N", "posted_on": "2026-03-02"}, "fr"
        ).inbox_body
    )
    assert "es-MX" in catalogue.locales() and texts() is catalogue


# -- completeness --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("locale", ["en", "es"])
def test_every_program_and_status_has_words(locale):
    programs = json.loads((TEXTS_DIR / locale / "programs.json").read_text())
    statuses = json.loads((TEXTS_DIR / locale / "statuses.json").read_text())

    assert set(programs) == set(PROGRAM_CODES)
    assert set(statuses) == set(BENEFIT_STATUSES)
    assert all(entry["label"] and entry["reason"] for entry in statuses.values())


def test_spanish_has_every_english_template_with_the_same_placeholders():
    assert template_keys("es") == template_keys("en")
    for key in template_keys("en"):
        category, _, name = key.partition(".")
        en = json.loads((TEXTS_DIR / "en" / f"{category}.json").read_text())[name]
        es = json.loads((TEXTS_DIR / "es" / f"{category}.json").read_text())[name]
        assert set(en) == set(es), key
        for part in ("inbox", "push"):
            for field in ("title", "body"):
                assert placeholders(en[part][field]) == placeholders(es[part][field]), (key, part, field)


@pytest.mark.parametrize("locale", ["en", "es"])
@pytest.mark.parametrize("key", template_keys())
def test_every_template_renders(locale, key):
    rendered = render_message(key, ALL_PARAMS, locale, detailed_previews=True)

    assert all([rendered.inbox_title, rendered.inbox_body, rendered.push_title, rendered.push_body])
    assert "{" not in rendered.inbox_body + rendered.push_body


def test_a_missing_parameter_is_a_template_error_not_a_half_message():
    with pytest.raises(TemplateError, match="due_on"):
        render_message("documents.requested", {"program_code": "SNAP", "title": "ID"}, "en")
    with pytest.raises(TemplateError, match="no template"):
        render_message("documents.nonexistent", {}, "en")


# -- the lock screen -----------------------------------------------------------------------------------------
def sensitive_strings() -> list[str]:
    names = [program_name(code, locale) for code in PROGRAM_CODES for locale in ("en", "es")]
    return [*names, *PROGRAM_CODES, "1,234.56", "1234", "$", CASE_NUMBER, "778812", "Proof of income"]


@pytest.mark.parametrize("locale", ["en", "es"])
@pytest.mark.parametrize("key", template_keys())
def test_the_lock_screen_shows_no_program_amount_or_case_number_by_default(locale, key):
    rendered = render_message(key, ALL_PARAMS, locale)
    lock_screen = f"{rendered.push_title}\n{rendered.push_body}"

    for secret in sensitive_strings():
        assert secret.lower() not in lock_screen.lower(), (key, secret)
    assert not re.search(r"\d{4}", lock_screen), key  # no years, amounts or case digits either


def test_the_default_lock_screen_is_the_generic_line_when_nothing_more_useful_is_safe():
    params = {"program_code": "SNAP", "cents": 123456, "currency": "USD", "paid_on": "2026-03-05"}

    assert render_message("payments.issued", params, "en").push_body == "You have an update about your benefits"
    assert render_message("payments.issued", params, "es").push_body == "Tienes una novedad sobre tus beneficios"


def test_a_last_chance_reminder_stays_actionable_without_details():
    rendered = render_message("documents.reminder_1", {**ALL_PARAMS, "days_left": 1}, "en")

    assert rendered.push_title == "Document due tomorrow"


def test_with_detailed_previews_the_lock_screen_names_program_and_amount():
    params = {
        "program_code": "SNAP",
        "cents": 123456,
        "currency": "USD",
        "paid_on": "2026-03-05",
        "case_number": CASE_NUMBER,
    }

    en = render_message("payments.issued", params, "en", detailed_previews=True)
    es = render_message("payments.issued", params, "es", detailed_previews=True)

    assert en.push_title == "SNAP food benefits payment sent" and "$1,234.56" in en.push_body
    assert "beneficios de alimentos SNAP" in es.push_title and "$1,234.56" in es.push_body
    assert CASE_NUMBER not in en.push_body + es.push_body  # no template shows case numbers at all


def test_private_push_texts_cannot_take_parameters():
    for locale in ("en", "es"):
        for key in template_keys(locale):
            category, _, name = key.partition(".")
            template = json.loads((TEXTS_DIR / locale / f"{category}.json").read_text())[name]
            private = template.get("push_private", {})
            assert not placeholders(private.get("title", "") + private.get("body", "")), (locale, key)
