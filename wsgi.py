"""The WSGI entry point: ``gunicorn wsgi:app``. Settings come from the environment."""

from api.app import create_app

app = create_app()
context = app.extensions["hub"]
context.runner.start()
