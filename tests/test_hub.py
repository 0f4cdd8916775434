"""The hub builds each collaborator once per process, even when the first requests arrive together."""

from __future__ import annotations

import threading

from composition import JOBS
from services.background import ManualRunner
from services.hub import Hub, built_once
from services.readiness import Readiness


class SlowHub(Hub):
    @built_once
    def slow_to_build(self) -> object:
        threading.Event().wait(0.2)  # long enough for every thread to ask before the first build ends
        return object()


def test_concurrent_first_uses_share_one_component(hub):
    slow = SlowHub(
        hub.settings,
        jobs=JOBS,
        runner=ManualRunner,
        push_transport=lambda _settings: None,
        engine=hub.engine,
        readiness=Readiness(),
    )
    seen: list[object] = []
    start = threading.Barrier(8)

    def ask() -> None:
        start.wait()
        seen.append(slow.slow_to_build)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 8 and len({id(found) for found in seen}) == 1
