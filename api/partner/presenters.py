"""How a partner notification's status is told: to the partner (``/v1/partner``) and to support (admin)."""

from __future__ import annotations

from services.partner.notifications import delivered_at, push_counts


def notification_statuses(session, notifications) -> list[dict]:
    """Status, push counts by state and timestamps of each notification (two statements for the lot)."""
    ids = [n.id for n in notifications]
    counts, delivered = push_counts(session, ids), delivered_at(session, ids)
    empty = {"sent": 0, "failed": 0, "pending": 0, "cancelled": 0}
    return [
        {
            "id": n.id,
            "reference": n.reference,
            "category": n.category,
            "status": n.status,
            "pushes": counts[n.id].as_dict() if n.id in counts else empty,
            "created_at": n.created_at,
            "status_changed_at": n.status_changed_at,
            "delivered_at": delivered.get(n.id),
        }
        for n in notifications
    ]
