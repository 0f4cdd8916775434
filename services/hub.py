"""The hub's collaborators in one process, as typed attributes of one object: ``Hub``.

Built once per process by the composition root (``composition.build_hub``) and handed to whatever needs it:
the Flask app (``api.current_hub.current_hub()`` in a route), the in-process runner, Celery workers, CLI
commands, tests. Collaborators that are costly to build or reach the network (the platform client, identity
providers, signing keys, the push transport) are built on first use, once, even when the first requests
arrive together: a platform client built twice would split its breakers, bulkheads and pools between
requests. Tests replace one by assigning it (``hub.person_index = …``) and get a fresh one with ``del``.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

import services.benefits.documents  # noqa: F401  (renders stored reads when their rows change)
from config import Settings
from services.background import JobRegistry, Runner
from services.db import make_engine, make_session_factory
from services.documents.storage import DatabaseStore, EncryptedStore, FileStore
from services.identity.app_registry import AppRegistry
from services.identity.field_crypto import FieldCipher, LookupHasher
from services.identity.id_tokens import IdentityProvider
from services.identity.person_index import PersonIndex
from services.identity.signing_keys import SigningKeys, load_signing_keys
from services.partner.keys import PartnerKeySets
from services.platform.client import PlatformClient
from services.platform.maintenance import MaintenanceCalendar
from services.readiness import Readiness

T = TypeVar("T")


class PushTransport(Protocol):
    """What the hub holds to send pushes. notifications/ implements it (``notifications.transports``: FCM, or the
    logging stand-in, with their message and result types) and the composition root says how to build one, so
    services/ never imports notifications/."""

    name: str

    def send(
        self,
        messages: Sequence[Any],
        *,
        on_result: Callable[[int, Any], None] | None = None,
        stop: threading.Event | None = None,
    ) -> list[Any]: ...


RunnerFactory = Callable[["Hub", JobRegistry], Runner]


class built_once(Generic[T]):
    """A hub attribute built on first use by ``build(hub)``, once per hub whatever the number of threads asking."""

    def __init__(self, build: Callable[[Hub], T]) -> None:
        self.build = build
        self.name = build.__name__
        self.__doc__ = build.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, hub: Hub | None, owner: type | None = None) -> T:
        if hub is None:
            return self  # type: ignore[return-value]
        built = hub.__dict__
        if self.name not in built:
            with hub._building:
                if self.name not in built:
                    built[self.name] = self.build(hub)
        return built[self.name]


class Hub:
    """Settings, the database, readiness checks, background work, and the clients and keys of one process."""

    def __init__(
        self,
        settings: Settings,
        *,
        jobs: JobRegistry,
        runner: RunnerFactory,
        push_transport: Callable[[Settings], PushTransport],
        engine: Engine | None = None,
        readiness: Readiness | None = None,
    ) -> None:
        self.settings = settings
        self.engine = engine if engine is not None else engine_for(settings)
        self.session_factory: sessionmaker[Session] = make_session_factory(self.engine)
        self.readiness = readiness if readiness is not None else Readiness()
        self.jobs = jobs
        self._build_push_transport = push_transport
        self._building = threading.RLock()
        self.runner: Runner = runner(self, jobs)

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """A session for background work and commands: committed by whoever opened it, always closed."""
        session = self.session_factory()
        try:
            yield session
        finally:
            session.close()

    @built_once
    def platform(self) -> PlatformClient:
        """The one platform client: its pool and per-agency guards are shared by every request and job."""
        settings = self.settings
        return PlatformClient(
            settings.platform_url,
            settings.platform_key,
            timeout=settings.platform_timeout_seconds,
            fail_max=settings.breaker_fail_max,
            reset_seconds=settings.breaker_reset_seconds,
            slow_after_seconds=settings.read_budget_seconds,
            inline_slots=settings.inline_fetches_per_agency,
            in_maintenance=lambda agency: self.maintenance.current(agency),
        )

    @built_once
    def maintenance(self) -> MaintenanceCalendar:
        """Agencies' planned outages as the platform announced them (``services/platform/maintenance.py``)."""
        return MaintenanceCalendar(self.session_factory)

    @built_once
    def person_index(self) -> PersonIndex:
        settings = self.settings
        return PersonIndex(
            settings.platform_url, settings.platform_key, timeout=min(settings.platform_timeout_seconds, 3.0)
        )

    @built_once
    def resident_idp(self) -> IdentityProvider:
        return IdentityProvider(self.settings.oidc_issuer, jwks_cache_seconds=self.settings.jwks_cache_seconds)

    @built_once
    def staff_idp(self) -> IdentityProvider:
        return IdentityProvider(self.settings.staff_oidc_issuer, jwks_cache_seconds=self.settings.jwks_cache_seconds)

    @built_once
    def signing_keys(self) -> SigningKeys:
        """Generated on first use in development and test; staging and production must be given their key file."""
        settings = self.settings
        return load_signing_keys(settings.signing_keys_path, generate_if_missing=not settings.is_strict)

    @built_once
    def field_cipher(self) -> FieldCipher:
        return FieldCipher(self.settings.field_encryption_keys)

    @built_once
    def document_store(self) -> EncryptedStore:
        """Uploaded files, encrypted (``services/documents/storage.py``): the filesystem or the database."""
        settings = self.settings
        inner = (
            DatabaseStore(self.session_factory)
            if settings.document_store_kind == "database"
            else FileStore(settings.document_store_path)
        )
        return EncryptedStore(inner, settings.document_encryption_keys or settings.field_encryption_keys)

    @built_once
    def lookup_hasher(self) -> LookupHasher:
        return LookupHasher(self.settings.lookup_hash_key)

    @built_once
    def app_registry(self) -> AppRegistry:
        return AppRegistry()

    @built_once
    def partner_keys(self) -> PartnerKeySets:
        """Partner apps' JWKS fetched from their URLs, cached per process."""
        return PartnerKeySets(cache_seconds=self.settings.jwks_cache_seconds, public_only=self.settings.is_production)

    @built_once
    def push(self) -> PushTransport:
        """FCM when ``FCM_CREDENTIALS_PATH`` is set, else the logging transport (the composition root decides)."""
        return self._build_push_transport(self.settings)


def engine_for(settings: Settings) -> Engine:
    """The database engine ``settings`` describe (pool size, echo, connect timeout)."""
    return make_engine(
        settings.database_url,
        pool_size=settings.database_pool_size,
        echo=settings.sql_echo,
        connect_timeout=settings.database_connect_timeout_seconds,
    )
