"""The exact patterns the audit looks for behind a stated figure that disagrees: pure functions
over Decimals, no Django. Each answers only when the pattern holds to the krona; a cause that is
merely plausible is never offered (plans/excel/audit.py says none instead)."""

from __future__ import annotations

from decimal import Decimal
from itertools import combinations

# Rows searched for a set whose sum is the difference: three of 150 rows is about half a million
# sums, a fraction of a second; a larger group is left unsearched rather than slowed.
MAX_SET_ROWS = 150
MAX_SET_SIZE = 3


def row_sets(amounts: list[Decimal], target: Decimal, *, sizes=(2, 3)) -> list[tuple[int, ...]]:
    """Index sets of the given sizes whose amounts sum to target; at most two are returned,
    enough to tell one answer from several."""
    if not target or len(amounts) > MAX_SET_ROWS:
        return []
    found: list[tuple[int, ...]] = []
    where: dict[Decimal, list[int]] = {}
    for index, amount in enumerate(amounts):
        where.setdefault(amount, []).append(index)
    for size in sizes:
        if size == 2:
            for i, amount in enumerate(amounts):
                for j in where.get(target - amount, ()):
                    if j > i:
                        found.append((i, j))
                        if len(found) > 1:
                            return found
        elif size == 3:
            for i, j in combinations(range(len(amounts)), 2):
                for k in where.get(target - amounts[i] - amounts[j], ()):
                    if k > j:
                        found.append((i, j, k))
                        if len(found) > 1:
                            return found
    return found


def digit_slip(stated: Decimal, computed: Decimal) -> str | None:
    """ "transposed" when two adjacent digits of the computed figure were swapped (613 → 631),
    "digit" when exactly one digit differs (613 → 618), else None. Whole amounts of the same
    sign and length only: anything else is no slip of the pen."""
    if stated == computed or not stated or not computed or (stated < 0) != (computed < 0):
        return None
    if stated != stated.to_integral_value() or computed != computed.to_integral_value():
        return None
    a, b = str(abs(int(stated))), str(abs(int(computed)))
    if len(a) != len(b):
        return None
    differ = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    if len(differ) == 1:
        return "digit"
    if len(differ) == 2 and differ[1] == differ[0] + 1:
        i = differ[0]
        if a[i] == b[i + 1] and a[i + 1] == b[i]:
            return "transposed"
    return None
