"""The one HTTP client for the unified data platform: per-request timeouts and, per agency, a guard (circuit
breaker, known-slow mark, bulkhead for inline waits: ``services/platform/guard.py``).

Built once per process (``Hub.platform``), so its connection pool and its guards are shared by every request and
job in the process. Retries are not made here: a read
must answer within its budget; background work uses ``retrying_view``.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import datetime as dt
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import httpx
import orjson
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_random_exponential

from services import clock
from services.platform import adapters
from services.platform.guard import AgencyGuard, CircuitOpen, InlineSlot
from services.platform.records import TRANSIENT_KINDS, SourceError, SourceErrorKind
from services.platform.views import SourceView, pulled
from services.readiness import Check
from services.vocabulary import AGENCIES

if TYPE_CHECKING:
    from services.hub import Hub

MAX_PAGES = 50
T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class RecordRef:
    """Where one resident's records live at one agency (from their ``ResidentLink``)."""

    agency: str
    record_id: str
    person_id: str | None = None


@dataclasses.dataclass(frozen=True)
class ExportedRecord:
    """One record of a bulk export page: its ids and the document its per-record feed would answer."""

    record_id: str
    person_id: str | None
    page: adapters.Page


@dataclasses.dataclass(frozen=True)
class RecordsPage:
    records: list[ExportedRecord]
    next_cursor: str | None  # None: the export is complete
    taken_at: dt.datetime  # hub clock when the page was asked for (what each record's pulled view is taken at)


class _NotFound(Exception):
    """The platform answered 404: the agency does not know this record (not a platform failure)."""


class _Transient(Exception):
    """Timeout, refused connection or a 5xx: the agency is unwell; counts against its breaker."""

    def __init__(self, kind: SourceErrorKind, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind


class PlatformClient:
    def __init__(
        self,
        base_url: str,
        key: str,
        *,
        timeout: float = 3.0,
        fail_max: int = 3,
        reset_seconds: float = 30,
        slow_after_seconds: float = 2.0,
        inline_slots: int = 2,
        transport: httpx.BaseTransport | None = None,
        in_maintenance: Callable[[str], object | None] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._http = httpx.Client(
            base_url=self.base_url + "/",
            headers={"Authorization": f"Bearer {key}", "Accept": "application/json, application/fhir+json, */*"},
            timeout=timeout,
            transport=transport,
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
        )
        self.guards = {
            agency: AgencyGuard(
                agency,
                fail_max=fail_max,
                reset_seconds=reset_seconds,
                slow_after_seconds=slow_after_seconds,
                inline_slots=inline_slots,
            )
            for agency in AGENCIES
        }
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=16, thread_name_prefix="platform-read")
        self._reachable: tuple[float, bool, str | None] | None = None
        self._reach_lock = threading.Lock()
        # the agency's planned outage now, if any (``services/platform/maintenance.py``): no call is made during it
        self.in_maintenance = in_maintenance or (lambda agency: None)

    # Records ----------------------------------------------------------------------------------------

    def view(self, ref: RecordRef, *, timeout: float | None = None) -> SourceView:
        """The agency's records for ``ref``, normalised, with the moment they show (``services/platform/views.py``);
        any failure is a ``SourceError`` (never anything else)."""
        taken_at = clock.now()  # before the request: the answer shows the platform at this moment or later
        pages = self.fetch(ref, timeout=timeout)
        records = adapters.normalise(ref.agency, pages)
        return pulled(records, taken_at, adapters.view_stamp(ref.agency, pages))

    def fetch(self, ref: RecordRef, *, timeout: float | None = None) -> list[adapters.Page]:
        return self._guarded(ref.agency, lambda: self._fetch(ref, timeout or self.timeout))

    def records_page(self, agency: str, cursor: str | None, limit: int) -> RecordsPage:
        """One page of the agency's bulk export (``GET agencies/{agency}/records``), behind the same guard as a
        per-record fetch; any failure is a ``SourceError``. ``cursor`` None is the start."""
        taken_at = clock.now()

        def call() -> RecordsPage:
            params = {"limit": str(limit), **({"cursor": cursor} if cursor else {})}
            response = self._get(agency, adapters.Request(f"agencies/{agency}/records", params), self.timeout * 10)
            try:
                body = orjson.loads(response.content)  # a page is megabytes; orjson reads it several times faster
                items = [
                    ExportedRecord(
                        item["record_id"], item.get("person_id"), adapters.Page(item["content_type"], item["body"])
                    )
                    for item in body["records"]
                ]
            except (ValueError, KeyError, TypeError):
                raise SourceError(agency, SourceErrorKind.MALFORMED, "the bulk export's page is not readable") from None
            following = body.get("next_cursor")
            return RecordsPage(items, following if isinstance(following, str) else None, taken_at)

        return self._guarded(agency, call)

    def record_ids_page(self, agency: str, cursor: str | None, limit: int) -> tuple[list[tuple[str, str]], str | None]:
        """One page of the bulk export without documents: ([(record id, person id)], next cursor)."""
        params = {"limit": str(limit), "fields": "ids", **({"cursor": cursor} if cursor else {})}
        request = adapters.Request(f"agencies/{agency}/records", params)
        body = self._guarded(agency, lambda: self._get(agency, request, self.timeout * 10)).json()
        return [(item["record_id"], item["person_id"]) for item in body["records"]], body.get("next_cursor")

    def _guarded(self, agency: str, call: Callable[[], T]) -> T:
        """Run one platform call for ``agency``: never during its planned outage, never while its breaker is
        open; transient failures count against the breaker, an answer (even 404 or a bad record) for it."""
        if self.in_maintenance(agency) is not None:
            raise SourceError(agency, SourceErrorKind.MAINTENANCE, "planned maintenance: not asked until it ends")
        guard = self.guards[agency]
        try:
            guard.before_call()
        except CircuitOpen:
            raise SourceError(
                agency, SourceErrorKind.CIRCUIT_OPEN, "the agency failed repeatedly; not asked for now"
            ) from None
        started = time.monotonic()
        try:
            answer = call()
        except _Transient as error:
            guard.failed(timed_out=error.kind == SourceErrorKind.TIMEOUT)
            raise SourceError(agency, error.kind, str(error)) from None
        except (_NotFound, SourceError) as error:  # the agency answered: about the record, not its health
            guard.succeeded(time.monotonic() - started)
            if isinstance(error, SourceError):
                raise
            raise SourceError(agency, SourceErrorKind.NOT_FOUND, "the agency does not know this record") from None
        except BaseException:
            guard.failed(timed_out=False)
            raise
        guard.succeeded(time.monotonic() - started)
        return answer

    def inline_slot(self, agency: str) -> InlineSlot | None:
        """May a read wait for ``agency`` now? A slot to release when the call ends, or None (see ``guard``)."""
        return self.guards[agency].inline_slot()

    def retrying_view(self, ref: RecordRef, *, attempts: int = 4, max_wait: float = 8.0) -> SourceView:
        """For background work only: retry transient failures with jittered exponential backoff."""
        retrying = Retrying(
            stop=stop_after_attempt(attempts),
            wait=wait_random_exponential(multiplier=0.5, max=max_wait),
            retry=retry_if_exception(_is_transient),
            reraise=True,
        )
        return retrying(self.view, ref)

    def _fetch(self, ref: RecordRef, timeout: float) -> list[adapters.Page]:
        deadline = time.monotonic() + timeout
        pages: list[adapters.Page] = []
        request: adapters.Request | None = adapters.first_request(ref)
        while request is not None:
            if len(pages) >= MAX_PAGES:
                raise SourceError(ref.agency, SourceErrorKind.MALFORMED, f"more than {MAX_PAGES} pages")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _Transient(SourceErrorKind.TIMEOUT, f"no complete answer within {timeout:.1f}s")
            response = self._get(ref.agency, request, remaining)
            page = adapters.Page(response.headers.get("content-type", ""), response.text)
            pages.append(page)
            request = adapters.next_request(ref, request, page)
        return pages

    def _get(self, agency: str, request: adapters.Request, timeout: float) -> httpx.Response:
        try:
            response = self._http.get(request.path, params=request.params, timeout=timeout)
        except httpx.TimeoutException:
            raise _Transient(SourceErrorKind.TIMEOUT, f"no answer within {timeout:.1f}s") from None
        except httpx.TransportError as error:
            raise _Transient(SourceErrorKind.UNREACHABLE, type(error).__name__) from None
        if response.status_code == 404:
            raise _NotFound()
        if response.status_code >= 500 or response.status_code == 429:
            raise _Transient(SourceErrorKind.HTTP_ERROR, f"HTTP {response.status_code}")
        if response.status_code >= 400:
            raise _Transient(SourceErrorKind.REJECTED, f"HTTP {response.status_code}")
        return response

    # Document intake ------------------------------------------------------------------------------

    def forward_document(
        self, agency: str, fields: dict[str, str], filename: str, content_type: str, content: bytes
    ) -> dict:
        """Send one file to the platform's document intake (idempotent there by ``fields["upload_id"]``) → its
        acknowledgement ``{tracking_number, status, reason, ...}``; any failure is a ``SourceError``."""

        def post(timeout: float) -> httpx.Response:
            return self._http.post(
                "documents",
                data={**fields, "agency": agency},
                files={"file": (filename, content, content_type)},
                timeout=max(timeout, 10.0),
            )

        return self._intake_call(agency, post)

    def document_status(self, agency: str, upload_id: str) -> dict:
        """The intake's status of one forwarded upload; any failure is a ``SourceError``."""
        return self._intake_call(agency, lambda timeout: self._http.get(f"documents/{upload_id}", timeout=timeout))

    def maintenance_calendar(self) -> dict | None:
        """The platform's announced maintenance windows (``GET maintenance``), or None when it cannot be had."""
        try:
            response = self._http.get("maintenance", timeout=self.timeout)
            return response.json() if response.status_code == 200 else None
        except (httpx.HTTPError, ValueError):
            return None

    def interview_slots(self, agency: str, record_id: str, action_key: str) -> dict:
        """The times the agency offers for an interview (``{"slots": [...]}``); any failure is a ``SourceError``."""
        path = f"interviews/{agency}/{record_id}/{action_key}/slots"
        return self._intake_call(agency, lambda timeout: self._http.get(path, timeout=timeout), require="slots")

    def book_interview(self, agency: str, record_id: str, action_key: str, slot_id: str, booking_id: str) -> dict:
        """Book or move the interview (idempotent by ``booking_id``) → the agency's confirmation; a slot just
        taken is a ``SourceError`` of kind ``rejected`` with detail ``HTTP 409``."""
        path = f"interviews/{agency}/{record_id}/{action_key}/appointment"
        body = {"slot_id": slot_id, "booking_id": booking_id}
        return self._intake_call(
            agency, lambda timeout: self._http.put(path, json=body, timeout=timeout), require="confirmation_number"
        )

    # Authorized representatives ---------------------------------------------------------------------

    def record_designation(
        self, agency: str, record_id: str, hub_designation_id: str, representative: dict[str, str]
    ) -> dict:
        """Record with the agency that the record's person named ``representative`` (``given_name``,
        ``family_name``), idempotent by the hub's designation id → the platform's designation."""
        path = f"representatives/{agency}/{record_id}/{hub_designation_id}"
        body = {"representative": representative}
        return self._intake_call(
            agency, lambda timeout: self._http.put(path, json=body, timeout=timeout), require="designation_id"
        )

    def end_designation(self, agency: str, designation_id: str, ended_by: str) -> dict:
        """Tell the agency a designation ended (and who ended it); ending an ended one is harmless."""
        path = f"representatives/{agency}/designations/{designation_id}/end"
        body = {"ended_by": ended_by}
        return self._intake_call(
            agency, lambda timeout: self._http.post(path, json=body, timeout=timeout), require="designation_id"
        )

    def record_designations(self, agency: str, record_id: str) -> list[dict]:
        """Every designation the agency holds for the record (recorded by the hub or by itself, active or ended)."""
        path = f"representatives/{agency}/{record_id}"
        call = self._intake_call(agency, lambda timeout: self._http.get(path, timeout=timeout), require="designations")
        return list(call["designations"])

    def designations_naming(self, person_id: str) -> list[dict]:
        """Every designation, at any agency, naming the platform person ``person_id`` as the representative; a
        failure is a ``SourceError`` (of the agency ``*``: the platform's directory, not one agency's)."""
        try:
            response = self._http.get(
                "representatives", params={"representative_person_id": person_id}, timeout=self.timeout
            )
            body = response.json() if response.status_code == 200 else None
        except (httpx.HTTPError, ValueError):
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("designations"), list):
            raise SourceError("*", SourceErrorKind.UNREACHABLE, "the platform's representatives did not answer")
        return body["designations"]

    def _intake_call(self, agency: str, call, *, require: str = "tracking_number") -> dict:
        if self.in_maintenance(agency) is not None:
            raise SourceError(agency, SourceErrorKind.MAINTENANCE, "planned maintenance: not sent until it ends")
        guard = self.guards[agency]
        try:
            guard.before_call()
        except CircuitOpen:
            raise SourceError(
                agency, SourceErrorKind.CIRCUIT_OPEN, "the agency failed repeatedly; not asked for now"
            ) from None
        started = time.monotonic()
        try:
            response = call(self.timeout)
        except httpx.TimeoutException:
            guard.failed(timed_out=True)
            raise SourceError(agency, SourceErrorKind.TIMEOUT, "no answer from the document intake") from None
        except httpx.TransportError as error:
            guard.failed(timed_out=False)
            raise SourceError(agency, SourceErrorKind.UNREACHABLE, type(error).__name__) from None
        if response.status_code >= 500 or response.status_code == 429:
            guard.failed(timed_out=False)
            raise SourceError(agency, SourceErrorKind.HTTP_ERROR, f"HTTP {response.status_code}")
        guard.succeeded(time.monotonic() - started)
        if response.status_code == 404:
            raise SourceError(agency, SourceErrorKind.NOT_FOUND, "the intake does not know this upload")
        if response.status_code >= 400:
            raise SourceError(agency, SourceErrorKind.REJECTED, f"HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            raise SourceError(agency, SourceErrorKind.MALFORMED, "the intake's answer is not JSON") from None
        if not isinstance(body, dict) or body.get(require) is None:
            raise SourceError(agency, SourceErrorKind.MALFORMED, f"the platform's answer has no {require}")
        return body

    # Readiness --------------------------------------------------------------------------------------

    def reachable(self, cache_seconds: float = 15.0) -> tuple[bool, str | None]:
        """Whether the platform answers HTTP at all (any status), cached so probes stay cheap."""
        with self._reach_lock:
            if self._reachable and time.monotonic() - self._reachable[0] < cache_seconds:
                return self._reachable[1], self._reachable[2]
            try:
                self._http.get("", timeout=1.0)
                result = (True, None)
            except httpx.HTTPError as error:
                result = (False, type(error).__name__)
            self._reachable = (time.monotonic(), *result)
            return result

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
        self._http.close()


def _is_transient(error: BaseException) -> bool:
    return isinstance(error, SourceError) and error.kind in TRANSIENT_KINDS


def platform_check(hub: Hub) -> Check:
    """A readiness check that reports the platform without failing readiness: the hub serves last good
    copies when the platform is down, so taking every instance out of rotation would only make it worse."""

    def check() -> tuple[bool, str | None]:
        ok, detail = hub.platform.reachable()
        return True, "reachable" if ok else f"unreachable ({detail}); serving last good copies"

    return check
