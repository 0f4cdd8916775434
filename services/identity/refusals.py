"""Identity errors as values: OAuth token-endpoint errors (RFC 6749 codes), what an unverified resident gets,
and the refusals of linking a record by letter code."""

from __future__ import annotations

from services.errors import Conflict, DomainError, Forbidden

INVALID_REQUEST = "invalid_request"
INVALID_CLIENT = "invalid_client"
INVALID_GRANT = "invalid_grant"
UNSUPPORTED_GRANT_TYPE = "unsupported_grant_type"
TEMPORARILY_UNAVAILABLE = "temporarily_unavailable"

_STATUS = {INVALID_CLIENT: 401, TEMPORARILY_UNAVAILABLE: 503}


class OAuthError(DomainError):
    """A refused token request: a problem document whose ``error`` member carries the RFC 6749 code.

    400 for every code except ``invalid_client`` (401) and ``temporarily_unavailable`` (503, the identity
    provider did not answer).
    """

    title = "Token request refused"
    slug = "oauth-error"

    def __init__(self, error: str, detail: str, *, errors: dict[str, list[str]] | None = None) -> None:
        headers = {"Cache-Control": "no-store"}
        if error == INVALID_CLIENT:
            headers["WWW-Authenticate"] = 'Bearer realm="benefits-hub", error="invalid_client"'
        super().__init__(detail, errors=errors, headers=headers, error=error)
        self.error = error
        self.status = _STATUS.get(error, 400)


class IdentityVerificationRequired(Forbidden):
    """The resident signed in without verified identity (IAL2), which this action needs."""

    title = "Identity verification required"
    slug = "identity-verification-required"


class LinkProofRequired(Forbidden):
    """The letter code was right, but nothing yet shows the case's person is the resident."""

    title = "Proof needed"
    slug = "link-proof-required"


class LinkNotProven(Forbidden):
    """The date of birth offered is not the resident's own verified one, or not the case person's."""

    title = "Not your case"
    slug = "link-not-proven"


class CaseLinkedElsewhere(Conflict):
    """The case is already linked to another hub account; it is never linked to a second one by letter code."""

    title = "Linked to another account"
    slug = "case-linked-elsewhere"
