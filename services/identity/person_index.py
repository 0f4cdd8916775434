"""The platform's master person index (MPI): find a resident's agency records, or the case behind a letter code.

A thin HTTP client with a short timeout. ``PersonIndexUnavailable`` means "ask again later" (the caller
records it and retries); a definite "no such person/case" is an answer (``None``), not an error.
"""

from __future__ import annotations

import dataclasses

import httpx

UNREACHABLE, REJECTED = (
    "unreachable",
    "rejected",
)  # why the index could not be used (``residents.records_search_error``)


class PersonIndexUnavailable(Exception):
    """The index did not answer (``UNREACHABLE``), or answered in a way the hub cannot use (``REJECTED``)."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


@dataclasses.dataclass(frozen=True)
class RecordMatch:
    agency: str
    record_id: str


@dataclasses.dataclass(frozen=True)
class PersonMatch:
    person_id: str
    records: tuple[RecordMatch, ...]


@dataclasses.dataclass(frozen=True)
class CaseMatch:
    """The person and record behind a case number whose letter code was right; ``birthdate_matches`` is the
    index's yes/no for a date of birth the hub passed on (``None`` when it passed none)."""

    person_id: str
    record: RecordMatch
    birthdate_matches: bool | None = None


class PersonIndex:
    def __init__(self, platform_url: str, key: str, *, timeout: float = 3.0, http: httpx.Client | None = None):
        self._http = http or httpx.Client(
            base_url=platform_url.rstrip("/") + "/",
            headers={"Authorization": f"Bearer {key}", "Accept": "application/json"},
            timeout=timeout,
        )

    def _post(self, path: str, body: dict[str, str]) -> dict | None:
        try:
            response = self._http.post(path, json=body)
        except httpx.HTTPError:
            raise PersonIndexUnavailable(UNREACHABLE) from None
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise PersonIndexUnavailable(REJECTED)
        try:
            payload = response.json()
        except ValueError:
            raise PersonIndexUnavailable(REJECTED) from None
        if not isinstance(payload, dict):
            raise PersonIndexUnavailable(REJECTED)
        return payload

    def match(self, *, given_name: str, family_name: str, birthdate: str, ssn_last4: str) -> PersonMatch | None:
        """The person and their records for these verified attributes, or ``None`` when the index has no match."""
        payload = self._post(
            "mpi/match",
            {"given_name": given_name, "family_name": family_name, "birthdate": birthdate, "ssn_last4": ssn_last4},
        )
        if payload is None:
            return None
        try:
            records = tuple(RecordMatch(str(r["agency"]), str(r["record_id"])) for r in payload.get("records", []))
            return PersonMatch(str(payload["person_id"]), records)
        except (KeyError, TypeError):
            raise PersonIndexUnavailable(REJECTED) from None

    def link(
        self, *, agency: str, case_number: str, letter_code: str, birthdate: str | None = None
    ) -> CaseMatch | None:
        """The case's person and record for a case number plus the code printed on its letters, or ``None``.

        With ``birthdate`` (ISO date) the index also says whether it is the case person's; it never says what is.
        """
        body = {"agency": agency, "case_number": case_number, "letter_code": letter_code}
        if birthdate is not None:
            body["birthdate"] = birthdate
        payload = self._post("mpi/link", body)
        if payload is None:
            return None
        try:
            record = RecordMatch(str(payload["agency"]), str(payload["record_id"]))
            matches = payload.get("birthdate_matches") if birthdate is not None else None
            if birthdate is not None and not isinstance(matches, bool):
                raise PersonIndexUnavailable(REJECTED)
            return CaseMatch(str(payload["person_id"]), record, matches)
        except KeyError:
            raise PersonIndexUnavailable(REJECTED) from None
