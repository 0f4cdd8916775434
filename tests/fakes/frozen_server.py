"""A TCP server that accepts every connection and never answers: a frozen Redis (or any frozen dependency).

The process is alive and its port open, so connecting succeeds at once; only a read timeout ends a wait.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator


@contextlib.contextmanager
def frozen_server() -> Iterator[int]:
    """Listen on 127.0.0.1 and a free port (yielded) until the block ends; hold every connection silently."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            held.append(connection)

    thread = threading.Thread(target=accept, name="frozen-server", daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        listener.close()
        for connection in held:
            connection.close()
