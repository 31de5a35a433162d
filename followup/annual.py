"""The årsredovisning's tables of a followed year, from the follow-up through december
(followup.selectors.follow_up(plan, month=12)) and the plan's own figures, never retyped:
resultaträkning in the resultatbudget's rows, eget kapital with each member's share, the
driftredovisning per group and insats, the indicators' results and the balanskravsutredning.

The year as it came out is computed by the plan's own calculation (followup.carry.real_outcome:
each line's utfall in place of the budget, as the bokslut records it), so its resultaträkning, UB
and members' parts are the same sums as the plan's, and its findings are budgets.checks'. The tables are final only when every month of the year has utfall;
until then `missing` names the months that lack it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from budgets import calc, checks
from budgets.tables import RESULT_ROWS
from followup import carry, compute
from followup.compute import MONTH_NAMES
from followup.models import ClosedYear
from followup.selectors import FollowUp, Row, follow_up
from insatser.models import Insats
from insatser.models_mal import Mal
from insatser.rules import INSATSMAL
from plans.models import Plan

ZERO = Decimal(0)
MONTHS = range(1, 13)
# A förbund sells no fixed assets unless it says so: no realisationsvinster are recorded in the
# follow-up, so the balanskravsutredning deducts 0 and says so.
REALISATIONSVINSTER = ZERO
KOMMUN_BLOCK_LABEL = "Kommunerna (gemensamt)"


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
    key: str  # the member's calc key, or calc.KOMMUNER for the kommuner's undivided part
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
    shares_from_budget: bool  # no medlemsbidrag booked: the shares follow the budgeted ones
    shares_note: str  # why the kommuner stand as one row ("" when each has its own)
    groups: list[DriftRow]
    insatser: list[DriftRow]
    indicators: list[IndicatorResult]
    findings: list[checks.Finding]
    opening_findings: list[str]  # the next plan's stated IB against the bokslut's UB

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
    def deficit_planned(self) -> bool:
        """The negative result is a use of eget kapital the adopted budget planned: the budget
        had a deficit and the result is not below it."""
        return (
            not self.balanskrav_met
            and self.budget.resultat < 0
            and self.balanskravsresultat >= self.budget.resultat
        )

    @property
    def contribution_total(self) -> Decimal:
        return sum((m.contribution for m in self.member_shares), ZERO)

    @property
    def closed_ub(self) -> Decimal | None:
        """The UB recorded when the year was bokslutat (None: not yet)."""
        return self.closed.ub.amount if self.closed is not None else None

    @property
    def closed_difference(self) -> Decimal | None:
        """The live UB less the recorded one: utfall changed after the bokslut, if not 0."""
        return None if self.closed is None else self.utfall.ub - self.closed_ub


def whole_kronor(total: Decimal) -> int:
    """The amount the shares split: `total` to whole kronor (half up), without its sign."""
    return int(abs(calc.round_kr(total)))


def shares_of(total: Decimal, weights: list[tuple[str, Decimal]]) -> list[Decimal]:
    """`total` split in proportion to the weights, in whole kronor that add up to it (rounded
    to the krona) exactly: budgets.calc's largest remainder, ties to the earlier member in the
    plan's order, so the split is the same every time it is made. A negative total splits as
    its amount with the sign on every share."""
    amounts = [w for _, w in weights]
    if not amounts or any(w < 0 for w in amounts) or not sum(amounts, ZERO):
        return [ZERO for _ in weights]
    sign = -1 if total < 0 else 1
    units = calc.largest_remainder(whole_kronor(total), calc.integer_weights(amounts))
    return [Decimal(sign * n) for n in units]


def _contributions(result: calc.YearResult) -> tuple[list[tuple[str, str, Decimal]], str]:
    """The year's contributions per member, [(key, name, amount)]; where the kommun part is not
    split per kommun (a kommun without fördelningstal, or a plan that states only the kommuner's
    sum), the kommuner's block as one row, and the note that says why."""
    names = {m.key: m.name for m in result.members}
    rows = [(key, names.get(key, key), amount) for key, amount in result.member_parts.items()]
    block = result.unsplit_kommun_block
    if not block:
        return rows, ""
    rows.append((calc.KOMMUNER, KOMMUN_BLOCK_LABEL, block))
    if result.kommun_error:
        why = f"Kommunernas del kan inte fördelas per kommun: {result.kommun_error}."
    else:
        why = "Planen anger kommunernas del som en summa, inte per kommun."
    return rows, why + " Kommunerna står därför på en rad, med sin gemensamma andel."


def _member_shares(
    utfall: calc.YearResult, budget: calc.YearResult
) -> tuple[list[MemberShare], bool, str]:
    """Each member's part of eget kapital at year end in proportion to its contribution for the
    year (lag 2003:1210 9 § p. 8): the year's medlemsbidrag as it came out, split by the plan's
    key; where none is booked (or it cannot be split), the contributions as budgeted. Returns
    the shares, whether the budgeted contributions were used, and the kommun note."""
    rows, note = _contributions(utfall)
    from_budget = not sum((amount for *_, amount in rows), ZERO)
    if from_budget:
        rows, note = _contributions(budget)
    shares = shares_of(utfall.ub, [(key, amount) for key, _, amount in rows])
    return (
        [
            MemberShare(key, name, amount, share)
            for (key, name, amount), share in zip(rows, shares, strict=True)
        ],
        from_budget,
        note,
    )


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
    # follow.groups holds each group's sums, in the same order as its lines (by_group).
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
    for total, rows in zip(follow.groups, by_group.values(), strict=True):
        groups.append(
            DriftRow(
                total.label,
                total.side,
                total.budget,
                total.utfall,
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


def indicators(plan: Plan, year: int) -> list[IndicatorResult]:
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
    outcome = carry.real_outcome(follow)
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
    shares, from_budget, shares_note = _member_shares(utfall, budget)
    return Annual(
        plan=plan,
        year=year,
        follow=follow,
        missing=missing,
        closed=ClosedYear.objects.filter(forbund=plan.forbund, year=year).first(),
        statement=statement,
        budget=budget,
        utfall=utfall,
        member_shares=shares,
        shares_from_budget=from_budget,
        shares_note=shares_note,
        groups=groups,
        insatser=insatser,
        indicators=indicators(plan, year),
        findings=[f for f in outcome.findings if f.year == year],
        opening_findings=carry.opening_findings(plan.forbund, year),
    )
