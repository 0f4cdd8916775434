"""Generated households: who lives with resident n and when they were born, from (seed, n) alone.

Drawn from a hash of its own, never from the resident's case generator, so adding households changed no
resident's cases. Adults of working age often live with children (some under five, the WIC age); older
residents live with a spouse or another adult.
"""

from __future__ import annotations

from datetime import date
from hashlib import blake2b

from simulator.people.model import HouseholdMember


def generated_household(seed: int, n: int, birthdate: date, size: int, reference_year: int) -> tuple:
    """``size`` members, the resident first (``self``), each with a date of birth."""
    h = blake2b(b"household:%d:%d" % (seed, n), digest_size=32).digest()
    age = reference_year - birthdate.year
    members = [HouseholdMember("self", birthdate)]
    for slot in range(1, size):
        byte = h[slot * 3]
        if slot == 1 and (age >= 55 or byte < 90):
            partner_age = max(18, age + h[slot * 3 + 1] % 9 - 4)
            members.append(
                HouseholdMember("spouse" if byte < 200 else "other", _born(reference_year, partner_age, h, slot))
            )
        elif 18 <= age < 55:
            oldest = min(17, age - 17)
            # about half of the children drawn are toddlers: the households WIC is for
            child_age = h[slot * 3 + 1] % 5 if h[slot * 3 + 2] < 110 else h[slot * 3 + 1] % (oldest + 1)
            members.append(HouseholdMember("child", _born(reference_year, child_age, h, slot)))
        else:
            members.append(HouseholdMember("other", _born(reference_year, 18 + byte % 60, h, slot)))
    return tuple(members)


def _born(reference_year: int, age: int, h: bytes, slot: int) -> date:
    return date(reference_year - age, 1 + h[20 + slot] % 12, 1 + h[26 + slot % 6] % 28)
