"""The entry point of Celery workers and beat: ``celery -A celery_worker worker`` (and one ``celery -A celery_worker
beat``). Settings come from the environment; the composition root gives the app a task per job."""

from composition import create_celery

celery = create_celery()
