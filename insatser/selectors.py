"""Reads of insatser that span models: their money per year from the one computation
(budgets.selectors.plan_figures), for the insatser list and an insats's page."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from budgets.models import ColumnKind
from budgets.selectors import PlanFigures, calc_key
from finsam.models import Medlem
from insatser import rules
from insatser.models import Insats

ZERO = Decimal(0)


class YearMoney(NamedTuple):
    """An insats's money in one plan year: granted (its line as typed) and budgeted (after
    planned under-use)."""

    granted: Decimal
    budgeted: Decimal


@dataclass
class InsatsList:
    """The insatser list: a row per insats (insats, amounts per year, warning, risk_finding)
    and the totals per year."""

    years: list[int]
    rows: list[dict] = field(default_factory=list)
    totals: list[list[Decimal]] = field(default_factory=list)  # [granted, budgeted] per year


def _year_money(figures: PlanFigures, line) -> list[YearMoney]:
    return [
        YearMoney(
            figures.typed.get((line.pk, c.year, ColumnKind.BUDGET), ZERO),
            c.result.line_amounts.get(calc_key(line), ZERO),
        )
        for c in figures.plan_columns
    ]


def list_figures(figures: PlanFigures) -> tuple[dict[int, list[YearMoney]], set[int]]:
    """What the insatser list shows of the plan's figures: the money per year of each insats
    with a budget line (by its id) and the insatser a plan check names."""
    money = {
        line.insats_id: _year_money(figures, line)
        for line in figures.lines
        if line.insats_id is not None
    }
    refs = (f.ref or "" for f in figures.findings)
    named = {int(ref[7:]) for ref in refs if ref.startswith("insats:") and ref[7:].isdigit()}
    return money, named


def insats_list(figures: PlanFigures, insatser: Iterable[Insats]) -> InsatsList:
    """Each insats with its money per year (its budget line, granted and budgeted), whether it
    involves too few members, whether a plan check names it; and the totals."""
    years = [c.year for c in figures.plan_columns]
    money, named = list_figures(figures)
    listing = InsatsList(years=years)
    for insats in insatser:
        amounts = money.get(insats.pk) or no_money(years)
        listing.rows.append(
            {
                "insats": insats,
                "amounts": amounts,
                "warning": rules.too_few_members(
                    insats.kind, insats.agare_id, [m.pk for m in insats.parter.all()]
                ),
                "risk_finding": insats.pk in named,
            }
        )
    listing.totals = list_totals([row["amounts"] for row in listing.rows], years)
    return listing


def no_money(years: list[int]) -> list[YearMoney]:
    return [YearMoney(ZERO, ZERO) for _ in years]


def list_totals(amounts: Iterable[list[YearMoney]], years: list[int]) -> list[list[Decimal]]:
    """The list's sums per year, [granted, budgeted], of its rows' amounts."""
    amounts = list(amounts)
    return [
        [
            sum((row[i].granted for row in amounts), ZERO),
            sum((row[i].budgeted for row in amounts), ZERO),
        ]
        for i in range(len(years))
    ]


def insats_budget(figures: PlanFigures, insats: Insats) -> dict | None:
    """Where an insats stands in the budget, year by year: its line, its group and the group's
    share of all costs."""
    line = next((ln for ln in figures.lines if ln.insats_id == insats.pk), None)
    if line is None:
        return None
    group = line.category.group
    return {
        "line": line,
        "group": group,
        "share_kinds": [
            (rules.KIND_LABELS.get(kind, kind), fraction)
            for kind, fraction in insats.share_kinds(group.share_kind).items()
        ],
        "years": [
            {
                "year": c.year,
                "granted": money.granted,
                "budgeted": money.budgeted,
                "group_total": c.result.group_totals.get(calc_key(group), ZERO),
                "group_share": c.result.group_shares.get(calc_key(group)),
                "kostnader": c.result.kostnader,
            }
            for money, c in zip(_year_money(figures, line), figures.plan_columns, strict=True)
        ],
    }


def with_plan_members(insatser: Iterable[Insats], members: dict[int, Medlem]) -> None:
    """Each insats's ägare and parter as the plan shows its members (PlanFigures.members_by_pk:
    as submitted, for a submitted or adopted plan), in insats.parter_shown."""
    place = {pk: n for n, pk in enumerate(members)}
    for insats in insatser:
        insats.agare = members.get(insats.agare_id, insats.agare)
        parter = [members.get(m.pk, m) for m in insats.parter.all()]
        insats.parter_shown = sorted(parter, key=lambda m: place.get(m.pk, len(place)))
