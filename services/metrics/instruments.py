"""The instruments every process updates as it works, defined once (prometheus-client's default registry).

Under gunicorn (``PROMETHEUS_MULTIPROC_DIR`` set before this module is imported, by ``gunicorn.conf.py``) each
process writes its values to files in that directory and a scrape of any worker adds them up
(``services.metrics.exposition``); otherwise they live in this process. Counters only ever grow: Prometheus
derives rates (``rate(hub_push_sends_total[5m])``).

Labels come from fixed lists (``HTTP_METHODS``, agency codes, outcome words, route templates): never a raw path,
an id or anything a caller chose.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram, disable_created_metrics

from services.vocabulary import AGENCIES

disable_created_metrics()  # the *_created series say when a process started counting: noise for alerts

HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED_ROUTE = "unmatched"  # a request no route answered (404, 405 before routing): never its path

# Latency buckets for a phone-facing API whose reads have a 2 s budget.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0)

http_requests = Counter(
    "hub_http_requests",
    "HTTP requests answered, by method, route template and status code.",
    ["method", "route", "status"],
)
http_request_duration = Histogram(
    "hub_http_request_duration_seconds",
    "Time from the request reaching the app to its response, by method and route template.",
    ["method", "route"],
    buckets=LATENCY_BUCKETS,
)

# The dispatcher (notifications/dispatch.py): outbox events → inbox messages → queued push deliveries.
outbox_dispatched = Counter("hub_outbox_dispatched_events", "Outbox events the dispatcher finished with.")
outbox_dispatch_failures = Counter(
    "hub_outbox_dispatch_failures",
    "Outbox event attempts that could not be turned into messages (retried, then dropped).",
)
notification_messages = Counter("hub_notification_messages", "Inbox messages written by the dispatcher.")
push_deliveries_queued = Counter(
    "hub_push_deliveries_queued", "Push deliveries queued by the dispatcher (one per device)."
)

# The sender (notifications/delivery.py): what became of each claimed push.
PUSH_OUTCOMES = ("sent", "token_invalid", "retried", "failed", "cancelled", "held")
push_sends = Counter(
    "hub_push_sends",
    "Claimed push deliveries by outcome: sent, token_invalid, retried, failed, cancelled (at send time), held (quiet hours).",
    ["outcome"],
)
push_reclaimed = Counter(
    "hub_push_reclaimed", "Pushes taken back from senders whose lease ran out (they died or stalled)."
)

# The platform's agencies, per process (services/platform/guard.py).
PLATFORM_OUTCOMES = ("ok", "timeout", "error", "circuit_open")
platform_calls = Counter(
    "hub_platform_calls",
    "Calls to an agency through its guard: ok (the agency answered), timeout, error, circuit_open (not asked).",
    ["agency", "outcome"],
)
breaker_open = Gauge(
    "hub_platform_breaker_open",
    "1 while an agency's circuit breaker is open (in any live process of this host) until a call succeeds again.",
    ["agency"],
    multiprocess_mode="livemax",
)
breaker_opened = Counter("hub_platform_breaker_opened", "Times an agency's circuit breaker opened.", ["agency"])
platform_last_success = Gauge(
    "hub_platform_last_success_timestamp_seconds",
    "When an agency last answered a call (Unix time; the newest of every process of this host).",
    ["agency"],
    multiprocess_mode="max",
)

# The drain of accepted platform events (services/benefits/event_inbox.py).
platform_events_set_aside = Counter(
    "hub_platform_events_set_aside",
    "Platform events the drain set aside after their last failed attempt (their record is refreshed instead).",
    ["agency"],
)

# Every outcome's series exists from the start (at 0), so a rate or an alert never waits for a first event.
for _outcome in PUSH_OUTCOMES:
    push_sends.labels(_outcome)
for _agency in AGENCIES:
    breaker_opened.labels(_agency)
    platform_events_set_aside.labels(_agency)
    for _outcome in PLATFORM_OUTCOMES:
        platform_calls.labels(_agency, _outcome)
