"""The WSGI entry point: ``gunicorn wsgi:app``. Settings come from the environment; the composition root wires it."""

from composition import build_hub, create_app

hub = build_hub()
app = create_app(hub=hub)
hub.runner.start()  # the in-process runner's ticker (periodic jobs); nothing under WORKER_MODE=celery
