"""Imports every module that registers background jobs, so a worker knows them all by name."""

import notifications.jobs  # noqa: E402, F401  (notifications.dispatch, .send_deliveries, .reminders)
import services.benefits.jobs  # noqa: E402, F401  (benefits.refresh_source, benefits.prune_platform_events)
import services.idempotency  # noqa: E402, F401  (idempotency.prune)
import services.identity.linking  # noqa: E402, F401  (identity.link_records)
import services.identity.used_id_tokens  # noqa: E402, F401  (identity.prune_used_id_tokens)
