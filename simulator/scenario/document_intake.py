"""The agencies' document intake: files the hub forwards, acknowledged with a tracking number and decided on the
scenario clock.

- Idempotent by the hub's upload id: the same upload sent again (a worker killed after sending, before it
  recorded the answer) gets the same tracking number and is kept once (``received_count`` says how often it came).
- Decisions, on the scenario day: a photo that is blurry (almost no edges: Pillow's edge filter, standard
  deviation below ``BLURRY_EDGE_STDDEV``) is rejected as ``unreadable`` one scenario day after it came; every
  other file is accepted two scenario days after it came (maria's proof of income: upload, ``sim/advance
  {"days": 2}``, accepted).
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import threading

from PIL import Image, ImageFilter, ImageStat

ACCEPT_AFTER_DAYS = 2
REJECT_BLURRY_AFTER_DAYS = 1
BLURRY_EDGE_STDDEV = 4.0


@dataclasses.dataclass
class IntakeItem:
    upload_id: str
    agency: str
    record_id: str
    action_key: str
    receipt_number: str
    content_type: str
    size: int
    sha256: str
    tracking_number: str
    received_day: int
    blurry: bool
    received_count: int = 1

    def status_on(self, day: int) -> tuple[str, str | None, int | None]:
        """(status, reason code, decision day) as of scenario ``day``."""
        if self.blurry and day >= self.received_day + REJECT_BLURRY_AFTER_DAYS:
            return "rejected", "unreadable", self.received_day + REJECT_BLURRY_AFTER_DAYS
        if not self.blurry and day >= self.received_day + ACCEPT_AFTER_DAYS:
            return "accepted", None, self.received_day + ACCEPT_AFTER_DAYS
        return "received", None, None


def is_blurry(content: bytes, content_type: str) -> bool:
    if not content_type.startswith("image/"):
        return False
    try:
        image = Image.open(io.BytesIO(content)).convert("L")
        image.thumbnail((512, 512))
        edges = image.filter(ImageFilter.FIND_EDGES)
        inner = edges.crop((2, 2, max(edges.width - 2, 3), max(edges.height - 2, 3)))  # the filter marks the border
        return ImageStat.Stat(inner).stddev[0] < BLURRY_EDGE_STDDEV
    except (OSError, ValueError):
        return True


class DocumentIntake:
    def __init__(self) -> None:
        self._items: dict[str, IntakeItem] = {}
        self._lock = threading.Lock()

    def receive(
        self,
        day: int,
        *,
        upload_id: str,
        agency: str,
        record_id: str,
        action_key: str,
        receipt_number: str,
        content_type: str,
        content: bytes,
    ) -> tuple[IntakeItem, bool]:
        """→ (the item, whether it is new)."""
        with self._lock:
            known = self._items.get(upload_id)
            if known is not None:
                known.received_count += 1
                return known, False
            digest = hashlib.sha256(upload_id.encode()).hexdigest()[:10].upper()
            item = IntakeItem(
                upload_id=upload_id,
                agency=agency,
                record_id=record_id,
                action_key=action_key,
                receipt_number=receipt_number,
                content_type=content_type,
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
                tracking_number=f"{agency}-DOC-{digest}",
                received_day=day,
                blurry=is_blurry(content, content_type),
            )
            self._items[upload_id] = item
            return item, True

    def get(self, upload_id: str) -> IntakeItem | None:
        with self._lock:
            return self._items.get(upload_id)

    def counts(self) -> dict:
        with self._lock:
            return {"documents": len(self._items), "deliveries": sum(i.received_count for i in self._items.values())}
