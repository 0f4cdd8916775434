"""The entry point of Celery workers and beat: ``celery -A celery_worker worker`` (and one ``celery -A celery_worker
beat``). Settings come from the environment (and ``.env``); settings the hub refuses are listed on stderr and the
command exits 2 before Celery starts. The composition root gives the app a task per job."""

from composition import create_celery
from config import load_or_exit

celery = create_celery(load_or_exit())
