"""Each operation's summary and description, from its view's docstring and what the hub knows about the route.

flask-smorest takes a docstring's first *line* as the summary, which cuts a wrapped sentence in two. Here the
summary is the first sentence and the description the whole docstring (paragraphs kept), followed by who may
call it: the token it needs, the staff roles whose permission allows it, whether it is audited with a reason.
"""

from __future__ import annotations

import inspect
import re

from api.auth.permissions import ROLE_PERMISSIONS

_KINDS = {
    "resident": "Needs a resident app's access token.",
    "signed_in": "Needs any hub access token (a resident's or a staff member's).",
    "public": "Needs no token.",
    "platform-signature": "Needs no token: the platform's signature (X-Platform-Signature) is the credential.",
    "partner": "Needs a partner access token (client credentials) with the route's scope.",
}


def _paragraphs(text: str) -> list[str]:
    """The docstring's paragraphs as Markdown: wrapped lines joined, list items kept, RST ``code`` as `code`."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.replace("``", "`").strip()):
        lines: list[str] = []
        for line in (line.strip() for line in block.splitlines()):
            if line.startswith("- ") or not lines:
                lines.append(line)
            elif line:
                lines[-1] += " " + line
        if lines:
            paragraphs.append("\n".join(lines))
    return paragraphs


def first_sentence(paragraph: str, limit: int = 120) -> str:
    match = re.match(r"(.+?[.!?])(\s|$)", paragraph)
    sentence = match.group(1) if match else paragraph
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rsplit(" ", 1)[0] + "…"


def who_may_call(view) -> str:
    rule = getattr(view, "auth_rule", None)
    facts = getattr(view, "openapi_facts", {})
    if rule == "staff":
        permission = getattr(view, "required_permission", None)
        roles = [role for role, allowed in ROLE_PERMISSIONS.items() if permission in allowed]
        text = f"Needs a support staff access token whose role allows `{permission}` ({', '.join(roles)})."
        if facts.get("access_reason"):
            text += " Audited with the reason given in X-Access-Reason; the resident sees it in their access log."
        return text
    return _KINDS.get(rule or "", "")


def describe(operation: dict, view) -> None:
    """Set ``summary`` and ``description`` on ``operation`` from the view's docstring and who may call it."""
    paragraphs = _paragraphs(inspect.getdoc(view) or "")
    if paragraphs:
        operation["summary"] = first_sentence(paragraphs[0])
    text = "\n\n".join([*paragraphs, who_may_call(view)]).strip()
    if text:
        operation["description"] = text
