"""Where uploaded files live: one small interface (``DocumentStore``), encrypted at rest whatever the store.

``put(key, content)`` / ``get(key)`` / ``delete(key)`` / ``keys()``, raw bytes in and out; ``EncryptedStore`` wraps
a store so what reaches it is a Fernet token (AES-128-CBC + HMAC-SHA256) under ``MultiFernet`` keys that rotate
like the field keys (``services/identity/field_crypto.py``): the first of ``DOCUMENT_ENCRYPTION_KEYS`` (the field
keys when unset) encrypts, every key decrypts; ``rotate_keys`` re-encrypts every file under the newest key
(``flask documents rotate-keys``), after which the old key can be dropped.

- ``FileStore`` (embedded default, ``DOCUMENT_STORE=filesystem``): one file per key under ``DOCUMENT_STORE_PATH``,
  written to a temporary name and renamed, so a crash never leaves half a file under a key.
- ``DatabaseStore`` (production, ``DOCUMENT_STORE=database``): the ``document_blobs`` table (``bytea`` on
  PostgreSQL), so files are backed up, replicated and access-controlled with the rest of the data and every web
  and worker process on any machine reads the same files. Each call is its own short transaction, so a
  request's session never holds 10 MB of parameters.

A key is the upload's storage key (opaque hex); the store never sees a name, a resident or a type.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from services.models.documents import DocumentBlob

_KEY = re.compile(r"^[0-9a-f]{16,64}$")


class DocumentStore(Protocol):
    def put(self, key: str, content: bytes) -> None: ...

    def get(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None: ...

    def keys(self) -> Iterator[str]: ...


class MissingDocument(LookupError):
    """No file under that key."""


def _checked(key: str) -> str:
    if not _KEY.match(key):
        raise ValueError("a storage key is 16 to 64 lowercase hex characters")
    return key


class FileStore:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        key = _checked(key)
        return self.root / key[:2] / key

    def put(self, key: str, content: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(content)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise MissingDocument(key) from None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def keys(self) -> Iterator[str]:
        if not self.root.exists():
            return
        for path in sorted(self.root.glob("??/*")):
            if _KEY.match(path.name):
                yield path.name


class DatabaseStore:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def put(self, key: str, content: bytes) -> None:
        with self.sessions() as session:
            row = session.get(DocumentBlob, _checked(key))
            if row is None:
                session.add(DocumentBlob(key=key, data=content))
            else:
                row.data = content
            session.commit()

    def get(self, key: str) -> bytes:
        with self.sessions() as session:
            data = session.scalar(select(DocumentBlob.data).where(DocumentBlob.key == _checked(key)))
        if data is None:
            raise MissingDocument(key)
        return bytes(data)

    def delete(self, key: str) -> None:
        with self.sessions() as session:
            session.execute(delete(DocumentBlob).where(DocumentBlob.key == _checked(key)))
            session.commit()

    def keys(self) -> Iterator[str]:
        with self.sessions() as session:
            found = list(session.scalars(select(DocumentBlob.key).order_by(DocumentBlob.key)))
        yield from found


class EncryptedStore:
    """A store whose every file is a Fernet token; ``get`` gives the plaintext back."""

    def __init__(self, inner: DocumentStore, keys: tuple[str, ...] | list[str]) -> None:
        if not keys:
            raise ValueError("at least one document encryption key is needed")
        self.inner = inner
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    def put(self, key: str, content: bytes) -> None:
        self.inner.put(key, self._fernet.encrypt(content))

    def get(self, key: str) -> bytes:
        try:
            return self._fernet.decrypt(self.inner.get(key))
        except InvalidToken:
            raise ValueError("no configured document encryption key decrypts this file") from None

    def delete(self, key: str) -> None:
        self.inner.delete(key)

    def keys(self) -> Iterator[str]:
        return self.inner.keys()

    def rotate_keys(self) -> int:
        """Re-encrypt every file under the newest key; returns how many files were rewritten."""
        rewritten = 0
        for key in list(self.inner.keys()):
            self.inner.put(key, self._fernet.rotate(self.inner.get(key)))
            rewritten += 1
        return rewritten
