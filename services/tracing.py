"""OpenTelemetry tracing: off unless ``OTEL_ENABLED=true``; then one tracer provider per process, exporting over
OTLP/HTTP, with the instrumentations the composition root asks for (Flask for the web app, SQLAlchemy for the
hub's engine, httpx for every outgoing call, Celery for publishing and running jobs).

The exporter is configured by OpenTelemetry's standard variables, read by the SDK itself:
``OTEL_EXPORTER_OTLP_ENDPOINT`` (or ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``), ``OTEL_EXPORTER_OTLP_HEADERS``,
``OTEL_SERVICE_NAME`` (default ``benefits-hub`` for the web, ``benefits-hub-worker`` for Celery),
``OTEL_RESOURCE_ATTRIBUTES``, ``OTEL_TRACES_SAMPLER``/``OTEL_TRACES_SAMPLER_ARG``. Spans leave the process in
batches from a background thread, so a collector that is down costs a dropped batch, never a request.

Spans keep no personal data, as the logs keep none (``PrivacySpanProcessor``): query strings are dropped, path
segments that look like identifiers (a digit in them, ``v1`` aside, or longer than 24 characters) become ``:id``, and a
server span does not record the caller's address or user agent. SQL statements carry placeholders, never values.

The pinned ``opentelemetry-instrumentation-sqlalchemy`` declares SQLAlchemy < 2.1; the hub runs 2.1, whose engine
events it uses are unchanged, so its engine tracer is attached directly (and tests check the SQL spans).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlsplit, urlunsplit

from opentelemetry import context as otel_context
from opentelemetry import metrics, trace
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.trace import SpanKind
from sqlalchemy.engine import Engine

from config import Settings

T = TypeVar("T")

WEB_SERVICE = "benefits-hub"
WORKER_SERVICE = "benefits-hub-worker"

_URL_KEYS = ("http.url", "url.full")
_PATH_KEYS = ("http.target", "url.path")
_DROPPED_KEYS = ("url.query",)
_CALLER_KEYS = (  # on server spans: who called (an address is personal data)
    "net.peer.ip",
    "net.peer.port",
    "client.address",
    "client.port",
    "network.peer.address",
    "network.peer.port",
    "http.client_ip",
    "http.user_agent",
    "user_agent.original",
)
_ID_SEGMENT = re.compile(r"\d|^.{25,}$")
_VERSION_SEGMENT = re.compile(r"^v\d{1,2}$")  # /v1/…: an API version, not an identifier
REDACTED = "redacted"

_installed: dict[str, object] = {}  # this process's provider and what it instrumented


def scrub_path(path: str) -> str:
    """``/platform/dhs/clients/40012345/cases?x=1`` → ``/platform/dhs/clients/:id/cases``."""
    path = path.split("?", 1)[0]
    return "/".join(":id" if _is_identifier(segment) else segment for segment in path.split("/"))


def _is_identifier(segment: str) -> bool:
    return bool(segment) and bool(_ID_SEGMENT.search(segment)) and not _VERSION_SEGMENT.match(segment)


def scrub_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.hostname or "", scrub_path(parts.path), "", ""))


class PrivacySpanProcessor(SpanProcessor):
    """Hands ``inner`` (the exporting processor) each ended span with what instrumentations recorded of URLs,
    paths and the caller scrubbed; nothing else ever sees the span, so nothing unscrubbed leaves the process.
    (Scrubbed at the end: Flask's instrumentation writes its attributes again after the span has started.)"""

    def __init__(self, inner: SpanProcessor) -> None:
        self._inner = inner

    def on_start(self, span, parent_context=None) -> None:
        self._inner.on_start(span, parent_context=parent_context)

    def on_end(self, span: ReadableSpan) -> None:
        self._inner.on_end(scrubbed(span))

    def shutdown(self) -> None:
        self._inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self._inner.force_flush(timeout_millis)


def scrubbed(span: ReadableSpan) -> ReadableSpan:
    """``span`` with URL and path attributes scrubbed, query strings dropped and, on a server span, the caller's
    address and user agent redacted."""
    attributes = dict(span.attributes or {})
    for key in _URL_KEYS:
        if isinstance(attributes.get(key), str):
            attributes[key] = scrub_url(attributes[key])
    for key in _PATH_KEYS:
        if isinstance(attributes.get(key), str):
            attributes[key] = scrub_path(attributes[key])
    for key in _DROPPED_KEYS:
        if key in attributes:
            attributes[key] = REDACTED
    if span.kind == SpanKind.SERVER:
        for key in _CALLER_KEYS:
            if key in attributes:
                attributes[key] = REDACTED
    return ReadableSpan(
        name=span.name,
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=attributes,
        events=span.events,
        links=span.links,
        kind=span.kind,
        status=span.status,
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )


def install(settings: Settings, service_name: str, *, exporter: SpanExporter | None = None) -> TracerProvider | None:
    """This process's tracer provider (installed globally, with httpx and Celery instrumented), or None when
    ``OTEL_ENABLED`` is off. Once per process: later calls return the same provider. ``exporter`` replaces
    OTLP (tests give an in-memory one)."""
    if not settings.otel_enabled:
        return None
    if "provider" in _installed:
        return _installed["provider"]  # type: ignore[return-value]
    from opentelemetry.instrumentation.celery import CeleryInstrumentor
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter()
    attributes = {} if os.environ.get("OTEL_SERVICE_NAME") else {SERVICE_NAME: service_name}
    provider = TracerProvider(resource=Resource.create(attributes))
    provider.add_span_processor(PrivacySpanProcessor(BatchSpanProcessor(exporter)))
    trace.set_tracer_provider(provider)
    HTTPXClientInstrumentor().instrument(tracer_provider=provider)
    CeleryInstrumentor().instrument(tracer_provider=provider)
    _installed["provider"] = provider
    return provider


def installed() -> TracerProvider | None:
    return _installed.get("provider")  # type: ignore[return-value]


def trace_engine(engine: Engine) -> None:
    """SQL spans for ``engine`` under this process's provider (nothing when tracing is off)."""
    provider = installed()
    if provider is None or engine in _installed.setdefault("engines", set()):  # type: ignore[operator]
        return
    from opentelemetry.instrumentation.sqlalchemy import __version__
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer

    scope = "opentelemetry.instrumentation.sqlalchemy"
    usage = metrics.get_meter(scope, __version__).create_up_down_counter("db.client.connections.usage")
    EngineTracer(trace.get_tracer(scope, __version__, provider), engine, usage)
    _installed["engines"].add(engine)  # type: ignore[union-attr]


def uninstall() -> None:
    """Undo ``install`` (tests): instrumentations removed, spans flushed. The global provider stays set, as
    OpenTelemetry allows it to be set once per process."""
    provider = _installed.pop("provider", None)
    if provider is None:
        return
    from opentelemetry.instrumentation.celery import CeleryInstrumentor
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer

    HTTPXClientInstrumentor().uninstrument()
    CeleryInstrumentor().uninstrument()
    EngineTracer.remove_all_event_listeners()
    _installed.pop("engines", None)
    provider.shutdown()  # type: ignore[attr-defined]


def in_this_trace(function: Callable[..., T]) -> Callable[..., T]:
    """``function`` for another thread, running in the caller's trace context: a read's parallel platform calls
    (``services.benefits.sync``) are children of the request's span, not traces of their own. Cheap when
    tracing is off (the context is empty)."""
    captured = otel_context.get_current()

    def run(*args, **kwargs) -> T:
        token = otel_context.attach(captured)
        try:
            return function(*args, **kwargs)
        finally:
            otel_context.detach(token)

    return run
