"""The table "målgrupp × insatser och utvecklingsområden", built once for the page and the plan.

Rows are the plan's målgrupper, columns its active insatser grouped by kind, with the
strukturinriktade last as the utvecklingsområden, as the Gotland-style plans lay it out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from insatser import rules

KIND_GROUPS = [
    (rules.INDIVID, "Individinriktade insatser"),
    (rules.ESF, "ESF-projekt"),
    (rules.BLANDAD, "Individ- och strukturinriktade"),
    (rules.STRUKTUR, "Utvecklingsområden och strukturinriktade insatser"),
]


# The most insats columns an A4 page holds side by side with whole words in their heads.
WIDEST = 7


@dataclass(frozen=True)
class MalgruppTable:
    """Column groups (label, insatser) and rows (målgrupp, one flag per insats column)."""

    groups: list[tuple[str, list]]
    rows: list[tuple[object, list[bool]]]

    @property
    def columns(self) -> list:
        return [insats for _, insatser in self.groups for insats in insatser]

    @property
    def turned(self) -> bool:
        """Whether the table is shown turned, an insats per row and a målgrupp per column: when
        its insatser would not fit a page's width as columns of whole words (labels are never
        hyphenated) and are more than its målgrupper."""
        return len(self.columns) > WIDEST and len(self.columns) > len(self.rows)

    @property
    def malgrupper(self) -> list:
        return [malgrupp for malgrupp, _ in self.rows]

    @property
    def turned_groups(self) -> list[tuple[str, list[tuple[object, list[bool]]]]]:
        """(kind label, [(insats, one flag per målgrupp)]) for the turned table."""
        index = {insats.pk: i for i, insats in enumerate(self.columns)}
        return [
            (
                label,
                [
                    (insats, [marks[index[insats.pk]] for _, marks in self.rows])
                    for insats in of_kind
                ],
            )
            for label, of_kind in self.groups
        ]


def malgrupp_table(malgrupper: Sequence, insatser: Sequence) -> MalgruppTable:
    """Mark where each insats serves a målgrupp (insatser with malgrupper prefetched)."""
    groups = []
    for kind, label in KIND_GROUPS:
        of_kind = sorted((i for i in insatser if i.kind == kind), key=lambda i: (i.order, i.name))
        if of_kind:
            groups.append((label, of_kind))
    columns = [insats for _, of_kind in groups for insats in of_kind]
    served = {insats.pk: {m.pk for m in insats.malgrupper.all()} for insats in columns}
    rows = [(m, [m.pk in served[insats.pk] for insats in columns]) for m in malgrupper]
    return MalgruppTable(groups=groups, rows=rows)
