"""The WSGI entry point: ``gunicorn wsgi:app``. Settings come from the environment (and ``.env``); the composition
root wires it. Settings the hub refuses are listed on stderr and the worker exits with gunicorn's "app failed to
load" code (4), so the arbiter stops instead of restarting workers that can never boot; ``gunicorn.conf.py`` has
already refused them before any worker started when gunicorn runs with it."""

from composition import build_hub, create_app
from config import load_or_exit

APP_LOAD_ERROR = 4  # gunicorn.workers.base.Worker.APP_LOAD_ERROR: the arbiter halts

hub = build_hub(load_or_exit(APP_LOAD_ERROR))
app = create_app(hub=hub)
hub.runner.start()  # the in-process runner's ticker (periodic jobs); nothing under WORKER_MODE=celery
