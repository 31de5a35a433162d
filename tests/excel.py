"""Recomputing an exported workbook as Excel would, with the `formulas` package, and the app's
own figure for each computed cell, to compare them."""

from __future__ import annotations

import re
import tempfile
from decimal import Decimal
from pathlib import Path

import formulas

from budgets.selectors import PlanFigures

_CELL = re.compile(r"^'\[[^\]]+\](?P<sheet>[^']+)'!(?P<cell>[A-Z]+\d+)$")


def recompute(data: bytes) -> dict[tuple[str, str], object]:
    """Every cell's value as a formula engine computes it: {(SHEET IN CAPITALS, "B7"): value}."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "plan.xlsx"
        path.write_bytes(data)
        model = formulas.ExcelModel().loads(str(path)).finish()
        solution = model.calculate()
    values = {}
    for key, ranges in solution.items():
        match = _CELL.match(key)
        if not match:
            continue
        value = ranges.value[0][0] if hasattr(ranges, "value") else ranges
        values[(match["sheet"], match["cell"])] = value
    return values


def app_figure(figures: PlanFigures, what: tuple) -> Decimal | None:
    """The app's figure that an exported formula stands for (plans.excel.export registry)."""
    kind = what[0]
    if kind == "col":
        _, index, attr = what
        return getattr(figures.columns[index].result, attr)
    _, index, key = what
    result = figures.columns[index].result
    if kind == "line":
        return result.line_amounts[key]
    if kind == "typed":
        column = figures.columns[index]
        return figures.typed.get((key, column.year, column.kind), Decimal(0))
    if kind == "group":
        return result.group_totals[key]
    if kind == "parent":
        return result.parent_totals[key]
    if kind == "member":
        return result.member_parts[key]
    if kind == "block":
        return result.split_blocks[key]
    if kind == "share":
        return result.shares[key]
    if kind == "statement":
        return getattr(result.resultatbudget, key)
    if kind == "balance":
        return getattr(result.balansbudget, key)
    raise KeyError(what)


def mismatches(figures: PlanFigures, export, values) -> list[str]:
    """Every computed cell whose recomputed value differs from the app's figure: to the krona
    for amounts, to 1e-9 for shares."""
    wrong = []
    for (sheet, cell), what in export.computed.items():
        expected = app_figure(figures, what)
        got = values.get((sheet.upper(), cell))
        if expected is None:
            continue
        try:
            number = Decimal(str(float(got)))
        except (TypeError, ValueError):
            wrong.append(f"{sheet}!{cell} {what}: {got!r}, appen {expected}")
            continue
        tolerance = Decimal("1e-9") if what[0] in ("share",) or "individ_of" in str(what) else 0
        if abs(number - Decimal(expected)) > tolerance:
            wrong.append(f"{sheet}!{cell} {what}: {number}, appen {expected}")
    return wrong


def rich_plan(*, kommuner: int = 3, region_has_kommun_role: bool = False, kommun_parts=True):
    """A plan with every shape the budget holds: kommuner with fördelningstal, two comparison
    columns (one known only as its resultatbudget), planned under-use, insatser (one mixed),
    an ESF income, a financial cost, a line with its own share kind, an undecided line, the
    room for new activity as a computed cost, a total over two groups, a plan year budgeted per
    group, targets and balance inputs."""
    from budgets import services
    from finsam.models import Fordelningstal
    from plans import services as plan_services
    from tests import factories

    forbund = factories.complete_forbund(
        kommuner=0 if region_has_kommun_role else kommuner,
        region_has_kommun_role=region_has_kommun_role,
        kommun_parts=kommun_parts,
        rounding_unit=100,
    )
    plan = plan_services.plan_create(
        forbund=forbund,
        acting_user=None,
        budget_year=2027,
        comparison=["budget", "prognos"],
        opening_equity=Decimal(1_500_000),
        under_use_percent=Decimal("5"),
    )
    for i, kommun in enumerate(forbund.medlemmar.filter(kind="kommun")):
        if kommun_parts:
            for year in range(2026, 2030):
                Fordelningstal.objects.create(
                    medlem=kommun, year=year, invanare=[10_000, 25_350, 7_501][i % 3] + year
                )
    mb = {(2026, "budget"): 5_900_000, (2026, "prognos"): 5_900_000}
    mb |= {(y, "budget"): 6_072_300 for y in plan.years}
    services.budget_figures_set(
        plan=plan, acting_user=None, medlemsbidrag={k: Decimal(v) for k, v in mb.items()}
    )
    groups = {g.name: g for g in forbund.budget_groups.prefetch_related("categories")}
    utveckling = forbund.budget_groups.create(name="Utveckling", side="kostnad", order=200)
    metod = forbund.budget_groups.create(
        name="Metodstöd", side="kostnad", order=201, parent=utveckling, share_kind="struktur"
    )
    analys = forbund.budget_groups.create(
        name="Analys", side="kostnad", order=202, parent=utveckling
    )
    cat = {name: g.categories.first() for name, g in groups.items()}
    all_columns = [(2026, "budget"), (2027, "budget"), (2028, "budget"), (2029, "budget")]

    def line(category, name, amounts, **kw):
        return services.budget_line_create(
            plan=plan,
            acting_user=None,
            category=category,
            name=name,
            amounts={k: Decimal(v) for k, v in amounts.items()},
            **kw,
        )

    line(cat["ESF-medel"], "ESF-medel projekt", dict.fromkeys(all_columns, 250_000))
    line(cat["Finansiella intäkter"], "Ränta", {(2027, "budget"): 1_200})
    kansli = groups["Förvaltning"].categories.get(name="Kansli")
    line(
        kansli,
        "Kansli",
        {(2026, "budget"): 900_000, (2027, "budget"): 950_500, (2028, "budget"): 975_000},
    )
    line(kansli, "Reserv", {(2027, "budget"): 100_000}, decided=False)
    line(
        kansli,
        "Revisionsarvode",
        {(2027, "budget"): 60_000, (2028, "budget"): 61_000},
        share_kind="ovrigt",
    )
    line(
        cat["Finansiella kostnader"],
        "Bankavgifter",
        {(2027, "budget"): 3_000, (2028, "budget"): 3_100},
    )
    line(
        metod.categories.create(name="Metodstöd"),
        "Metodstöd",
        {(2027, "budget"): 300_000, (2028, "budget"): 310_000},
    )
    line(analys.categories.create(name="Analys"), "Utvärdering", {(2027, "budget"): 120_000})
    line(
        utveckling.categories.create(name="Utveckling"),
        "Utvecklingsdag",
        {(2027, "budget"): 40_000},
    )
    factories.insats(
        plan, name="Jobbspåret", kind="individ", money={2027: 2_345_678, 2028: 2_400_001}
    )
    factories.insats(
        plan,
        name="Samverkansteam",
        kind="blandad",
        individ_percent=60,
        money={2027: 1_111_111, 2028: 999_999},
    )
    line(kansli, "Utrymme för ny verksamhet", {}, computed_room=True)
    rows = {(r.year, r.column): r for r in plan.year_rows.all()}
    services.budget_years_update(
        plan=plan,
        acting_user=None,
        rows={
            rows[(2026, "budget")].pk: {"comparison_ib": Decimal(1_200_000)},
            rows[(2026, "prognos")].pk: {
                "comparison_ib": Decimal(1_200_000),
                "level": "resultat",
                "rr_intakter": Decimal(240_000),
                "rr_kostnader": Decimal(5_800_000),
                "rr_finansiella_kostnader": Decimal(2_500),
            },
            rows[(2027, "budget")].pk: {
                "ceiling_percent": Decimal(20),
                "floor_amount": Decimal(400_000),
                "min_individ_percent": Decimal(50),
                "omsattningstillgangar": Decimal(2_000_000),
                "kortfristiga_skulder": Decimal(300_000),
            },
            rows[(2028, "budget")].pk: {
                "ceiling_amount": Decimal(1_000_000),
                "floor_amount": Decimal(400_000),
            },
            rows[(2029, "budget")].pk: {"level": "grupper", "stated_ib": Decimal(450_000)},
        },
    )
    summary = plan.budget_lines.filter(summary=True).order_by("pk")
    services.budget_figures_set(
        plan=plan,
        acting_user=None,
        amounts={
            (ln.pk, 2029, "budget"): Decimal(101_000 * (i + 1)) for i, ln in enumerate(summary)
        },
    )
    return plan
