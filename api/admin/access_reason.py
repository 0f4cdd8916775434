"""The access reason (``X-Access-Reason``) staff state for a look at a resident's data, and, rarely, break-glass
(``X-Break-Glass: true``) to see an agency's data the resident stopped sharing. Read by ``staff_access.py``."""

from __future__ import annotations

from flask import request

from api.request_context import header_text
from services.errors import DomainError

REASON_HEADER = "X-Access-Reason"
BREAK_GLASS_HEADER = "X-Break-Glass"
MIN_REASON_WORDS = 3
MIN_REASON_CHARS = 12
MAX_REASON_CHARS = 500


class AccessReasonRequired(DomainError):
    status = 400
    title = "Access reason required"
    slug = "access-reason-required"


def access_reason() -> str:
    """The stated reason, or a 400 problem naming the header when it is missing or says too little."""
    reason = " ".join(header_text(REASON_HEADER).split())
    if not reason:
        problem = f"Reading a resident's data needs a reason: send {REASON_HEADER} with a few words."
    elif len(reason.split(" ")) < MIN_REASON_WORDS or len(reason) < MIN_REASON_CHARS:
        problem = f"{REASON_HEADER} must say why in at least {MIN_REASON_WORDS} words."
    elif len(reason) > MAX_REASON_CHARS:
        problem = f"{REASON_HEADER} may be at most {MAX_REASON_CHARS} characters."
    else:
        return reason
    raise AccessReasonRequired(problem, errors={REASON_HEADER: [problem]})


def break_glass_requested() -> bool:
    return request.headers.get(BREAK_GLASS_HEADER, "").strip().lower() == "true"
