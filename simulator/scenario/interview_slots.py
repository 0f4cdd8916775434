"""Interview times an agency offers for an interview appointment it scheduled, and bookings of them.

For every interview appointment of a person's record (james's SNAP phone interview among them) the agency offers
phone slots on the next five weekdays of the scenario clock at 9:00, 11:00 and 14:00 Chicago time (30 minutes);
the 11:00 slot of the first day is already taken by someone else, so a booking of it is a 409. A booking names
the hub's booking id and is idempotent by it; booking again (another slot) moves the interview and frees the old
slot. The agency's confirmation is the answer (a confirmation number).
"""

from __future__ import annotations

import hashlib
import threading
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

CHICAGO = ZoneInfo("America/Chicago")
TIMES = (time(9), time(11), time(14))
PHONE = "+1 (312) 555-0180"


class InterviewSlots:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._booked: dict[str, str] = {}  # slot id -> booking key ("other" for the slot taken by someone else)
        self._bookings: dict[str, dict] = {}  # booking id -> booking

    def slots(self, record_id: str, action_key: str, today: date) -> list[dict]:
        found, day = [], today
        while len(found) < 5 * len(TIMES):
            day += timedelta(days=1)
            if day.weekday() >= 5:
                continue
            for at in TIMES:
                starts = datetime.combine(day, at, tzinfo=CHICAGO)
                slot_id = (
                    "slot-" + hashlib.sha256(f"{record_id}:{action_key}:{starts.isoformat()}".encode()).hexdigest()[:12]
                )
                found.append(
                    {
                        "slot_id": slot_id,
                        "starts_at": starts.isoformat(),
                        "ends_at": (starts + timedelta(minutes=30)).isoformat(),
                        "mode": "phone",
                        "location_or_phone": PHONE,
                    }
                )
        first_eleven = found[1]["slot_id"]
        with self._lock:
            self._booked.setdefault(first_eleven, "other")
            for slot in found:
                owner = self._booked.get(slot["slot_id"])
                slot["available"] = owner is None or owner == f"{record_id}:{action_key}"
        return found

    def book(self, record_id: str, action_key: str, slot: dict, booking_id: str) -> tuple[dict | None, str | None]:
        """→ (the booking, None) or (None, "taken")."""
        key = f"{record_id}:{action_key}"
        with self._lock:
            known = self._bookings.get(booking_id)
            if known is not None:
                return known, None
            owner = self._booked.get(slot["slot_id"])
            if owner is not None and owner != key:
                return None, "taken"
            for slot_id, holder in list(self._booked.items()):
                if holder == key:
                    del self._booked[slot_id]
            self._booked[slot["slot_id"]] = key
            booking = {
                "booking_id": booking_id,
                "confirmation_number": "INT-" + hashlib.sha256(booking_id.encode()).hexdigest()[:8].upper(),
                "status": "confirmed",
                **{k: slot[k] for k in ("slot_id", "starts_at", "ends_at", "mode", "location_or_phone")},
            }
            self._bookings[booking_id] = booking
            return booking, None
