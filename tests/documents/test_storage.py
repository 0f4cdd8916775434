"""The document store: encrypted at rest on the filesystem and in the database (PostgreSQL's bytea when the suite
runs on it), keys that rotate like the field keys, and nothing under a key that is not the store's."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from services.documents.storage import DatabaseStore, EncryptedStore, FileStore, MissingDocument
from tests.documents.files import pdf

KEY = "0123456789abcdef0123456789abcdef"


@pytest.fixture(params=["filesystem", "database"])
def inner(request, tmp_path, hub):
    if request.param == "filesystem":
        return FileStore(tmp_path / "documents")
    return DatabaseStore(hub.session_factory)


def test_put_get_delete_and_what_is_stored_is_ciphertext(inner):
    content = pdf()
    store = EncryptedStore(inner, [Fernet.generate_key().decode()])
    store.put(KEY, content)
    assert store.get(KEY) == content
    raw = inner.get(KEY)
    assert raw != content and b"%PDF" not in raw and b"/Type" not in raw
    assert list(store.keys()) == [KEY]
    store.delete(KEY)
    with pytest.raises(MissingDocument):
        store.get(KEY)
    assert list(store.keys()) == []


def test_keys_rotate_like_the_field_keys(inner):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    EncryptedStore(inner, [old]).put(KEY, b"page one")
    rotating = EncryptedStore(inner, [new, old])
    assert rotating.get(KEY) == b"page one"  # every key decrypts
    assert rotating.rotate_keys() == 1
    assert EncryptedStore(inner, [new]).get(KEY) == b"page one"  # the old key can go
    with pytest.raises(ValueError, match="no configured document encryption key"):
        EncryptedStore(inner, [old]).get(KEY)


def test_a_key_that_is_not_the_stores_own_is_refused(inner):
    for key in ("../../etc/passwd", "ABCDEF0123456789", "short", ""):
        with pytest.raises(ValueError):
            inner.put(key, b"x")


def test_the_hub_uses_the_store_its_settings_name(hub, settings, test_database, tmp_path):
    import dataclasses

    from composition import build_hub
    from services.background import ManualRunner

    database_hub = build_hub(
        dataclasses.replace(settings, document_store="database"), engine=test_database.engine, runner=ManualRunner
    )
    assert isinstance(database_hub.document_store.inner, DatabaseStore)
    expected = FileStore if settings.is_sqlite else DatabaseStore  # empty DOCUMENT_STORE: by the database
    assert isinstance(hub.document_store.inner, expected)
