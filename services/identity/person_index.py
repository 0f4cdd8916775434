"""The platform's master person index (MPI): find a resident's agency records, or link one by letter code.

A thin HTTP client with a short timeout. ``PersonIndexUnavailable`` means "ask again later" (the caller
records it and retries); a definite "no such person/case" is an answer (``None``), not an error.
"""

from __future__ import annotations

import dataclasses

import httpx


class PersonIndexUnavailable(Exception):
    """The index did not answer, or answered in a way the hub cannot use; ``kind`` says which."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind  # unreachable | rejected


@dataclasses.dataclass(frozen=True)
class RecordMatch:
    agency: str
    record_id: str


@dataclasses.dataclass(frozen=True)
class PersonMatch:
    person_id: str
    records: tuple[RecordMatch, ...]


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
            raise PersonIndexUnavailable("unreachable") from None
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise PersonIndexUnavailable("rejected")
        try:
            payload = response.json()
        except ValueError:
            raise PersonIndexUnavailable("rejected") from None
        if not isinstance(payload, dict):
            raise PersonIndexUnavailable("rejected")
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
            raise PersonIndexUnavailable("rejected") from None

    def link(self, *, agency: str, case_number: str, letter_code: str) -> tuple[str, RecordMatch] | None:
        """``(person_id, record)`` for a case number plus the code printed on its letters, or ``None``."""
        payload = self._post("mpi/link", {"agency": agency, "case_number": case_number, "letter_code": letter_code})
        if payload is None:
            return None
        try:
            return str(payload["person_id"]), RecordMatch(str(payload["agency"]), str(payload["record_id"]))
        except KeyError:
            raise PersonIndexUnavailable("rejected") from None
