"""The `malformed` fault: a payload cut off mid-stream, as a crashed upstream batch leaves it."""


def garble(text: str) -> str:
    """Deterministically broken: the first three fifths of the real body, then junk; never valid JSON or XML."""
    return text[: max(1, len(text) * 3 // 5)] + "\u0000<<TRUNCATED"
