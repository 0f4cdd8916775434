"""Idempotency keys: claim a key for a request, record its answer, replay that answer to a retry.

A write a client may retry (a phone on a flaky network, a support console double-click) carries an
``Idempotency-Key``. The first request with a key claims it (a committed ``in_flight`` row: the unique
(caller, key) constraint decides between concurrent duplicates), runs, and records its answer. Then, for 24
hours, the same key from the same caller:

- with the same request (fingerprint) answers the recorded answer again, and does nothing more;
- with another request is a 409 (``KeyReused``);
- while the first is still running is a 409 with ``Retry-After`` (``KeyInFlight``): never a second execution.

Only a write that happened is remembered: an answer outside 2xx releases the key, so fixing the request and
retrying with the same key works. A process that dies after the write and before recording its answer leaves
the key ``in_flight``: retries get 409 until it expires, rather than a second execution. The key rows are
claimed and recorded in their own short transactions, beside the request's session.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from services import clock
from services.background import job
from services.errors import Conflict
from services.hub import Hub
from services.models.idempotency import DONE, IN_FLIGHT, IdempotencyKey

KEEP_FOR = dt.timedelta(hours=24)


@dataclasses.dataclass(frozen=True)
class StoredAnswer:
    status: int
    body: str
    headers: dict[str, str]


class KeyReused(Conflict):
    title = "Idempotency key reused"
    slug = "idempotency-key-reused"


class KeyInFlight(Conflict):
    title = "Request in progress"
    slug = "idempotency-key-in-flight"


def claim(sessions: sessionmaker[Session], caller: str, key: str, fingerprint: str) -> StoredAnswer | None:
    """``None``: the key is this request's now, go ahead. Otherwise the answer to replay, or a 409 raised."""
    now = clock.now()
    for _attempt in range(3):
        with sessions() as session:
            session.add(IdempotencyKey(caller=caller, key=key, fingerprint=fingerprint, expires_at=now + KEEP_FOR))
            try:
                session.commit()
                return None
            except IntegrityError:
                session.rollback()
            row = session.scalar(
                select(IdempotencyKey).where(IdempotencyKey.caller == caller, IdempotencyKey.key == key)
            )
            if row is None:
                continue  # released or pruned meanwhile: claim again
            if row.expires_at <= now:
                session.delete(row)
                session.commit()
                continue
            if row.fingerprint != fingerprint:
                raise KeyReused(
                    "This Idempotency-Key was used for a different request; use a new key for a new request.",
                    errors={"Idempotency-Key": ["Already used for a different request."]},
                )
            if row.state != DONE:
                break
            return StoredAnswer(row.status_code or 200, row.response_body or "", dict(row.response_headers or {}))
    raise KeyInFlight(
        "A request with this Idempotency-Key is still being processed; retry shortly to get its answer.",
        headers={"Retry-After": "1"},
    )


def record(sessions: sessionmaker[Session], caller: str, key: str, answer: StoredAnswer) -> None:
    with sessions() as session:
        row = session.scalar(
            select(IdempotencyKey).where(
                IdempotencyKey.caller == caller, IdempotencyKey.key == key, IdempotencyKey.state == IN_FLIGHT
            )
        )
        if row is not None:
            row.state, row.status_code = DONE, answer.status
            row.response_body, row.response_headers = answer.body, answer.headers
            session.commit()


def release(sessions: sessionmaker[Session], caller: str, key: str) -> None:
    """Forget a claim whose request wrote nothing (it failed or was refused), so a retry runs it anew."""
    with sessions() as session:
        session.execute(
            delete(IdempotencyKey).where(
                IdempotencyKey.caller == caller, IdempotencyKey.key == key, IdempotencyKey.state == IN_FLIGHT
            )
        )
        session.commit()


def prune_expired(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        result = session.execute(delete(IdempotencyKey).where(IdempotencyKey.expires_at <= clock.now()))
        session.commit()
        return result.rowcount or 0


@job("idempotency.prune", every_seconds=3600)
def prune_idempotency_keys_job(hub: Hub) -> int:
    """Hourly: keys older than 24 hours go."""
    return prune_expired(hub.session_factory)
