"""Letter codes: the short code printed on every mailed agency letter, proving the reader holds that case's mail."""

from __future__ import annotations

import hashlib
import hmac

LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O: they are misread as 1 and 0


def letter_code(seed: int, agency: str, case_number: str) -> str:
    """Deterministic per (seed, agency, case): `ABCD-1234`."""
    digest = hmac.new(b"sandbox-letters:%d" % seed, f"{agency}:{case_number}".encode(), hashlib.sha256).digest()
    letters = "".join(LETTERS[b % len(LETTERS)] for b in digest[:4])
    digits = int.from_bytes(digest[4:8], "big") % 10_000
    return f"{letters}-{digits:04d}"


def same_code(expected: str, given: str) -> bool:
    normalized = given.strip().upper().replace(" ", "")
    if len(normalized) == 8 and "-" not in normalized:
        normalized = normalized[:4] + "-" + normalized[4:]
    return hmac.compare_digest(expected, normalized)
