"""Background jobs of benefits sync: thin wrappers around service functions (which tests call directly)."""

from __future__ import annotations

from services.background import job
from services.benefits import change_events, sync


@job("benefits.refresh_source")
def refresh_source(context, resident_id: str, agency: str) -> str:
    """Fetch one source for one resident with retries and store it (queued by stale reads)."""
    return sync.refresh_source(context, resident_id, agency, retries=True)


@job("benefits.prune_platform_events", every_seconds=24 * 3600)
def prune_platform_events(context) -> int:
    return change_events.prune_processed_events(context)
