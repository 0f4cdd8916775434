"""Background work: jobs submitted by reference, and the runners that run them.

A job is a plain function of the hub and JSON-able keyword arguments, made a ``Job`` with ``@job(name)``
beside the service function it wraps; it opens its own sessions and is safe to run twice. Code submits the
job object itself (``hub.runner.submit(refresh_source_job, resident_id=…, agency=…)``), so a misspelt job fails
at import and a wrong argument at ``submit``, never inside a worker. ``name`` is the job's Celery task name:
it never changes once deployed, or tasks already queued under the old name are lost. The composition root
(``composition.py``) lists every job in one ``JobRegistry``; Celery tasks and the beat schedule come from it.

``submit`` is best effort: it answers whether the job was queued and never raises because the broker is down
or frozen (a request never fails for it). Nothing that must not be lost depends on a submission: the outbox and
the periodic jobs catch up, and a caller that recorded a request (a read's debounced refresh, a pushed event's
pull) undoes it when ``submit`` answers ``False``.

- ``InProcessRunner`` (embedded default): a small thread pool plus a ticker for periodic jobs.
- ``CeleryRunner`` (production, ``services/celery_app.py``): publishes to Celery workers over Redis.
- ``ManualRunner`` (tests): records what a broker would receive; a test runs it with ``run_pending()``, so no
  background work happens behind a test's back and an unexpected submission is visible.

Runners get what they need when they are built (the hub builds its own runner: ``Hub(runner=…)``), never
patched afterwards.
"""

from __future__ import annotations

import inspect
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, Protocol, TypeVar

if TYPE_CHECKING:
    from services.hub import Hub

log = logging.getLogger("hub.background")

P = ParamSpec("P")
R = TypeVar("R")


class Job(Generic[P, R]):
    """A background job: ``func(hub, **kwargs)`` under a stable task ``name``, optionally every ``every_seconds``."""

    def __init__(self, name: str, func: Callable[Concatenate[Hub, P], R], every_seconds: float | None = None) -> None:
        self.name = name
        self.func = func
        self.every_seconds = every_seconds
        self._signature = inspect.signature(func)
        self.__doc__ = func.__doc__

    def __call__(self, hub: Hub, *args: P.args, **kwargs: P.kwargs) -> R:
        return self.func(hub, *args, **kwargs)

    def check_arguments(self, args: tuple, kwargs: dict[str, Any]) -> None:
        """Refuse what could not reach a worker: positional or unknown arguments, values that are not JSON."""
        if args:
            raise TypeError(f"job {self.name} takes keyword arguments only (they travel as JSON)")
        self._signature.bind(None, **kwargs)
        json.dumps(kwargs)

    def __repr__(self) -> str:
        return f"<Job {self.name}>"


def job(name: str, *, every_seconds: float | None = None) -> Callable[[Callable[Concatenate[Hub, P], R]], Job[P, R]]:
    """Make the decorated function a ``Job`` named ``name`` (its task name); ``every_seconds`` makes it periodic."""

    def decorator(func: Callable[Concatenate[Hub, P], R]) -> Job[P, R]:
        return Job(name, func, every_seconds)

    return decorator


class JobRegistry:
    """Every job a process knows, by reference; task names must be unique."""

    def __init__(self, jobs: Iterable[Job]) -> None:
        self._by_name: dict[str, Job] = {}
        for one in jobs:
            if one.name in self._by_name:
                raise ValueError(f"two jobs are named {one.name!r}")
            self._by_name[one.name] = one

    def __iter__(self) -> Iterator[Job]:
        return iter(self._by_name.values())

    def including(self, *jobs: Job) -> JobRegistry:
        """This registry plus ``jobs`` (tests add jobs of their own)."""
        return JobRegistry([*self, *jobs])

    def named(self, name: str) -> Job:
        """The job a queued task names (a broker message carries the name, not the object)."""
        try:
            return self._by_name[name]
        except KeyError:
            raise LookupError(f"no job named {name!r} is registered") from None

    @property
    def periodic(self) -> list[Job]:
        return [one for one in self if one.every_seconds]

    def check(self, submitted: Job, args: tuple, kwargs: dict[str, Any]) -> None:
        """Refuse a job this process's workers would not know, or arguments they could not take."""
        if self._by_name.get(submitted.name) is not submitted:
            raise LookupError(f"{submitted!r} is not in the job registry (composition.JOBS)")
        submitted.check_arguments(args, kwargs)


class Runner(Protocol):
    """What the hub submits background work to."""

    def submit(self, job: Job[P, Any], /, *args: P.args, **kwargs: P.kwargs) -> bool: ...

    def start(self) -> None: ...

    def stop(self) -> None: ...


class ManualRunner:
    """Tests: ``pending`` holds ``(task name, kwargs)`` as a broker would receive them; ``run_pending()`` runs them
    against the hub, looking each up in the registry as a worker does."""

    def __init__(self, hub: Hub, jobs: JobRegistry) -> None:
        self.hub = hub
        self.jobs = jobs
        self.pending: list[tuple[str, dict[str, Any]]] = []

    def submit(self, job: Job[P, Any], /, *args: P.args, **kwargs: P.kwargs) -> bool:
        self.jobs.check(job, args, kwargs)
        self.pending.append((job.name, dict(kwargs)))
        return True

    def run_pending(self, *names: str) -> int:
        """Run what is pending (and what that submits), oldest first; with ``names``, only jobs of those names
        (the others stay pending, as in a broker whose other queues no worker reads)."""
        ran = 0
        while True:
            due = [i for i, (name, _) in enumerate(self.pending) if not names or name in names]
            if not due:
                return ran
            name, kwargs = self.pending.pop(due[0])
            self.jobs.named(name)(self.hub, **kwargs)
            ran += 1

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass


class InProcessRunner:
    """The embedded default: jobs on a small thread pool, periodic jobs from a ticker thread."""

    def __init__(self, hub: Hub, jobs: JobRegistry, workers: int = 4) -> None:
        self.hub = hub
        self.jobs = jobs
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="hub-job")
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def submit(self, job: Job[P, Any], /, *args: P.args, **kwargs: P.kwargs) -> bool:
        self.jobs.check(job, args, kwargs)
        try:
            self._executor.submit(self._run_logged, job, kwargs)
        except RuntimeError:  # shutting down
            log.warning("job not queued: the runner is stopping", extra={"job": job.name})
            return False
        return True

    def _run_logged(self, job: Job, kwargs: dict[str, Any]) -> None:
        try:
            job(self.hub, **kwargs)
        except Exception:
            log.exception("background job failed", extra={"job": job.name})

    def start(self) -> None:
        """Start the ticker for periodic jobs (the embedded stand-in for Celery beat)."""
        if self._ticker or not self.jobs.periodic:
            return
        self._ticker = threading.Thread(target=self._tick, name="hub-ticker", daemon=True)
        self._ticker.start()

    def _tick(self) -> None:
        last: dict[str, float] = {}
        periodic = self.jobs.periodic
        while not self._stop.wait(0.5):
            now = time.monotonic()
            for one in periodic:
                if now - last.get(one.name, 0.0) >= one.every_seconds:
                    last[one.name] = now
                    self.submit(one)

    def stop(self) -> None:
        self._stop.set()
        self._executor.shutdown(wait=True, cancel_futures=False)
