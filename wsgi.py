"""The WSGI entry point: ``gunicorn wsgi:app``. Settings come from the environment (and ``.env``); the composition
root wires it. Settings the hub refuses, or a staging or production start without its signing key file, are
listed on stderr (no traceback) and the worker exits with gunicorn's "app failed to load" code (4), so the arbiter
stops instead of restarting workers that can never boot. ``gunicorn.conf.py`` has already refused both before any
worker started when gunicorn runs with it."""

import sys

from composition import build_hub, create_app
from config import load_or_exit
from services.identity.signing_keys import SigningKeysMissing

APP_LOAD_ERROR = 4  # gunicorn.workers.base.Worker.APP_LOAD_ERROR: the arbiter halts

hub = build_hub(load_or_exit(APP_LOAD_ERROR))
if hub.settings.is_strict:
    try:
        hub.signing_keys  # noqa: B018  (loaded now: a missing key file fails the start, not the first sign-in)
    except SigningKeysMissing as missing:
        print(f"Benefits Hub refuses to start: {missing}; create the first key with `flask keys init`", file=sys.stderr)
        raise SystemExit(APP_LOAD_ERROR) from None
app = create_app(hub=hub)
hub.runner.start()  # the in-process runner's ticker (periodic jobs); nothing under WORKER_MODE=celery
