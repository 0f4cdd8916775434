"""The Redis broker transport of the hub's Celery app: kombu's own, with one defect of the pinned celery 5.7.0 /
kombu 5.7.0 mended, so that a worker survives Redis going away.

What kills the worker (reproduced by ``tests/background/test_broker_outage.py``; 5.7.0 is the newest release
of both, and celery 5.7.0 needs kombu 5.7.0). When the broker connection breaks, celery 5.7.0's
``Consumer.on_connection_error_after_connected`` first calls ``connection.collect()``, which detaches the kombu
transport from its connection (``transport.client = None``), and then, new in 5.7.0, ``connection.close()``.
If the channel consuming tasks could not be closed by ``collect()`` (its BRPOP was in flight and raised) and
still holds unacknowledged messages (a task was running, since tasks acknowledge late), ``close()`` closes it
again, and restoring those messages asks the detached transport for its connection parameters:
``Channel._connparams`` reads ``transport.client.hostname`` and raises ``AttributeError: 'NoneType' object has
no attribute 'hostname'``. That is not a connection error, so ``ignore_errors`` lets it through, the consumer
does not reconnect, and the worker stops with ``Unrecoverable error``.

The mend: a channel whose transport was detached raises redis's ``ConnectionError`` (the broker connection
is gone), which celery handles as it handles every broker outage: it reconnects. The messages it could not
restore stay in Redis's unacked set and are delivered again after the visibility timeout, as after any lost
connection; every job is idempotent. ``services.celery_app`` selects this transport (``broker_transport``).
"""

from __future__ import annotations

import redis.exceptions
from kombu.transport import redis as kombu_redis

TRANSPORT = "services.celery_broker:Transport"


class Channel(kombu_redis.Channel):
    def _connparams(self, asynchronous: bool = False) -> dict:
        if self.connection.client is None:
            raise redis.exceptions.ConnectionError("the broker connection of this channel was closed")
        return super()._connparams(asynchronous=asynchronous)


class Transport(kombu_redis.Transport):
    """kombu's Redis transport with the channel above."""

    Channel = Channel
