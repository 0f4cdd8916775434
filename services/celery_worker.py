"""Entry point for Celery workers and beat: ``celery -A services.celery_worker worker --beat``."""

from config import Settings
from services.celery_app import make_celery

celery = make_celery(Settings.from_env())
