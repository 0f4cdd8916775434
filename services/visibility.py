"""Which of a resident's agencies may be shown, and which messages may be sent: the one answer every reader asks.

Two facts decide it. An agency is *withheld* when the resident said no (``PUT /v1/me/consents/{agency}`` with
``false``: a ``Consent`` row with ``granted`` false); no row means shared, under the state's data-sharing
agreement (``services.identity.consent`` records the choice). An agency is *linked* when the resident has records
there (``ResidentLink``). From those:

- a benefits read (the resident's own, and support's, which is the same read) covers every agency not withheld
  (``shared``, in ``AGENCIES`` order; one without records is ``not_linked``) and shows the records of ``shown``:
  linked and not withheld. The profile marks each link ``shared`` the same way;
- support sees the stored copy of ``withheld_linked`` only by breaking glass, and a message about any withheld
  agency is withheld from support and never resent;
- dispatch writes no message about a withheld agency and send time cancels a push about one
  (``withheld_by_resident``: a whole batch in one statement);
- a message about the account itself (no agency) is never withheld.

A representative reads the person's visibility ``narrowed`` to their designation's agencies (``within``): the
same rules, and nothing outside the designation is shared, shown or sent (``services.representation.acting``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.models.identity import Consent, ResidentLink
from services.vocabulary import AGENCIES


@dataclasses.dataclass(frozen=True)
class Visibility:
    """One resident's withheld agencies and links (ordered by record id), read in two statements."""

    resident_id: str
    withheld: frozenset[str]
    links: tuple[ResidentLink, ...]
    within: frozenset[str] | None = None  # a representative's reading: only these agencies exist for them

    def narrowed(self, agencies: Iterable[str]) -> Visibility:
        """The same resident's visibility as a representative of ``agencies`` reads it."""
        return dataclasses.replace(self, within=frozenset(agencies))

    @property
    def linked(self) -> frozenset[str]:
        return frozenset(link.agency for link in self.links)

    @property
    def shared(self) -> list[str]:
        """Every agency the hub knows that the resident has not withheld, linked or not, in ``AGENCIES`` order."""
        within = self.within
        return [agency for agency in AGENCIES if agency not in self.withheld and (within is None or agency in within)]

    @property
    def shown(self) -> list[str]:
        """The agencies whose records may be shown: linked and not withheld, in ``AGENCIES`` order."""
        linked = self.linked
        return [agency for agency in self.shared if agency in linked]

    @property
    def withheld_linked(self) -> list[str]:
        """Agencies the resident has records at but withholds: hidden from staff unless they break glass."""
        linked = self.linked
        return [agency for agency in AGENCIES if agency in self.withheld and agency in linked]

    def shares(self, agency: str | None) -> bool:
        """Whether something about ``agency`` may be shown or sent (always, for the account: no agency)."""
        if not agency:
            return self.within is None  # the account itself is the person's own, never a representative's
        return agency not in self.withheld and (self.within is None or agency in self.within)

    def shown_links(self) -> list[ResidentLink]:
        """The links of the agencies shown, in record-id order (what a read fetches and serves)."""
        return [link for link in self.links if self.shares(link.agency)]


def visibility_of(session: Session, resident_id: str) -> Visibility:
    withheld = session.scalars(
        select(Consent.agency).where(Consent.resident_id == resident_id, Consent.granted.is_(False))
    )
    links = session.scalars(
        select(ResidentLink).where(ResidentLink.resident_id == resident_id).order_by(ResidentLink.record_id)
    )
    return Visibility(resident_id, frozenset(withheld), tuple(links))


def withheld_by_resident(session: Session, resident_ids: Iterable[str]) -> dict[str, frozenset[str]]:
    """For many residents in one statement (a batch of messages or pushes): the agencies each one withholds."""
    ids = sorted(set(resident_ids))
    withheld: dict[str, set[str]] = {resident_id: set() for resident_id in ids}
    if ids:
        stmt = select(Consent.resident_id, Consent.agency).where(
            Consent.resident_id.in_(ids), Consent.granted.is_(False)
        )
        for resident_id, agency in session.execute(stmt):
            withheld[resident_id].add(agency)
    return {resident_id: frozenset(agencies) for resident_id, agencies in withheld.items()}
