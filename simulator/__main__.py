"""`python -m simulator …`: run the sandbox on its own port (refuses to start when HUB_ENV=production)."""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import date

from simulator.settings import ProductionRefused, refuse_production, settings_from_env


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m simulator", description=__doc__)
    parser.add_argument("--host")
    parser.add_argument("--port", type=int)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--residents", type=int, help="generated residents besides the personas (0..1000000)")
    parser.add_argument("--hub-events-url", help="where signed change events are POSTed; omit to only record them")
    parser.add_argument("--hub-events-secret")
    parser.add_argument("--platform-key")
    parser.add_argument("--public-url")
    parser.add_argument("--start-date", type=date.fromisoformat, help="scenario day 0 (default: today, UTC)")
    parser.add_argument("--access-log", action="store_true", help="print a line per request (off: the hub's terminal)")
    return parser.parse_args(argv)


def quiet_logs(access_log: bool) -> None:
    """The sandbox shares the hub's terminal under ``make run``: no development-server banner and no line per
    request (Werkzeug logs both at INFO) unless ``--access-log``, and no httpx line per change event it posts
    to the hub. Warnings and errors (a request that crashed, events the hub refused) still show."""
    logging.getLogger("werkzeug").setLevel(logging.INFO if access_log else logging.WARNING)
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    try:
        refuse_production()
    except ProductionRefused as exc:
        print(f"simulator: {exc}", file=sys.stderr)
        return 2
    arguments = vars(parse_args(sys.argv[1:] if argv is None else argv))
    quiet_logs(arguments.pop("access_log"))
    settings = settings_from_env(**arguments)
    from werkzeug.serving import run_simple

    from simulator.app import create_app

    app = create_app(settings)
    print(f"sandbox on {settings.public_url} (seed {settings.seed}, {settings.residents} residents)", file=sys.stderr)
    run_simple(settings.host, settings.port, app, threaded=True, use_reloader=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
