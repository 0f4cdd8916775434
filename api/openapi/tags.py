"""The document's tags: one per area, grouped and ordered by audience (resident, partner, support, platform,
operations), each with a description. A blueprint names its area in ``BLUEPRINT_TAGS``; a blueprint missing
from it keeps its own name as a tag and ``tests/api/test_openapi_document.py`` fails until it is placed."""

from __future__ import annotations

AUDIENCES = ("resident", "partner", "support", "platform", "operations")

# (tag, description), in the order /docs shows them.
TAGS: tuple[tuple[str, str], ...] = (
    (
        "Resident: sign-in",
        "Hub tokens for an app: exchange the identity provider's ID token (or an authorization code with PKCE), "
        "refresh, sign out. The support console signs in here too, with its own client id, and agency partners "
        "with client credentials (a signed assertion).",
    ),
    ("Resident: profile", "Who the resident is, their sessions, which agencies they share, and linking a case."),
    ("Resident: benefits", "Every benefit across the agencies the resident shares, and what to do next."),
    ("Resident: devices", "Phones registered for push notifications."),
    ("Resident: notifications", "The inbox and the resident's notification preferences."),
    ("Resident: nudges", "Suggestions from the whole picture the resident shares, with their reasons and an opt-out."),
    ("Resident: access log", "Who looked at the resident's data, and why, in the resident's language."),
    ("Resident: paperwork", "Documents sent for the agencies' requests, with receipts, and interview booking."),
    (
        "Resident: representatives",
        "Acting for someone else: inviting an authorized representative, accepting, and ending a designation.",
    ),
    ("Partner: sign-in", "Client credentials with a signed assertion (RFC 7523 private_key_jwt) for agency systems."),
    ("Partner: notifications", "Program notifications to the residents of the agency's own cases, and their status."),
    ("Partner: events", "Case changes posted by an agency system that is not on the platform."),
    (
        "Support: residents",
        "Finding a resident and reading their data; every call needs X-Access-Reason and is audited.",
    ),
    ("Support: actions", "Fixes support may make for a resident (resync, sign out everywhere, resend); audited."),
    ("Support: partner apps", "Registered partner apps: list, suspend, re-key; every change audited."),
    ("Support: audit log", "The append-only audit log (admins)."),
    ("Platform: events", "Signed change events from the state's unified data platform."),
    ("Operations: health", "Liveness and readiness probes for the load balancer and the orchestrator."),
    ("Operations: keys", "The hub's public signing keys, to verify the tokens it issues."),
)

BLUEPRINT_TAGS = {
    "sign-in": "Resident: sign-in",
    "auth": "Resident: sign-in",
    "me": "Resident: profile",
    "sessions": "Resident: profile",
    "consents": "Resident: profile",
    "links": "Resident: profile",
    "benefits": "Resident: benefits",
    "devices": "Resident: devices",
    "notifications": "Resident: notifications",
    "nudges": "Resident: nudges",
    "access-log": "Resident: access log",
    "documents": "Resident: paperwork",
    "appointments": "Resident: paperwork",
    "representatives": "Resident: representatives",
    "admin-residents": "Support: residents",
    "admin-actions": "Support: actions",
    "admin-audit": "Support: audit log",
    "admin-partner-apps": "Support: partner apps",
    "admin-documents": "Support: residents",
    "admin-designations": "Support: residents",
    "partner": "Partner: notifications",
    "platform_events": "Platform: events",
    "health": "Operations: health",
    "well-known": "Operations: keys",
    "acting-for": "Resident: representatives",
    "acting-for-paperwork": "Resident: representatives",
}


PATH_TAGS = {"/v1/partner/events": "Partner: events"}  # one blueprint, two areas


def tag_of(endpoint: str, path: str = "") -> str:
    for prefix, tag in PATH_TAGS.items():
        if path.startswith(prefix):
            return tag
    blueprint = endpoint.rsplit(".", 1)[0]
    return BLUEPRINT_TAGS.get(blueprint, blueprint)


def document_tags(used: set[str]) -> list[dict[str, str]]:
    """The tags the document lists: every tag in use, in audience order (unplaced ones last)."""
    known = [{"name": name, "description": text} for name, text in TAGS if name in used]
    return known + [{"name": name} for name in sorted(used - {name for name, _ in TAGS})]
