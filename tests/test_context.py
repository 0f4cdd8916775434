"""The hub's context builds each component once per process, even when the first requests arrive together."""

from __future__ import annotations

import threading

from services.components import component


@component("tests.slow_to_build")
def _slow_to_build(context) -> object:
    threading.Event().wait(0.2)  # long enough for every thread to ask before the first build ends
    return object()


def test_concurrent_first_uses_share_one_component(hub_context):
    seen: list[object] = []
    start = threading.Barrier(8)

    def ask() -> None:
        start.wait()
        seen.append(hub_context.component("tests.slow_to_build"))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 8 and len({id(found) for found in seen}) == 1
