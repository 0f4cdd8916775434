"""Entry point for Celery workers and beat: ``celery -A services.celery_worker worker --beat``.

Workers log through the hub's log policy (``services/log_policy.py``), not Celery's own handlers: connecting
``setup_logging`` tells Celery to leave logging alone.
"""

from celery.signals import setup_logging

from config import Settings
from services import log_policy
from services.celery_app import make_celery

settings = Settings.from_env()


@setup_logging.connect
def _hub_logging(**_kwargs) -> None:
    log_policy.configure_logging(settings.log_level)


celery = make_celery(settings)
