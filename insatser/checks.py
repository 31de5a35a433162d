"""The insatser's place in the plan checks, and the risk × effekt matrix, as pure functions.

High risk with low effect is a signal to act on an insats or to end it: it appears among the
plan checks of the budget (budgets.selectors.plan_figures merges it) and stands out in the
matrix. Nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from budgets.checks import VARNING, Finding
from insatser.rules import HOG, LAG, LEVELS

RISK_HIGH_EFFECT_LOW = "risk-hog-effekt-lag"


@dataclass(frozen=True)
class RiskItem:
    """An insats as the risk checks see it."""

    key: str
    name: str
    risk: str  # lag, medel, hog, or "" when not assessed
    effekt: str
    active: bool


def check_risk_effect(items: Iterable[RiskItem]) -> list[Finding]:
    """risk-hog-effekt-lag: an active insats assessed as high risk with low effect."""
    return [
        Finding(
            RISK_HIGH_EFFECT_LOW,
            VARNING,
            f"Insatsen {item.name} har hög risk och låg effekt. Styrelsen bör besluta om "
            "åtgärder, eller om att avsluta insatsen.",
            None,
            f"insats:{item.key}",
        )
        for item in items
        if item.active and item.risk == HOG and item.effekt == LAG
    ]


@dataclass(frozen=True)
class RiskMatrix:
    """Active insatser placed by risk (rows, high first) and effekt (columns, low first)."""

    cells: dict[tuple[str, str], list[RiskItem]]
    unassessed: list[RiskItem]

    @property
    def rows(self) -> list[tuple[str, list[tuple[str, list[RiskItem]]]]]:
        """(risk, [(effekt, items), ...]) with high risk first, as the matrix is drawn."""
        return [
            (risk, [(effekt, self.cells[(risk, effekt)]) for effekt in LEVELS])
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
