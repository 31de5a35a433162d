"""The årsredovisning's tables of a followed year, from the follow-up through december
(followup.selectors.follow_up(plan, month=12)) and the plan's own figures, never retyped:
resultaträkning in the resultatbudget's rows, eget kapital with each member's share, the
driftredovisning per group and insats, the indicators' results and the balanskravsutredning.

The year as it came out is computed by the plan's own calculation (selectors.forecast_years with
each line's utfall in place of the budget), so its resultaträkning, UB and members' parts are the
same sums as the plan's. The tables are final only when every month of the year has utfall;
until then `missing` names the months that lack it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from budgets import calc, checks
from budgets.tables import RESULT_ROWS
from followup import compute
from followup.compute import MONTH_NAMES
from followup.models import ClosedYear
from followup.selectors import FollowUp, Row, follow_up, forecast_years
from insatser.models import Insats
from insatser.models_mal import Mal
from insatser.rules import INSATSMAL
from plans.models import Plan

ZERO = Decimal(0)
MONTHS = range(1, 13)
# A förbund sells no fixed assets unless it says so: no realisationsvinster are recorded in the
# follow-up, so the balanskravsutredning deducts 0 and says so.
REALISATIONSVINSTER = ZERO


@dataclass(frozen=True)
class StatementRow:
    """A row of the resultaträkning: costs negative, as the published statements print them, so
    the deviation (utfall − budget) is its effect on the result."""

    label: str
    attr: str
    css: str
    budget: Decimal
    utfall: Decimal

    @property
    def deviation(self) -> Decimal:
        return self.utfall - self.budget


@dataclass
class DriftRow:
    """A group or an insats of the driftredovisning: budget, utfall and the deviation as its
    effect on the result (+ better), with the explanations given in the latest prognos."""

    label: str
    side: str
    budget: Decimal
    utfall: Decimal
    explanations: list[str] = field(default_factory=list)

    @property
    def deviation(self) -> Decimal:
        return compute.result_effect(self.side, self.budget, self.utfall)

    @property
    def percent(self) -> Decimal | None:
        return compute.percent(self.deviation, self.budget)

    @property
    def side_label(self) -> str:
        return "Intäkt" if self.side == calc.INTAKT else "Kostnad"


@dataclass(frozen=True)
class MemberShare:
    name: str
    contribution: Decimal
    share: Decimal  # of eget kapital at year end, whole kronor


@dataclass(frozen=True)
class IndicatorResult:
    mal: str
    level: str
    insats: str
    description: str
    target: str
    outcome: str  # "" when none is recorded for the year
    met: bool | None


@dataclass
class Annual:
    """Every figure of the year's årsredovisning tables."""

    plan: Plan
    year: int
    follow: FollowUp
    missing: list[int]
    closed: ClosedYear | None
    statement: list[StatementRow]
    budget: calc.YearResult
    utfall: calc.YearResult
    member_shares: list[MemberShare]
    groups: list[DriftRow]
    insatser: list[DriftRow]
    indicators: list[IndicatorResult]
    findings: list[checks.Finding]

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def missing_labels(self) -> list[str]:
        return [MONTH_NAMES[m - 1] for m in self.missing]

    @property
    def result_deviation(self) -> Decimal:
        return self.utfall.resultat - self.budget.resultat

    @property
    def drift_tables(self) -> list[tuple[str, list[DriftRow], str]]:
        tables = [(f"Driftredovisning per grupp {self.year}", self.groups, "drift-grupp")]
        if self.insatser:
            tables.append(
                (f"Driftredovisning per insats {self.year}", self.insatser, "drift-insats")
            )
        return tables

    @property
    def realisationsvinster(self) -> Decimal:
        return REALISATIONSVINSTER

    @property
    def balanskravsresultat(self) -> Decimal:
        return self.utfall.resultat - self.realisationsvinster

    @property
    def balanskrav_met(self) -> bool:
        """The balanced-budget requirement: the year's result, less realisationsvinster, is not
        negative (kommunallagen 11 kap. 12 §, which förbund follow through 2003:1210 20 §)."""
        return self.balanskravsresultat >= 0

    @property
    def over_ceiling(self) -> bool:
        ceiling = self.utfall.ceiling
        return ceiling is not None and self.utfall.ub > ceiling

    @property
    def under_floor(self) -> bool:
        floor = self.utfall.floor
        return floor is not None and self.utfall.ub < floor


def shares_of(total: Decimal, weights: list[tuple[str, Decimal]]) -> list[Decimal]:
    """`total` (whole kronor) split in proportion to the weights, in whole kronor that add up to
    it exactly. Each part is first rounded towards zero; the kronor left over go one each to the
    parts with the largest remainders (largest remainder method), ties to the earlier member in
    the plan's order, so the split is the same every time it is made."""
    whole = sum((w for _, w in weights), ZERO)
    if not weights or not whole:
        return [ZERO for _ in weights]
    sign = -1 if total < 0 else 1
    amount = abs(total)
    exact = [amount * w / whole for _, w in weights]
    floors = [Decimal(int(e)) for e in exact]
    left = int(amount - sum(floors, ZERO))
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [sign * f for f in floors]


def _member_shares(utfall: calc.YearResult, budget: calc.YearResult) -> list[MemberShare]:
    """Each member's part of eget kapital at year end in proportion to its contribution for the
    year (lag 2003:1210 9 § p. 8): the year's medlemsbidrag as it came out, split by the plan's
    key; where that split cannot be made, the contributions as budgeted."""
    parts = utfall.member_parts
    if not sum(parts.values(), ZERO):  # no contribution booked: the year's as budgeted
        parts = budget.member_parts
    members = {m.key: m.name for m in (*budget.members, *utfall.members)}
    weights = [(key, amount) for key, amount in parts.items()]
    shares = shares_of(utfall.ub, weights)
    return [
        MemberShare(members.get(key, key), amount, share)
        for (key, amount), share in zip(weights, shares, strict=True)
    ]


def _explanations(rows: list[Row], *, prefix: bool) -> list[str]:
    out = []
    for row in rows:
        text = row.explanation.strip()
        if text:
            out.append(f"{row.label}: {text}" if prefix else text)
    return out


def _drift(follow: FollowUp) -> tuple[list[DriftRow], list[DriftRow]]:
    by_group: dict[int, list[Row]] = {}
    for row in follow.rows:
        if row.ref.group_id is not None:
            by_group.setdefault(row.ref.group_id, []).append(row)
    medlemsbidrag = next(r for r in follow.rows if r.ref.group_id is None)
    groups = [
        DriftRow(
            medlemsbidrag.label,
            medlemsbidrag.side,
            medlemsbidrag.budget,
            medlemsbidrag.utfall,
            _explanations([medlemsbidrag], prefix=False),
        )
    ]
    for rows in by_group.values():
        ref = rows[0].ref
        groups.append(
            DriftRow(
                ref.group_name,
                ref.side,
                sum((r.budget for r in rows), ZERO),
                sum((r.utfall for r in rows), ZERO),
                _explanations(rows, prefix=len(rows) > 1),
            )
        )
    by_insats: dict[int, list[Row]] = {}
    for row in follow.insats_rows:
        by_insats.setdefault(row.ref.insats_id, []).append(row)
    names = dict(Insats.objects.filter(pk__in=by_insats).values_list("pk", "name"))
    insatser = []
    for insats_id, rows in by_insats.items():
        # An insats's lines are its costs; an income line of it (ESF, medfinansiering) counts
        # against them, so the insats's net cost is what its row shows.
        sign = {calc.KOSTNAD: 1, calc.INTAKT: -1}
        insatser.append(
            DriftRow(
                names.get(insats_id, "Insats"),
                calc.KOSTNAD,
                sum((sign[r.side] * r.budget for r in rows), ZERO),
                sum((sign[r.side] * r.utfall for r in rows), ZERO),
                _explanations(rows, prefix=len(rows) > 1),
            )
        )
    return groups, insatser


def _indicators(plan: Plan, year: int) -> list[IndicatorResult]:
    mals = (
        Mal.objects.for_plan(plan)
        .select_related("insats")
        .prefetch_related("indikatorer__utfall")
        .order_by("insats__pk", "level", "order", "pk")
    )
    out = []
    # The plan's own goals first, then each insats's, each in its order.
    for mal in sorted(mals, key=lambda m: (m.level == INSATSMAL, m.insats_id or 0)):
        for ind in mal.indikatorer.all():
            found = next((u for u in ind.utfall.all() if u.year == year), None)
            out.append(
                IndicatorResult(
                    mal=mal.text,
                    level=mal.get_level_display(),
                    insats=mal.insats.name if mal.insats_id else "",
                    description=ind.description,
                    target=ind.target_label,
                    outcome=found.label if found is not None else "",
                    met=found.met if found is not None else None,
                )
            )
    return out


def annual(plan: Plan) -> Annual:
    """The year's årsredovisning tables for an adopted plan's budget year."""
    follow = follow_up(plan, month=12)
    year = follow.year
    missing = [m for m in MONTHS if m not in follow.utfall.months_with_data]
    budget = follow.budget_years[0]
    outcome = forecast_years(
        follow.figures, follow.refs, {r.ref.key: r.utfall for r in follow.rows}
    )
    utfall = outcome.first
    statement = [
        StatementRow(
            label,
            attr,
            css,
            getattr(budget.resultatbudget, attr),
            getattr(utfall.resultatbudget, attr),
        )
        for label, attr, css in RESULT_ROWS
    ]
    groups, insatser = _drift(follow)
    return Annual(
        plan=plan,
        year=year,
        follow=follow,
        missing=missing,
        closed=ClosedYear.objects.filter(forbund=plan.forbund, year=year).first(),
        statement=statement,
        budget=budget,
        utfall=utfall,
        member_shares=_member_shares(utfall, budget),
        groups=groups,
        insatser=insatser,
        indicators=_indicators(plan, year),
        findings=[f for f in outcome.findings if f.year == year],
    )
