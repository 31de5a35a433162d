"""Reads of the year after adoption: the plan followed, its lines as the follow-up knows them,
the konto map resolved, utfall per line and month, and the follow-up figures of a year.

The figures come from a fixed number of queries whatever the plan's size, and the year's
forecast (members' parts, result, UB, the later years rolled forward) is computed by
budgets.calc from the plan's own input with the prognos in place of the budget year.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.db.models import prefetch_related_objects

from budgets import calc, checks
from budgets.selectors import PlanFigures, plan_figures, plan_input
from finsam.models import Forbund
from followup import compute
from followup.compute import LineRef
from followup.models import (
    MEDLEMSBIDRAG,
    AccountOutcome,
    Distribution,
    FollowupSettings,
    KontoMapping,
    LineOutcome,
    MappingTarget,
    MonthProfile,
    Prognos,
    PrognosLine,
)
from plans.models import Plan

ZERO = Decimal(0)


def followed_plan(forbund: Forbund, year: int) -> Plan | None:
    """The plan the year is followed against: the latest adopted version for that budget year."""
    return (
        Plan.objects.for_forbund(forbund)
        .adopted()
        .filter(budget_year=year)
        .select_related("forbund")
        .order_by("-version")
        .first()
    )


def settings_for(forbund: Forbund) -> FollowupSettings:
    """The förbund's follow-up settings (the defaults until the kansli saves its own)."""
    found = FollowupSettings.objects.filter(forbund=forbund).first()
    return found or FollowupSettings(forbund=forbund)


def line_refs(figures: PlanFigures) -> list[LineRef]:
    """The lines followed in the plan's budget year (those that count at its level), in the
    plan's order, and the members' contribution first."""
    year = figures.plan.budget_year
    level = figures.result.year(year).level
    lines = [ln for ln in figures.lines if ln.counts_in(level)]
    labels = compute.line_labels((ln.category.group.name, ln.name) for ln in lines)
    refs = [LineRef(group_id=None, name=MEDLEMSBIDRAG, side=calc.INTAKT, label=MEDLEMSBIDRAG)]
    for line, label in zip(lines, labels, strict=True):
        group = line.category.group
        refs.append(
            LineRef(
                group_id=group.pk,
                name=line.name,
                side=group.side,
                label=label,
                group_name=group.name,
                calc_key=str(line.pk),
                insats_id=line.insats_id,
            )
        )
    return refs


def ref_for_label(refs: Sequence[LineRef], label: str) -> LineRef | None:
    """The line a konto map's budgetrad names: its label, or its name where that is unique,
    whatever the case and spaces."""
    wanted = " ".join(label.split()).casefold()
    for ref in refs:
        if " ".join(ref.label.split()).casefold() == wanted:
            return ref
    by_name = [r for r in refs if " ".join(r.name.split()).casefold() == wanted]
    return by_name[0] if len(by_name) == 1 else None


@dataclass(frozen=True)
class Resolved:
    """Where one konto lands by the map: a line, the members' contribution, nothing followed
    (ignored), or no mapping at all (None), and the mapping that decided."""

    ref: LineRef | None
    mapping: KontoMapping | None
    ignored: bool = False


class Resolver:
    """Where each konto lands by the map, looked up in constant time per konto: a single konto
    by its number, a range among the few ranges, narrowest first; a line by its key."""

    def __init__(self, mappings: Sequence[KontoMapping], refs: Sequence[LineRef]):
        self.singles = {m.konto_from: m for m in mappings if m.konto_from == m.konto_to}
        self.ranges = sorted(
            (m for m in mappings if m.konto_from != m.konto_to),
            key=lambda m: (m.width, m.konto_from),
        )
        self.refs = {r.key: r for r in refs}

    def mapping(self, konto: int) -> KontoMapping | None:
        """The narrowest mapping that covers the konto."""
        found = self.singles.get(konto)
        if found is not None:
            return found
        return next((m for m in self.ranges if m.covers(konto)), None)

    def __call__(self, konto: int) -> Resolved:
        mapping = self.mapping(konto)
        if mapping is None:
            return Resolved(None, None)
        if mapping.target == MappingTarget.IGNORE:
            return Resolved(None, mapping, ignored=True)
        if mapping.target == MappingTarget.MEDLEMSBIDRAG:
            return Resolved(self.refs.get((None, MEDLEMSBIDRAG)), mapping)
        return Resolved(self.refs.get((mapping.group_id, mapping.line_name)), mapping)


def resolve(konto: int, mappings: Sequence[KontoMapping], refs: Sequence[LineRef]) -> Resolved:
    """The narrowest mapping that covers the konto decides; a mapping to a line this plan does
    not have resolves to no line (the konto is listed as mapped to nothing). For many konton,
    build one Resolver."""
    return Resolver(mappings, refs)(konto)


@dataclass
class UnmappedAccount:
    konto: int
    name: str
    months: list[Decimal]  # as booked, debit positive
    ignored: bool = False
    mapping: KontoMapping | None = None

    @property
    def total(self) -> Decimal:
        return sum(self.months, ZERO)


@dataclass
class Utfall:
    """A year's utfall per line and month, as the plan shows the lines (kronor, rounded per line
    and month, so that every sum on a page adds up), and the konton that land on no line."""

    by_line: dict[tuple[int | None, str], list[Decimal]]
    unmapped: list[UnmappedAccount]
    ignored: list[UnmappedAccount]
    months_with_data: set[int]
    sources: dict[tuple[int | None, str], set[str]]
    account_total: Decimal  # every konto's amount in the books, debit positive, to the öre
    # (line key, month) the books feed: there a typed or Excel figure does not count.
    booked: set = field(default_factory=set)
    # Typed figures of such months: (line key, month, amount), listed, not added.
    superseded: list = field(default_factory=list)


def utfall_for(
    forbund: Forbund,
    year: int,
    refs: Sequence[LineRef],
    *,
    replace_accounts: tuple[set[int], dict[int, tuple[str, list[Decimal]]]] | None = None,
    replace_lines: tuple[set[int], dict[tuple[int | None, str], list[Decimal]]] | None = None,
) -> Utfall:
    """Utfall per line and month from the konton (through the map) and the lines typed or read
    from Excel. Three queries. replace_accounts / replace_lines (months, rows): as it would be
    with an import's rows in place of those months (an import's preview)."""
    mappings = list(KontoMapping.objects.filter(forbund=forbund))
    exact: dict[tuple[int | None, str], list[Decimal]] = {}
    sources: dict[tuple[int | None, str], set[str]] = {}
    by_konto: dict[int, tuple[str, list[Decimal]]] = {}
    months: set[int] = set()
    total = ZERO
    account_rows = list(
        AccountOutcome.objects.filter(forbund=forbund, year=year).values_list(
            "konto", "name", "month", "amount"
        )
    )
    if replace_accounts is not None:
        replaced, accounts = replace_accounts
        account_rows = [r for r in account_rows if r[2] not in replaced] + [
            (konto, name, index + 1, amount)
            for konto, (name, amounts) in accounts.items()
            for index, amount in enumerate(amounts)
            if amount and index + 1 in replaced
        ]
    present: dict[int, set[int]] = {}  # the months each konto has a row in
    for konto, name, month, amount in account_rows:
        entry = by_konto.get(konto)
        if entry is None:  # (not setdefault: that builds a year of zeros for every row)
            entry = by_konto[konto] = (name, compute.zero_months())
            present[konto] = set()
        entry[1][month - 1] += amount
        present[konto].add(month)
        months.add(month)
        total += amount
    unmapped: list[UnmappedAccount] = []
    ignored: list[UnmappedAccount] = []
    booked: set[tuple[tuple[int | None, str], int]] = set()
    resolver = Resolver(mappings, refs)
    resolved = {konto: resolver(konto) for konto in by_konto}
    for konto, (name, amounts) in sorted(by_konto.items()):
        found = resolved[konto]
        if found.ref is None:
            account = UnmappedAccount(konto, name, amounts, found.ignored, found.mapping)
            (ignored if found.ignored else unmapped).append(account)
            continue
        key = found.ref.key
        row = exact.get(key)
        if row is None:
            row = exact[key] = compute.zero_months()
        for index, amount in enumerate(amounts):
            row[index] += compute.shown_amount(found.ref.side, amount)
        sources.setdefault(key, set()).add("sie")
        booked.update((key, month) for month in present[konto])
    by_line = {key: [calc.round_kr(a) for a in row] for key, row in exact.items()}
    line_rows = list(
        LineOutcome.objects.filter(forbund=forbund, year=year).values_list(
            "group_id", "line_name", "month", "amount"
        )
    )
    if replace_lines is not None:
        replaced, lines = replace_lines
        line_rows = [r for r in line_rows if r[2] not in replaced] + [
            (key[0], key[1], index + 1, amount)
            for key, amounts in lines.items()
            for index, amount in enumerate(amounts)
            if index + 1 in replaced
        ]
    superseded: list[tuple[tuple[int | None, str], int, Decimal]] = []
    for group_id, name, month, amount in line_rows:
        key = (group_id, name)
        if (key, month) in booked:
            # The books have the month: a figure typed before they came (or read from Excel)
            # is theirs no longer. Kept, and listed, never added to the books' own.
            if amount:
                superseded.append((key, month, amount))
            continue
        row = by_line.get(key)
        if row is None:
            row = by_line[key] = compute.zero_months()
        row[month - 1] += amount
        months.add(month)
        sources.setdefault(key, set()).add("hand")
    return Utfall(by_line, unmapped, ignored, months, sources, total, booked, superseded)


def weights_for(forbund: Forbund, settings: FollowupSettings) -> dict[tuple[int | None, str], list]:
    if settings.distribution != Distribution.PROFILE:
        return {}
    return {
        (p.group_id, p.line_name): p.weights for p in MonthProfile.objects.filter(forbund=forbund)
    }


@dataclass
class Row:
    """One line (or a total) on the follow-up page."""

    ref: LineRef
    budget: Decimal
    months: list[Decimal]
    month: int  # utfall through this month
    budget_so_far: Decimal
    prognos: Decimal
    prognos_line: PrognosLine | None = None
    must_explain: bool = False
    label: str = ""
    kind: str = "line"  # "line", "group", "total"

    @property
    def side(self) -> str:
        return self.ref.side

    @cached_property
    def utfall(self) -> Decimal:
        return sum(self.months[: self.month], ZERO)

    @cached_property
    def deviation(self) -> Decimal:
        """Utfall to date against budget to date, as its effect on the result."""
        return compute.result_effect(self.side, self.budget_so_far, self.utfall)

    @property
    def deviation_percent(self) -> Decimal | None:
        return compute.percent(self.deviation, self.budget_so_far)

    @cached_property
    def prognos_deviation(self) -> Decimal:
        """The year's prognos against its budget, as its effect on the result."""
        return compute.result_effect(self.side, self.budget, self.prognos)

    @property
    def prognos_percent(self) -> Decimal | None:
        return compute.percent(self.prognos_deviation, self.budget)

    @property
    def explanation(self) -> str:
        line = self.prognos_line
        return line.explanation if line is not None else ""


def _total(label: str, rows: Sequence[Row], side: str, month: int, kind: str) -> Row:
    return Row(
        ref=LineRef(group_id=None, name=label, side=side, label=label),
        budget=sum((r.budget for r in rows), ZERO),
        months=[sum((r.months[i] for r in rows), ZERO) for i in range(12)],
        month=month,
        budget_so_far=sum((r.budget_so_far for r in rows), ZERO),
        prognos=sum((r.prognos for r in rows), ZERO),
        label=label,
        kind=kind,
    )


@dataclass
class Forecast:
    """The year as forecast, computed by budgets.calc: the budget year and the later plan years
    rolled forward from its UB, with the plan's checks on them."""

    years: tuple[calc.YearResult, ...]
    findings: list[checks.Finding]

    @property
    def first(self) -> calc.YearResult:
        return self.years[0]


@dataclass
class FollowUp:
    """Every figure of a year's follow-up page (and of `manage.py follow_up`)."""

    plan: Plan
    figures: PlanFigures
    year: int
    month: int  # utfall through this month (0: none yet)
    settings: FollowupSettings
    refs: list[LineRef]
    rows: list[Row]  # medlemsbidrag first, then the plan's lines
    groups: list[Row]
    totals: dict[str, Row]  # "intakter", "kostnader"
    utfall: Utfall
    prognos: Prognos | None
    prognoses: list[Prognos]
    forecast: Forecast
    budget_years: tuple[calc.YearResult, ...]
    insats_rows: list[Row] = field(default_factory=list)

    @property
    def result_row(self) -> dict[str, Decimal]:
        inc, cost = self.totals["intakter"], self.totals["kostnader"]
        return {
            "budget": inc.budget - cost.budget,
            "budget_so_far": inc.budget_so_far - cost.budget_so_far,
            "utfall": inc.utfall - cost.utfall,
            "prognos": inc.prognos - cost.prognos,
            "deviation": inc.deviation + cost.deviation,
            "prognos_deviation": inc.prognos_deviation + cost.prognos_deviation,
        }

    @property
    def unexplained(self) -> list[Row]:
        return [r for r in self.rows if r.must_explain and not r.explanation.strip()]


def prognoses_for(forbund: Forbund, year: int) -> list[Prognos]:
    """The year's prognoses, oldest first (one query). Their lines are read where they are
    needed: a page shows one prognos's lines, and a year has some 800 per prognos."""
    return list(Prognos.objects.filter(forbund=forbund, year=year).select_related("created_by"))


def forecast_years(
    figures: PlanFigures, refs: Sequence[LineRef], amounts: dict[tuple[int | None, str], Decimal]
) -> Forecast:
    """The budget year with the forecast amounts in place of its budget (no under-use: a
    forecast is what happens), and the later plan years rolled forward from its UB as budgeted:
    the same calculation as the plan."""
    inp = plan_input(figures)
    first = figures.plan.budget_year
    by_key = {ln.key: ln for ln in inp.lines}
    lines: list[calc.Line] = []
    for ref in refs:
        if ref.group_id is None:
            continue
        base = by_key[ref.calc_key]
        amount = amounts.get(ref.key, ZERO)
        side, group_key, statement, kinds = base.side, base.group_key, base.statement, None
        if amount < 0:  # a line that turned net the other way counts on the other side
            side = calc.KOSTNAD if side == calc.INTAKT else calc.INTAKT
            group_key, kinds, amount = f"{group_key}:motsatt", {}, -amount
            if statement == calc.AVSKRIVNING:
                statement = calc.VERKSAMHET
        lines.append(
            dataclasses.replace(
                base,
                side=side,
                group_key=group_key,
                statement=statement,
                share_kinds=base.share_kinds if kinds is None else kinds,
                amounts={first: amount},
                under_use_applies=False,
                computed_room=False,
                summary=False,
            )
        )
    mb = amounts.get((None, MEDLEMSBIDRAG), inp.allocations.get(first, ZERO))
    year_one = calc.compute_plan(
        dataclasses.replace(
            inp,
            years=(first,),
            allocations={**inp.allocations, first: mb},
            under_use_percent=ZERO,
            lines=lines,
            group_parents={},
            levels={first: calc.RADER},
            stated_ib={},
            balance={},
            statement_amounts={},
        )
    ).years[0]
    later = tuple(y for y in inp.years if y > first)
    rest: tuple[calc.YearResult, ...] = ()
    if later:
        rest = calc.compute_plan(
            dataclasses.replace(inp, years=later, opening_equity=year_one.ub, stated_ib={})
        ).years
    years = (year_one, *rest)
    unit = figures.unit
    findings = [
        f
        for y in years
        for check in (checks.check_negative_equity, checks.check_ceiling, checks.check_floor)
        for f in check(y, amount_unit=unit)
    ]
    return Forecast(years=years, findings=findings)


def follow_up(plan: Plan, *, month: int | None = None) -> FollowUp:
    """The follow-up of an adopted plan's budget year, utfall through `month` (default: the last
    month with utfall) against the budget to date and the latest prognos made by then."""
    forbund, year = plan.forbund, plan.budget_year
    figures = plan_figures(plan)
    refs = line_refs(figures)
    settings = settings_for(forbund)
    weights = weights_for(forbund, settings)
    utfall = utfall_for(forbund, year, refs)
    asked = month is not None
    if month is None:
        month = max(utfall.months_with_data, default=0)
    prognoses = prognoses_for(forbund, year)
    # The year as it stands: its latest prognos, even one made after a month the books have not
    # reached yet; the year as at an earlier month: the prognos made by then.
    if asked:
        prognos = next((p for p in reversed(prognoses) if p.month <= month), None)
    else:
        prognos = prognoses[-1] if prognoses else None
    prognos_lines = {}
    if prognos is not None:
        prefetch_related_objects([prognos], "lines")
        prognos_lines = {(pl.group_id, pl.line_name): pl for pl in prognos.lines.all()}
    budget_year = figures.result.year(year)
    rows: list[Row] = []
    for ref in refs:
        budget = (
            budget_year.medlemsbidrag
            if ref.group_id is None
            else budget_year.line_amounts.get(ref.calc_key, ZERO)
        )
        months = utfall.by_line.get(ref.key, compute.zero_months())
        so_far = compute.budget_to_date(budget, weights.get(ref.key, compute.EVEN), month)
        pl = prognos_lines.get(ref.key)
        if pl is not None:
            forecast = pl.amount.amount
        else:  # no prognos yet: the year as budgeted, beside what is known
            forecast = compute.prefill(
                compute.REST,
                utfall=sum(months[:month], ZERO),
                budget=budget,
                budget_so_far=so_far,
                month=month,
            )
        row = Row(ref, budget, months, month, so_far, forecast, pl, label=ref.label)
        row.must_explain = prognos is not None and compute.must_explain(
            row.prognos_deviation,
            budget,
            threshold_kr=settings.threshold_kr.amount,
            threshold_percent=settings.threshold_percent,
        )
        rows.append(row)
    groups: list[Row] = []
    by_group: dict[int, list[Row]] = {}
    for row in rows:
        if row.ref.group_id is not None:
            by_group.setdefault(row.ref.group_id, []).append(row)
    for members in by_group.values():
        first = members[0].ref
        groups.append(_total(first.group_name, members, first.side, month, "group"))
    totals = {
        "intakter": _total(
            "Summa intäkter",
            [r for r in rows if r.side == calc.INTAKT],
            calc.INTAKT,
            month,
            "total",
        ),
        "kostnader": _total(
            "Summa kostnader",
            [r for r in rows if r.side == calc.KOSTNAD],
            calc.KOSTNAD,
            month,
            "total",
        ),
    }
    forecast = forecast_years(figures, refs, {r.ref.key: r.prognos for r in rows})
    return FollowUp(
        plan=plan,
        figures=figures,
        year=year,
        month=month,
        settings=settings,
        refs=refs,
        rows=rows,
        groups=groups,
        totals=totals,
        utfall=utfall,
        prognos=prognos,
        prognoses=prognoses,
        forecast=forecast,
        budget_years=tuple(figures.result.years),
        insats_rows=[r for r in rows if r.ref.insats_id is not None],
    )


def category_lines(figures: PlanFigures, refs: Iterable[LineRef]) -> dict[str, LineRef]:
    """A category's name to its line where the category has exactly one followed line (so a
    konto named like the category has one place to land)."""
    by_key = {r.calc_key: r for r in refs if r.calc_key}
    found: dict[str, list[LineRef]] = {}
    for line in figures.lines:
        ref = by_key.get(str(line.pk))
        if ref is not None:
            found.setdefault(line.category.name, []).append(ref)
    return {name: lines[0] for name, lines in found.items() if len(lines) == 1}
