"""A representative acting for the person: what they may see, and the entry every read or act writes in the
person's access log.

Decisions:

- What a representative sees of the person is the designation's agencies still standing (``grants``) that the
  person shares now: ``scope`` narrows the person's own visibility (``services.visibility``), so consent rules
  exactly as it does for the person, and the account itself (sign-in, devices, sessions, consents) is never in it.
- Every read and act is recorded in the person's audit trail as done by the representative (actor kind
  ``resident``, role ``representative``, their given name), with the designation and its agencies, so the
  person's access log says "Rosa, your representative, viewed your benefits (HFS)…" (``services.audit_text``).
- An unknown, ended or someone else's designation is one 404 (``grants.grant_for``), and nothing is recorded:
  nothing of the person was read.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.audit import Actor, record_access
from services.models.identity import Resident
from services.representation.grants import Grant, grant_for
from services.visibility import Visibility, visibility_of
from services.vocabulary import AGENCIES

REPRESENTATIVE_ROLE = "representative"  # the audit actor_role of a representative's acts


@dataclasses.dataclass(frozen=True)
class Acting:
    """One representative acting through one active designation, as a request needs it."""

    grant: Grant
    representative_locale: str | None
    representative_name: str | None  # given name, as the person's access log shows it

    @property
    def person_id(self) -> str:
        return self.grant.person_id

    @property
    def agencies(self) -> frozenset[str]:
        """The designation's agencies still standing (before the person's consent is applied)."""
        return self.grant.agencies


def acting_for(session: Session, representative_id: str, designation_id: str) -> Acting:
    """The representative acting through ``designation_id``, or the 404 problem (``grants.grant_for``)."""
    grant = grant_for(session, representative_id, designation_id)
    row = session.execute(
        select(Resident.locale, Resident.given_name, Resident.name).where(Resident.id == representative_id)
    ).one()
    return Acting(grant, row.locale, given_name(row.given_name, row.name))


def given_name(given: str | None, name: str | None) -> str | None:
    return given or ((name or "").split(" ")[0] or None)


def scope(session: Session, acting: Acting) -> Visibility:
    """The person's visibility as the representative reads it: the designation's agencies the person shares."""
    return visibility_of(session, acting.person_id).narrowed(acting.agencies)


def representative_actor(acting: Acting) -> Actor:
    return Actor("resident", acting.grant.representative_id, acting.representative_name, REPRESENTATIVE_ROLE)


def record_acting(
    session: Session,
    acting: Acting,
    action: str,
    *,
    route: str | None = None,
    request_id: str | None = None,
    about: Iterable[str] | None = None,
    fields: Iterable[str] = (),
) -> None:
    """Append the representative's read or act to the person's audit trail (the caller commits straight after);
    ``about``: the agencies it concerned (the designation's, unless one action's agency is named)."""
    concerned = acting.agencies if about is None else frozenset(about)
    agencies = [agency for agency in AGENCIES if agency in concerned]
    record_access(
        session,
        representative_actor(acting),
        action,
        resident_id=acting.person_id,
        route=route,
        fields=[f"designation:{acting.grant.designation_id}", *(f"agency:{a}" for a in agencies), *fields],
        request_id=request_id,
    )
