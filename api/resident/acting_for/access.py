"""``@blp.acting_for(...)``: the one auth rule of every ``/v1/me/represented/{designation_id}/…`` route, and the
entry each call writes in the person's access log.

Order of checks: a resident's token (401, as every resident route), then the caller's active designation
``designation_id`` (404 for an unknown, ended or someone else's one, the same answer for each, nothing recorded),
then the view, which receives the ``Acting`` as its ``acting`` argument. A read names its audit action
(``reads=``): once the view answered (200, or 304: the phone shows the data it holds again), the entry is appended
in the request's session and committed before the response leaves, so a read that cannot be recorded is not
served. An act (an upload, a booking) records itself in the same transaction as what it did
(``services.representation.acting.record_acting``), so a replayed idempotent answer records nothing twice.

There is no rule here for anything else: a representative reaches the person's benefits, actions, notices and
paperwork only, never their consents, devices, sessions or sign-in (those routes answer for the caller's own
account only).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import g, make_response, request

from api.auth.guards import TOKEN_REFUSED, resident_required
from api.auth.principal import current_principal
from api.auth_rules import AuthRule, declare
from api.database import db
from api.extension import Blueprint
from services.db import commits
from services.representation.acting import Acting, acting_for, record_acting

DESIGNATION_REFUSED = (404, "No such designation of yours (unknown, ended, or someone else's)")


class ActingForBlueprint(Blueprint):
    """A blueprint of routes a representative calls for the person: each declares ``acting_for``."""

    def acting_for(self, *, reads: str | None = None):
        """A resident's token holding the active designation in the path; ``reads``: the audit action a
        successful read records in the person's access log (acts record themselves)."""
        return declare(
            AuthRule(
                "resident",
                resident_required_acting(reads),
                security=("resident",),
                responses=(TOKEN_REFUSED, DESIGNATION_REFUSED),
            )
        )

    def resident(self):
        raise TypeError("a route acting for someone declares @blp.acting_for(...): it checks the designation")


def resident_required_acting(reads: str | None) -> Callable[[Callable], Callable]:
    def enforce(view: Callable) -> Callable:
        @functools.wraps(view)
        @commits  # the request's session: the access-log entry of a read that succeeded
        def acting_view(*args, designation_id: str, **kwargs):
            acting = acting_for(db(), current_principal().resident_id, designation_id)
            g.acting = acting
            response = view(*args, acting=acting, **kwargs)
            if reads is None:
                return response
            response = make_response(response)
            if response.status_code < 400:
                record(acting, reads)
                db().commit()
            return response

        return resident_required(acting_view)

    return enforce


def record(acting: Acting, action: str, *, about=None, fields=()) -> None:
    """The representative's read or act in the person's access log, in the request's session (commit next)."""
    record_acting(
        db(),
        acting,
        action,
        route=f"{request.method} {request.url_rule.rule}",
        request_id=g.get("request_id"),
        about=about,
        fields=fields,
    )
