"""The risk × effekt matrix of a plan's insatser, as pure functions.

High risk with low effect is a signal to act on an insats or to end it: it stands out in the
matrix, and is a plan check (budgets.checks.check_risk_effect). Nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from budgets.checks import RiskItem, is_high_risk_low_effect
from insatser.rules import LEVELS


class Cell(list):
    """The insatser in one cell of the matrix; alert marks the cell the plan check warns about
    (high risk, low effect)."""

    def __init__(self, items: Iterable[RiskItem], alert: bool):
        super().__init__(items)
        self.alert = alert


@dataclass(frozen=True)
class RiskMatrix:
    """Active insatser placed by risk (rows, high first) and effekt (columns, low first)."""

    cells: dict[tuple[str, str], list[RiskItem]]
    unassessed: list[RiskItem]

    @property
    def rows(self) -> list[tuple[str, list[tuple[str, Cell]]]]:
        """(risk, [(effekt, items), ...]) with high risk first, as the matrix is drawn."""
        return [
            (
                risk,
                [
                    (
                        effekt,
                        Cell(self.cells[(risk, effekt)], is_high_risk_low_effect(risk, effekt)),
                    )
                    for effekt in LEVELS
                ],
            )
            for risk in reversed(LEVELS)
        ]


def risk_matrix(items: Iterable[RiskItem]) -> RiskMatrix:
    """Place each active insats once: in its cell, or among the unassessed."""
    cells: dict[tuple[str, str], list[RiskItem]] = {(r, e): [] for r in LEVELS for e in LEVELS}
    unassessed: list[RiskItem] = []
    for item in items:
        if not item.active:
            continue
        if (item.risk, item.effekt) in cells:
            cells[(item.risk, item.effekt)].append(item)
        else:
            unassessed.append(item)
    return RiskMatrix(cells=cells, unassessed=unassessed)
