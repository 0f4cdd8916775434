"""Status reasons: the agencies' own wording → one reason code → plain language in English and Spanish.

Agencies write reasons as free text, so an unknown wording is not an error: it becomes ``other`` and the
resident sees the plain-language meaning of the status itself (notifications/templates/*/statuses.json).
"""

from __future__ import annotations

OTHER = "other"
DOCUMENTS_NEEDED = "documents_needed"
RENEWAL_STARTED = "renewal_started"
RENEWAL_OVERDUE = "renewal_overdue"

_FROM_AGENCY_TEXT = {
    "application received": "application_received",
    "referral received": "application_received",
    "eligible": "eligible",
    "certified": "eligible",
    "recertified for 12 months": "renewed",
    "redetermined for 12 months": "renewed",
    "renewed for 12 months": "renewed",
    "redetermination not completed": "renewal_not_returned",
    "renewal not returned": "renewal_not_returned",
    "certification period ended": "certification_ended",
    "verification not returned": "documents_not_returned",
    "documents not received": "documents_not_returned",
    "missed interview": "missed_interview",
    "household income is over the limit": "income_over_limit",
    "not a resident of illinois": "not_a_resident",
    "moved out of state": "not_a_resident",
}

TEXTS = {
    "application_received": {
        "en": "We received your application. The agency will review it.",
        "es": "Recibimos tu solicitud. La agencia la va a revisar.",
    },
    "eligible": {
        "en": "You qualify, and your benefits are active.",
        "es": "Cumples los requisitos y tus beneficios están activos.",
    },
    "renewed": {
        "en": "Your benefits were renewed for another 12 months.",
        "es": "Tus beneficios se renovaron por 12 meses más.",
    },
    "renewal_not_returned": {
        "en": "The renewal was not returned in time, so the case closed. You can apply again.",
        "es": "La renovación no se entregó a tiempo y el caso se cerró. Puedes volver a solicitar.",
    },
    "certification_ended": {
        "en": "Your certification period ended.",
        "es": "Terminó tu período de certificación.",
    },
    "documents_not_returned": {
        "en": "The documents the agency asked for did not arrive by the due date.",
        "es": "Los documentos que pidió la agencia no llegaron antes de la fecha límite.",
    },
    "missed_interview": {
        "en": "The interview did not take place. Call the agency to ask what you can do.",
        "es": "La entrevista no se realizó. Llama a la agencia para saber qué puedes hacer.",
    },
    "income_over_limit": {
        "en": "Your household income is over the program's limit.",
        "es": "Los ingresos de tu hogar superan el límite del programa.",
    },
    "not_a_resident": {
        "en": "The agency could not confirm that you live in Illinois.",
        "es": "La agencia no pudo confirmar que vives en Illinois.",
    },
    DOCUMENTS_NEEDED: {
        "en": "The agency needs a document from you. Send it by the due date.",
        "es": "La agencia necesita un documento tuyo. Envíalo antes de la fecha límite.",
    },
    RENEWAL_STARTED: {
        "en": "It's time to renew. Return your renewal by the due date to keep your benefits.",
        "es": "Es hora de renovar. Entrega tu renovación antes de la fecha límite para no perder tus beneficios.",
    },
    RENEWAL_OVERDUE: {
        "en": "Your renewal is past due. Return it as soon as you can to keep your benefits.",
        "es": "Tu renovación está atrasada. Entrégala lo antes posible para no perder tus beneficios.",
    },
}


def reason_code(agency_text: str | None) -> str:
    """The reason code for an agency's wording (``other`` when the wording is new to the hub)."""
    return _FROM_AGENCY_TEXT.get((agency_text or "").strip().rstrip(".").lower(), OTHER)


def reason_text(code: str, locale: str) -> str | None:
    """The plain-language reason in ``locale`` (language part), or None for ``other`` / an unknown code."""
    texts = TEXTS.get(code)
    if texts is None:
        return None
    return texts.get(locale.split("-")[0].lower()) or texts["en"]
