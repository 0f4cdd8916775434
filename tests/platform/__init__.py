"""The platform client's pure parts: the agencies' adapters over captured feed payloads (``fixtures/``),
signatures of pushed events, and the per-agency guard."""
