"""A PostgreSQL cluster of the test's own, in a temporary folder on a free port, that a test may stop, crash
and start again (the machine's shared PostgreSQL is never touched).

Built with ``initdb`` and run with ``pg_ctl`` from PATH. PostgreSQL refuses to run as root, so under root the
cluster runs as the ``postgres`` user (``runuser``). Without those tools the tests that need it skip.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclasses.dataclass
class PrivatePostgres:
    folder: Path
    port: int
    as_user: list[str]

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _pg_ctl(self, *args: str) -> None:
        subprocess.run(
            [*self.as_user, "pg_ctl", "-D", str(self.data), "-w", "-t", "30", *args],
            check=True,
            capture_output=True,
            timeout=60,
        )

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c fsync=off -c max_connections=60"
        self._pg_ctl("-l", str(self.folder / "server.log"), "-o", options, "start")

    def stop(self, mode: str = "fast") -> None:
        """``fast``: an orderly shutdown (sessions are told ``57P01``); ``immediate``: a crash, as if killed."""
        self._pg_ctl("-m", mode, "stop")


def _as_user() -> list[str]:
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("running as root and there is no postgres user to run a private PostgreSQL as")
    if not shutil.which("runuser"):
        pytest.skip("running as root without runuser")
    return ["runuser", "-u", "postgres", "--"]


@contextlib.contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    if not (shutil.which("initdb") and shutil.which("pg_ctl")):
        pytest.skip("initdb and pg_ctl are not on PATH")
    as_user = _as_user()
    folder = Path(tempfile.mkdtemp(prefix="hub-private-pg-"))
    if as_user:
        shutil.chown(folder, "postgres")
    cluster = PrivatePostgres(folder, _free_port(), as_user)
    try:
        subprocess.run(
            [*as_user, "initdb", "-D", str(cluster.data), "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"],
            check=True,
            capture_output=True,
            timeout=120,
        )
        cluster.start()
        yield cluster
    finally:
        with contextlib.suppress(Exception):
            cluster.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)
