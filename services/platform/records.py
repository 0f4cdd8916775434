"""The one normalised benefit model every adapter produces, whatever shape its agency sent.

Plain, frozen values with no database or HTTP in sight: adapters build them, ``services.benefits`` stores them
and diffs them into domain events. Dates are ``datetime.date``; amounts are integer cents.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
import re
import types
import typing
from enum import StrEnum
from typing import Any

import orjson

BENEFIT_STATUSES = (
    "applied",
    "pending",
    "action_needed",
    "approved",
    "active",
    "renewal_due",
    "suspended",
    "denied",
    "closed",
)
ACTION_KINDS = ("document", "interview", "renewal", "report_change")
ACTION_STATES = ("open", "done", "missed", "overdue", "cancelled")
OPEN_ACTION_STATES = ("open", "overdue")
FREQUENCIES = ("monthly", "one_time", "weekly", "biweekly", "yearly")


class SourceErrorKind(StrEnum):
    """Why an agency's records could not be had: ``SourceError.kind``, stored as ``benefit_sources.error_kind``."""

    TIMEOUT = "timeout"  # no complete answer in time
    UNREACHABLE = "unreachable"  # no connection
    HTTP_ERROR = "http_error"  # a 5xx or 429: the agency is unwell
    REJECTED = "rejected"  # another 4xx: the agency refused the hub's request
    CIRCUIT_OPEN = "circuit_open"  # not asked: the agency failed repeatedly (``services/platform/guard.py``)
    NOT_FOUND = "not_found"  # the agency does not know the record
    MALFORMED = "malformed"  # an answer its adapter cannot read
    UNKNOWN_CODE = "unknown_code"  # a code its adapter has never seen
    UNKNOWN_AGENCY = "unknown_agency"  # no adapter for the agency
    MAINTENANCE = "maintenance"  # not asked: the agency announced a planned outage now (``maintenance.py``)


TRANSIENT_KINDS = frozenset({SourceErrorKind.TIMEOUT, SourceErrorKind.UNREACHABLE, SourceErrorKind.HTTP_ERROR})


class SourceError(Exception):
    """What an agency sent could not be read: the last good snapshot stays, the source is marked in error."""

    def __init__(self, agency: str, kind: SourceErrorKind, detail: str) -> None:
        super().__init__(f"{agency}: {kind}: {detail}")
        self.agency = agency
        self.kind = kind
        self.detail = detail[:300]


@dataclasses.dataclass(frozen=True)
class Action:
    """Something the resident must do. ``key`` is the agency's own id for it, stable across syncs."""

    key: str
    kind: str
    title: str
    state: str
    due_on: dt.date | None = None
    scheduled_at: dt.datetime | None = None

    def document(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "kind": self.kind,
            "title": self.title,
            "state": self.state,
            "due_on": _iso(self.due_on),
            "scheduled_at": _iso(self.scheduled_at),
        }


@dataclasses.dataclass(frozen=True)
class Notice:
    key: str
    title: str
    posted_on: dt.date

    def document(self) -> dict[str, Any]:
        return {"key": self.key, "title": self.title, "posted_on": _iso(self.posted_on)}


@dataclasses.dataclass(frozen=True)
class Payment:
    key: str
    cents: int
    currency: str
    paid_on: dt.date

    def document(self) -> dict[str, Any]:
        return {"key": self.key, "cents": self.cents, "currency": self.currency, "paid_on": _iso(self.paid_on)}


@dataclasses.dataclass(frozen=True)
class HouseholdMember:
    """Someone in the case's household as the agency recorded them (the resident included, as ``self``)."""

    relationship: str  # self | spouse | child | other
    birthdate: dt.date | None = None

    def document(self) -> dict[str, Any]:
        return {"relationship": self.relationship, "birthdate": _iso(self.birthdate)}


@dataclasses.dataclass(frozen=True)
class StatusStep:
    status: str
    on: dt.date
    reason: str

    def document(self) -> dict[str, Any]:
        return {"status": self.status, "on": _iso(self.on), "reason": self.reason}


@dataclasses.dataclass(frozen=True)
class Amount:
    cents: int
    currency: str = "USD"
    frequency: str = "monthly"

    def document(self) -> dict[str, Any]:
        return {"cents": self.cents, "currency": self.currency, "frequency": self.frequency}


@dataclasses.dataclass(frozen=True)
class BenefitRecord:
    """One enrolment or application at one agency. ``key`` identifies it within the agency (program + case)."""

    agency: str
    key: str
    program_code: str
    case_number: str
    status: str
    status_reason: str  # a reason code of services.platform.status_reasons (its words: services.texts.words)
    status_since: dt.date | None = None
    amount: Amount | None = None
    next_payment_on: dt.date | None = None
    certification_start: dt.date | None = None
    certification_end: dt.date | None = None
    renewal_due_on: dt.date | None = None
    plan: str | None = None
    actions: tuple[Action, ...] = ()
    notices: tuple[Notice, ...] = ()
    payments: tuple[Payment, ...] = ()
    history: tuple[StatusStep, ...] = ()
    household: tuple[HouseholdMember, ...] = ()  # DHS cases: the household the case covers (nudges read it)

    def __post_init__(self) -> None:
        if self.status not in BENEFIT_STATUSES:
            raise ValueError(f"status {self.status!r} is not in the closed vocabulary")
        for action in self.actions:
            if action.kind not in ACTION_KINDS or action.state not in ACTION_STATES:
                raise ValueError(f"action {action.key!r} has kind {action.kind!r} / state {action.state!r}")

    def document(self) -> dict[str, Any]:
        """This record as plain JSON (dates as ISO strings): what is stored, hashed and compared.

        Built field by field, a fresh dict each call: ``dataclasses.asdict`` deep-copies every value and was most
        of a bulk reconciliation's time. It equals ``dataclasses.asdict`` with dates as ISO strings and tuples as
        lists, keys in the same order (``tests/platform/test_record_documents.py`` holds that for every shape the
        sandbox produces, and fails when a new field is not added here)."""
        return {
            "agency": self.agency,
            "key": self.key,
            "program_code": self.program_code,
            "case_number": self.case_number,
            "status": self.status,
            "status_reason": self.status_reason,
            "status_since": _iso(self.status_since),
            "amount": None if self.amount is None else self.amount.document(),
            "next_payment_on": _iso(self.next_payment_on),
            "certification_start": _iso(self.certification_start),
            "certification_end": _iso(self.certification_end),
            "renewal_due_on": _iso(self.renewal_due_on),
            "plan": self.plan,
            "actions": [action.document() for action in self.actions],
            "notices": [notice.document() for notice in self.notices],
            "payments": [payment.document() for payment in self.payments],
            "history": [step.document() for step in self.history],
            "household": [member.document() for member in self.household],
        }


def record_from_document(document: dict[str, Any]) -> BenefitRecord:
    """The inverse of ``BenefitRecord.document``, read field by field from the dataclasses' own annotations, so a
    new field needs no edit here (used to diff a stored snapshot against a new one, and to present it)."""
    return _load(BenefitRecord, document)


@functools.cache
def _annotations(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _load(cls: type, values: dict[str, Any]) -> Any:
    """``cls`` from its JSON ``values``; an unknown member is a ``KeyError``, a missing required one a ``TypeError``."""
    hints = _annotations(cls)
    return cls(**{name: _from_json(hints[name], value) for name, value in values.items()})


def _from_json(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        (inner,) = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        return _from_json(inner, value)
    if origin is tuple:
        return tuple(_from_json(typing.get_args(hint)[0], item) for item in value)
    if dataclasses.is_dataclass(hint):
        return _load(hint, value)
    if hint is dt.datetime:
        return dt.datetime.fromisoformat(value)
    if hint is dt.date:
        return dt.date.fromisoformat(value)
    return value


def content_hash(records: list[BenefitRecord]) -> str:
    """A stable hash of a source's whole picture: equal hashes mean nothing to write."""
    return documents_hash([record.document() for record in records])


def documents_hash(documents: list[dict[str, Any]]) -> str:
    """``content_hash`` of the records whose ``document()`` are ``documents``, for a caller that stores them too
    (bulk reconciliation's baselines: each record's document built once)."""
    ordered = sorted(documents, key=lambda doc: doc["key"])
    return hashlib.sha256(_canonical(ordered)).hexdigest()


def _canonical(value: Any) -> bytes:
    """``json.dumps(value, sort_keys=True, separators=(",", ":"))`` as bytes (the hashes stored since the start
    are of that text), by orjson when its output is the same bytes: plain ASCII strings (no escapes: ``json``
    escapes non-ASCII and DEL, orjson does not) and no floats (the two format them differently). Documents hold
    only strings, integers, booleans and None (``BenefitRecord``'s annotations), so the fast path is the usual
    one; anything else takes ``json``, except NaN and infinities, which orjson writes as ``null`` and no
    document holds (no field is a float)."""
    try:
        raw = orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        raw = b"\\"
    if raw.isascii() and b"\\" not in raw and b"\x7f" not in raw and not _FLOAT.search(_STRING.sub(b"", raw)):
        return raw
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


_STRING = re.compile(rb'"[^"]*"')  # no backslash in the text, so a string ends at its next quote
_FLOAT = re.compile(rb"[0-9][.eE]")


def stable_key(*parts: object) -> str:
    """A short id for something the agency gives no id of its own (a payment: date + amount + kind)."""
    return hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()[:16]


def _iso(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()
