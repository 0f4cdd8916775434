"""Feed payloads captured from the sandbox platform (``fixtures/``; day 0 = 2026-11-24, and day 7 after
``sim/advance {"days": 7}``), served to the pure adapters exactly as the client would pass them."""

from __future__ import annotations

from pathlib import Path

from services.platform.adapters import Page

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def page(name: str, content_type: str | None = None) -> Page:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    if content_type is None:
        content_type = "application/xml" if name.endswith(".xml") else "application/json"
    return Page(content_type, text)


def pages(*names: str) -> list[Page]:
    return [page(name) for name in names]
