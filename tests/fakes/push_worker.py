"""A push sender in its own process, for the tests and benchmarks that kill one mid-send (SIGKILL).

It does what a Celery worker does for ``notifications.send_deliveries``: ``send_due_deliveries`` in a loop,
through the real ``FCMTransport`` (firebase-admin) pointed at a fake FCM server, until it is stopped::

    python -m tests.fakes.push_worker --database-url sqlite:///… --fcm-url http://127.0.0.1:N [--max-in-flight 32]

It prints ``push worker ready`` once its transport exists, and a line per loop that sent something.
"""

from __future__ import annotations

import argparse
import signal
import threading

from composition import build_hub
from config import Settings
from notifications.delivery import send_due_deliveries
from notifications.transports.fcm import DEFAULT_MAX_IN_FLIGHT, FCMTransport
from services.background import ManualRunner
from services.db import make_engine
from services.readiness import Readiness
from tests.fakes.credentials import FixedTokenCredential

PROJECT = "benefits-hub-test"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--fcm-url", required=True)
    parser.add_argument("--project", default=PROJECT)
    parser.add_argument("--max-in-flight", type=int, default=DEFAULT_MAX_IN_FLIGHT)
    parser.add_argument("--every", type=float, default=0.2, help="seconds between runs")
    args = parser.parse_args(argv)

    settings = Settings.from_env({}, hub_env="test", database_url=args.database_url, log_level="WARNING")
    engine = make_engine(args.database_url, pool_size=4)
    hub = build_hub(settings, engine=engine, readiness=Readiness(), runner=ManualRunner)  # a send queues nothing
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    with FCMTransport(
        project_id=args.project,
        credential=FixedTokenCredential(),
        endpoint=args.fcm_url,
        max_in_flight=args.max_in_flight,
    ) as transport:
        print("push worker ready", flush=True)
        while not stopped.is_set():
            report = send_due_deliveries(hub, transport=transport)
            if report.sent or report.reclaimed:
                print(f"sent {report.sent} reclaimed {report.reclaimed}", flush=True)
            stopped.wait(args.every)
    engine.dispose()


if __name__ == "__main__":
    main()
