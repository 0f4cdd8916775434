"""Readiness checks: small callables that say whether a dependency answers, cached briefly so probes stay cheap."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.engine import Engine

Check = Callable[[], tuple[bool, str | None]]


class Readiness:
    def __init__(self, cache_seconds: float = 2.0) -> None:
        self._checks: list[tuple[str, Check]] = []
        self._cache_seconds = cache_seconds
        self._cached: tuple[float, list[dict]] | None = None
        self._lock = threading.Lock()

    def add(self, name: str, check: Check) -> None:
        self._checks.append((name, check))
        self._cached = None

    def run(self) -> list[dict]:
        with self._lock:
            if self._cached and time.monotonic() - self._cached[0] < self._cache_seconds:
                return self._cached[1]
            results = [self._run_one(name, check) for name, check in self._checks]
            self._cached = (time.monotonic(), results)
            return results

    @staticmethod
    def _run_one(name: str, check: Check) -> dict:
        started = time.perf_counter()
        try:
            ok, detail = check()
        except Exception as error:  # a probe reports failures, it does not raise them
            ok, detail = False, type(error).__name__
        return {
            "name": name,
            "ok": ok,
            "detail": detail,
            "elapsed_ms": round((time.perf_counter() - started) * 1000, 2),
        }


def database_check(engine: Engine) -> Check:
    def check() -> tuple[bool, str | None]:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True, None

    return check


def redis_check(url: str, timeout: float) -> Check:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)

    def check() -> tuple[bool, str | None]:
        return bool(client.ping()), None

    return check
