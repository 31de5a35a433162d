"""The rules for a förbund's member set, as pure functions over member kinds."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

FK = "fk"
AF = "af"
REGION = "region"
KOMMUN = "kommun"
KIND_CHOICES = [
    (FK, "Försäkringskassan"),
    (AF, "Arbetsförmedlingen"),
    (REGION, "Region"),
    (KOMMUN, "Kommun"),
]
KIND_LABELS = dict(KIND_CHOICES)
SINGLE_KINDS = (FK, AF, REGION)


def member_set_problems(kinds: Iterable[str], *, region_has_kommun_role: bool) -> list[str]:
    """What is wrong with a member set, in Swedish; an empty list when it is complete."""
    counts = Counter(kinds)
    problems: list[str] = []
    for kind in SINGLE_KINDS:
        label = KIND_LABELS[kind]
        if counts[kind] == 0:
            problems.append(f"{label} saknas bland medlemmarna.")
        elif counts[kind] > 1:
            problems.append(
                f"Förbundet har {counts[kind]} medlemmar av slaget {label}; det ska vara en."
            )
    if region_has_kommun_role:
        if counts[KOMMUN]:
            problems.append(
                "Regionen har kommunens roll i förbundet, så förbundet ska inte ha någon kommun "
                "som egen medlem."
            )
    elif counts[KOMMUN] == 0:
        problems.append("Minst en kommun saknas bland medlemmarna.")
    return problems
