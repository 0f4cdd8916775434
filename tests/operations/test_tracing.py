"""OpenTelemetry tracing, with the SDK's in-memory exporter in place of OTLP: one trace spans a hub request and
the platform calls it makes (the httpx client spans are children of the Flask server span, the SQL spans too),
spans keep no personal data, a Celery job is traced with its SQL, and with the setting off nothing is installed."""

from __future__ import annotations

import dataclasses
import threading

import httpx
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from opentelemetry.util._once import Once
from werkzeug.serving import make_server

from composition import create_app, create_celery
from services import tracing
from services.identity.app_registry import SANDBOX_APPS, ensure_app_clients
from tests.factories import sign_in

MARIAS_DHS_CLIENT = "204815367"


def reset_global_provider() -> None:
    """OpenTelemetry sets the global provider once per process; tests undo it as its own test helpers do."""
    trace._TRACER_PROVIDER = None
    trace._TRACER_PROVIDER_SET_ONCE = Once()


@pytest.fixture
def exporter(sandbox_hub):
    memory = InMemorySpanExporter()
    sandbox_hub.settings = dataclasses.replace(sandbox_hub.settings, otel_enabled=True)
    tracing.install(sandbox_hub.settings, tracing.WEB_SERVICE, exporter=memory)
    yield memory
    tracing.uninstall()
    reset_global_provider()


def finished(exporter) -> list:
    tracing.installed().force_flush()
    return list(exporter.get_finished_spans())


def test_a_benefits_read_is_one_trace_from_the_hub_to_the_platform(sandbox_hub, sandbox_url, exporter):
    client = create_app(hub=sandbox_hub).test_client()
    maria = sign_in(client, sandbox_url, "maria")
    finished(exporter)
    exporter.clear()

    assert client.get("/v1/me/benefits?refresh=true", headers=maria.headers).status_code == 200
    spans = finished(exporter)
    [server] = [span for span in spans if span.kind == SpanKind.SERVER]
    assert server.name == "GET /v1/me/benefits"
    assert server.attributes["http.route"] == "/v1/me/benefits"
    assert server.resource.attributes["service.name"] == "benefits-hub"
    platform = [span for span in spans if span.kind == SpanKind.CLIENT and "http.method" in span.attributes]
    platform += [span for span in spans if span.kind == SpanKind.CLIENT and "http.request.method" in span.attributes]
    urls = [span.attributes.get("http.url") or span.attributes.get("url.full") for span in platform]
    assert len(platform) >= 2 and all("/platform/" in url for url in urls)  # DHS and HFS at least
    sql = [span for span in spans if "db.system" in span.attributes or "db.system.name" in span.attributes]
    assert sql, "the read's SQL is traced"
    for child in platform + sql:
        assert child.context.trace_id == server.context.trace_id
        assert child.parent is not None and child.parent.span_id == server.context.span_id

    for span in spans:  # nothing personal: no record ids, no query strings, not the caller's address
        for key, value in span.attributes.items():
            assert MARIAS_DHS_CLIENT not in str(value), (span.name, key, value)
            if key in {"http.url", "url.full", "http.target", "url.path"}:
                assert "?" not in str(value), (key, value)
    assert server.attributes.get("net.peer.ip", tracing.REDACTED) == tracing.REDACTED
    assert server.attributes.get("client.address", tracing.REDACTED) == tracing.REDACTED


def test_the_platform_receives_the_trace_context(exporter):
    """The outgoing call carries ``traceparent``, so the platform's own spans join the hub's trace."""
    seen = []

    def platform(environ, start_response):
        seen.append(environ.get("HTTP_TRACEPARENT"))
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b"{}"]

    server = make_server("127.0.0.1", 0, platform)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with tracing.installed().get_tracer("test").start_as_current_span("outer") as outer:
            httpx.get(f"http://127.0.0.1:{server.server_port}/platform/dhs/clients/1/cases", timeout=5)
    finally:
        server.shutdown()
        thread.join(timeout=5)
    [traceparent] = seen
    assert traceparent is not None and traceparent.split("-")[1] == format(outer.get_span_context().trace_id, "032x")


def test_a_celery_job_is_traced_with_its_sql(sandbox_hub, exporter):
    celery = create_celery(sandbox_hub.settings, hub=sandbox_hub, jobs=sandbox_hub.jobs)
    exporter.clear()
    celery.tasks["notifications.dispatch"].apply()
    spans = finished(exporter)
    [run] = [span for span in spans if span.kind == SpanKind.CONSUMER]
    assert run.name == "run/notifications.dispatch"
    assert run.resource.attributes["service.name"] == "benefits-hub"  # the process's one provider
    children = [span for span in spans if span.parent is not None and span.parent.span_id == run.context.span_id]
    assert any("db.system" in span.attributes or "db.system.name" in span.attributes for span in children)


def test_with_the_setting_off_no_tracer_provider_is_installed(sandbox_hub, sandbox_url):
    assert sandbox_hub.settings.otel_enabled is False
    app = create_app(hub=sandbox_hub)
    client = app.test_client()
    with sandbox_hub.session() as session:
        ensure_app_clients(session, SANDBOX_APPS)
    maria = sign_in(client, sandbox_url, "maria")
    assert client.get("/v1/me/benefits?refresh=true", headers=maria.headers).status_code == 200
    assert tracing.installed() is None
    assert not isinstance(trace.get_tracer_provider(), TracerProvider)  # the API's no-op proxy
    assert not getattr(app, "_is_instrumented_by_opentelemetry", False)
    assert not hasattr(httpx.HTTPTransport.handle_request, "__wrapped__")


def test_spans_scrub_identifiers_and_query_strings():
    assert tracing.scrub_path("/platform/dhs/clients/204815367/cases") == "/platform/dhs/clients/:id/cases"
    assert tracing.scrub_path("/v1/admin/residents/0f3a9c2e8b7d4e1f9a6b5c4d3e2f1a0b") == "/v1/admin/residents/:id"
    assert tracing.scrub_path("/v1/me/benefits") == "/v1/me/benefits"
    assert tracing.scrub_url("http://p.example:8100/platform/hfs/fhir/Coverage?beneficiary=Patient/77") == (
        "http://p.example/platform/hfs/fhir/Coverage"
    )
