"""Agency identifiers for generated residents: reversible, Luhn-checked numbers, so no lookup table is needed.

A generated identifier is 8 scrambled digits of (resident index, slot) plus a Luhn check digit. Personas use
hand-picked numbers whose check digit is deliberately wrong, so they can never collide with a generated one.
"""

from __future__ import annotations

SPACE = 10**8
# One odd, non-multiple-of-5 multiplier per kind of identifier keeps each mapping a bijection on SPACE.
MULTIPLIERS = {
    "person": 48_271_393,
    "DHS": 69_069_137,
    "HFS": 16_807_171,
    "AGING": 22_695_477,
    "DCEO": 1_103_515_249 % SPACE,
    "DEC": 33_554_393,
    "case:DHS": 52_734_109,
    "case:HFS": 74_370_091,
    "case:AGING": 31_415_927,
    "case:DCEO": 27_182_819,
    "case:DEC": 14_142_137,
}
OFFSETS = {kind: (i * 7_919_027 + 1_234_567) % SPACE for i, kind in enumerate(MULTIPLIERS)}
INVERSES = {kind: pow(m, -1, SPACE) for kind, m in MULTIPLIERS.items()}


def luhn_digit(digits: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def _luhn_block(block: int) -> int:
    """Luhn sum of four digits whose rightmost digit is doubled (the pattern of both halves of a body)."""
    total = 0
    for i in range(4):
        d = block % 10
        block //= 10
        if i % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total


LUHN_BLOCKS = [_luhn_block(b) for b in range(10_000)]


def luhn_valid(number: str) -> bool:
    return number.isdigit() and len(number) >= 2 and luhn_digit(number[:-1]) == number[-1]


def encode(kind: str, value: int) -> str:
    """Nine digits for `value` (< 10**8) in the numbering of `kind`."""
    scrambled = (value * MULTIPLIERS[kind] + OFFSETS[kind]) % SPACE
    check = (10 - (LUHN_BLOCKS[scrambled % 10_000] + LUHN_BLOCKS[scrambled // 10_000]) % 10) % 10
    return f"{scrambled:08d}{check}"


def decode(kind: str, number: str) -> int | None:
    if len(number) != 9 or not luhn_valid(number):
        return None
    return ((int(number[:8]) - OFFSETS[kind]) * INVERSES[kind]) % SPACE
