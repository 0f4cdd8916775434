"""Signed callbacks: POST each queued status change to the partner's callback URL, retried with backoff.

Every request carries the exact JSON stored when the change happened, ``X-Hub-Signature: sha256=<hex>`` (the
HMAC-SHA256 of that raw body with the app's callback secret), ``X-Hub-Timestamp`` (unix seconds of this attempt),
and ``X-Hub-Callback-Id`` (the same on every retry, so a receiver can drop a repeat). A 2xx is delivered. A 5xx,
a 429 (its ``Retry-After`` respected when longer) or a timeout or connection failure is tried again after
``BACKOFF`` (10 s, 30 s, 2 min, 10 min, 30 min, 1 h, 2 h …) until ``PARTNER_CALLBACK_ATTEMPTS``; any other
answer (a 4xx, a redirect) is a receiver's refusal and is never retried. Due callbacks are claimed with
``FOR UPDATE SKIP LOCKED`` (PostgreSQL) and a lease, so two workers never post the same one at once and none is
lost with a worker; the job runs every few seconds and right after the dispatcher queued some.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import logging
import time

import httpx
from sqlalchemy import select

from services import clock
from services.background import job
from services.hub import Hub
from services.models.partners import PartnerApp, PartnerCallback
from services.partner.apps import callback_secret

log = logging.getLogger("hub.partner.callbacks")

BACKOFF_SECONDS = (10, 30, 120, 600, 1800, 3600, 7200, 14400)
BATCH_SIZE = 50
DELIVERED, FAILED, PENDING = "delivered", "failed", "pending"
RETRYABLE_STATUS = frozenset({429}) | frozenset(range(500, 600))
LEASE_SECONDS = 30


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_signature(secret: str, body: bytes, header: str | None) -> bool:
    """What a receiver does (the README's example does the same)."""
    return bool(header) and hmac.compare_digest(signature(secret, body), header or "")


@dataclasses.dataclass
class CallbackReport:
    delivered: int = 0
    retried: int = 0
    failed: int = 0


def _backoff(attempts: int, retry_after: str | None) -> dt.timedelta:
    seconds = BACKOFF_SECONDS[min(attempts, len(BACKOFF_SECONDS)) - 1]
    if retry_after and retry_after.isdigit():
        seconds = max(seconds, min(int(retry_after), 24 * 3600))
    return dt.timedelta(seconds=seconds)


@dataclasses.dataclass(frozen=True)
class _Claimed:
    id: str
    url: str | None
    secret: str
    body: bytes


def deliver_due_callbacks(
    hub: Hub, *, http: httpx.Client | None = None, batch_size: int = BATCH_SIZE
) -> CallbackReport:
    """Post every due callback once. A batch is claimed in a short transaction (its rows leased for
    ``LEASE_SECONDS`` past the timeout, so a worker that dies mid-batch hands them back), posted outside any
    transaction, and each answer recorded in one short transaction of its own."""
    report = CallbackReport()
    settings = hub.settings
    client = http or httpx.Client(timeout=settings.partner_callback_timeout_seconds, follow_redirects=False)
    try:
        while True:
            claimed = _claim(hub, batch_size)
            for item in claimed:
                _record(hub, item, _post(client, item), report)
            if len(claimed) < batch_size:
                break
    finally:
        if http is None:
            client.close()
    return report


def _claim(hub: Hub, batch_size: int) -> list[_Claimed]:
    lease = dt.timedelta(seconds=hub.settings.partner_callback_timeout_seconds + LEASE_SECONDS)
    with hub.session() as session:
        now = clock.now()
        due = list(
            session.scalars(
                select(PartnerCallback)
                .where(PartnerCallback.state == PENDING, PartnerCallback.next_attempt_at <= now)
                .order_by(PartnerCallback.next_attempt_at, PartnerCallback.id)
                .limit(batch_size)
                .with_for_update(skip_locked=True)
            )
        )
        claimed = []
        for callback in due:
            app = session.get(PartnerApp, callback.client_id)
            callback.next_attempt_at = now + lease
            claimed.append(
                _Claimed(
                    callback.id,
                    app.callback_url if app is not None else None,
                    (callback_secret(app, hub.field_cipher) if app is not None else None) or "",
                    callback.body.encode(),
                )
            )
        session.commit()
    return claimed


@dataclasses.dataclass(frozen=True)
class _Answer:
    status_code: int | None
    retryable: bool
    error: str | None
    retry_after: str | None = None


def _post(client: httpx.Client, item: _Claimed) -> _Answer:
    if not item.url:
        return _Answer(None, False, "no callback URL registered any more")
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "BenefitsHub-Callbacks/1",
        "X-Hub-Signature": signature(item.secret, item.body),
        "X-Hub-Timestamp": str(int(time.time())),
        "X-Hub-Callback-Id": item.id,
    }
    try:
        response = client.post(item.url, content=item.body, headers=headers)
    except httpx.TimeoutException:
        return _Answer(None, True, "timeout")
    except httpx.HTTPError as error:
        return _Answer(None, True, type(error).__name__)
    if 200 <= response.status_code < 300:
        return _Answer(response.status_code, False, None)
    retryable = response.status_code in RETRYABLE_STATUS
    return _Answer(response.status_code, retryable, f"HTTP {response.status_code}", response.headers.get("Retry-After"))


def _record(hub: Hub, item: _Claimed, answer: _Answer, report: CallbackReport) -> None:
    with hub.session() as session:
        callback = session.get(PartnerCallback, item.id)
        if callback is None or callback.state != PENDING:
            return
        callback.attempts += 1
        callback.last_status_code, callback.last_error = answer.status_code, answer.error
        if answer.error is None:
            callback.state, callback.delivered_at = DELIVERED, clock.now()
            report.delivered += 1
        elif answer.retryable and callback.attempts < hub.settings.partner_callback_attempts:
            callback.next_attempt_at = clock.now() + _backoff(callback.attempts, answer.retry_after)
            report.retried += 1
        else:
            callback.state = FAILED
            report.failed += 1
            log.info("partner callback given up", extra={"callback_id": item.id, "attempts": callback.attempts})
        session.commit()


@job("partner.deliver_callbacks", every_seconds=5.0)
def deliver_callbacks_job(hub: Hub) -> None:
    """Due signed callbacks to partners: every few seconds, and as soon as the dispatcher queued some."""
    report = deliver_due_callbacks(hub)
    if report.delivered or report.failed or report.retried:
        log.info("partner callbacks", extra=dataclasses.asdict(report))
