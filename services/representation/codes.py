"""Invitation codes: high entropy, easy to read aloud and type, and kept only as a hash.

A code is 16 letters from a 22-letter alphabet without the look-alikes I, L, O and U (about 71 bits), shown in
four groups: ``HKPD-WRTC-MNZA-FQEX``. Case, spaces and hyphens do not matter when it is typed back. The hub
stores its SHA-256 and finds an invitation by that hash (a unique index), so the code is compared only as a
digest: the lookup takes the same path whatever the code, and a leaked table gives no usable code. With 71
bits and at most a few tries an hour per account (``api/auth/rate_limits.py``), guessing one is hopeless.
"""

from __future__ import annotations

import hashlib
import re
import secrets

ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ"
GROUPS, GROUP_LENGTH = 4, 4
LENGTH = GROUPS * GROUP_LENGTH
_SHAPE = re.compile(f"^[{ALPHABET}]{{{LENGTH}}}$")
TYPED = r"^[A-Za-z\s-]{16,40}$"  # what a typed code may look like before it is normalised


def new_code() -> str:
    letters = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(letters[i : i + GROUP_LENGTH] for i in range(0, LENGTH, GROUP_LENGTH))


def normalised(typed: str) -> str | None:
    """The code's 16 letters, or ``None`` when ``typed`` cannot be a code (wrong letters or length)."""
    letters = re.sub(r"[\s-]", "", typed).upper()
    return letters if _SHAPE.match(letters) else None


def code_hash(letters: str) -> str:
    return hashlib.sha256(f"representative-invitation:{letters}".encode()).hexdigest()
