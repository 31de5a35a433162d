"""The medlemssamråd pack: what the members are shown before next year's budget is adopted.

Selection only: every amount is one the plan's own calculation made (budgets.calc through
plan_figures) for the draft and for the adopted plans of the two years before it, so the pack
never states a figure another page computes differently. The page, the PDF and the workbook all
read the Pack built here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from budgets import calc, checks
from budgets.calc import GRUPPER, KOMMUNER, RADER, RESULTAT, YearResult
from budgets.selectors import PlanFigures, calc_key, plan_figures
from finsam.members import AF, KIND_LABELS, KOMMUN
from finsam.models import Fordelningstal
from followup.selectors import followed_plan
from plans.models import Plan


@dataclass(frozen=True)
class Weight:
    """A kommun's fördelningstal for one plan year as the split used it, and what it rests on."""

    year: int
    value: Decimal | None
    basis: str  # "invånare 1 juli 2026", "avtalat fördelningstal" or "" when none
    share: Decimal | None  # of the kommunernas quarter


@dataclass(frozen=True)
class MemberRow:
    key: str
    name: str
    kind: str
    kind_label: str
    last_year: Decimal | None  # the adopted plan of budget year − 2, None when there is none
    this_year: Decimal | None  # the adopted plan of budget year − 1
    plan_years: tuple[Decimal | None, ...]  # the draft's parts, one per plan year
    weights: tuple[Weight, ...] = ()
    note: str = ""  # why the row stands as it does (the kommuner's common row)

    @property
    def is_kommun(self) -> bool:
        return self.kind == KOMMUN

    @property
    def is_member(self) -> bool:
        """False for the kommuner's common row: a block of the split, not a member."""
        return self.key != KOMMUNER

    @property
    def pays(self) -> bool:
        """Arbetsförmedlingen's money goes through Försäkringskassan: it has no part of its own."""
        return self.kind != AF

    @property
    def period_total(self) -> Decimal | None:
        known = [a for a in self.plan_years if a is not None]
        return sum(known, Decimal(0)) if len(known) == len(self.plan_years) else None


@dataclass(frozen=True)
class EquityRow:
    year: int
    ib: Decimal
    resultat: Decimal
    ub: Decimal
    ceiling: Decimal | None
    floor: Decimal | None
    verdict: str


# The plan's own checks judge eget kapital (budgets.checks): their codes, as the pack says them.
_EQUITY_CHECKS = (
    (checks.check_negative_equity, "Negativt eget kapital"),
    (checks.check_ceiling, "Över taket"),
    (checks.check_floor, "Under golvet"),
)


def _equity_row(result: YearResult) -> EquityRow:
    verdict = next((label for check, label in _EQUITY_CHECKS if check(result)), "")
    if not verdict:
        none_set = result.ceiling is None and result.floor is None
        verdict = "Inget tak angivet" if none_set else "Inom gränserna"
    return EquityRow(
        result.year,
        result.ib,
        result.resultat,
        result.ub,
        result.ceiling,
        result.floor,
        verdict,
    )


@dataclass(frozen=True)
class InsatsRow:
    name: str
    kind_label: str
    amounts: tuple[Decimal | None, ...]  # None: the year is budgeted per group, not per insats

    @property
    def total(self) -> Decimal:
        return sum((a for a in self.amounts if a is not None), Decimal(0))


@dataclass(frozen=True)
class Binding:
    """The offers typed for a year and what they allow: the member whose offer sets the total."""

    year: int
    result: calc.OfferResult | None
    member_name: str
    error: str = ""


@dataclass
class Pack:
    plan: Plan
    figures: PlanFigures
    years: tuple[int, ...]
    last_year: int
    this_year: int
    last_plan: Plan | None
    this_plan: Plan | None
    members: list[MemberRow]
    totals: dict[str, tuple[Decimal | None, ...]]  # "last", "this", "plan"
    equity: list[EquityRow]
    insatser: list[InsatsRow]
    notes: list[str] = field(default_factory=list)
    binding: Binding | None = None

    @property
    def is_draft(self) -> bool:
        return not self.plan.is_adopted

    @property
    def status_label(self) -> str:
        return self.plan.get_status_display()

    @property
    def kommuner(self) -> list[MemberRow]:
        return [m for m in self.members if m.is_kommun]

    @property
    def insats_totals(self) -> tuple[Decimal | None, ...]:
        return tuple(
            None
            if any(r.amounts[i] is None for r in self.insatser)
            else sum((r.amounts[i] for r in self.insatser), Decimal(0))
            for i in range(len(self.years))
        )


def _result_of(plan: Plan | None) -> YearResult | None:
    """An adopted plan's budget year as its own calculation made it."""
    if plan is None:
        return None
    return plan_figures(plan).result.year(plan.budget_year)


def _column_total(amounts: list[Decimal | None]) -> Decimal | None:
    """The sum of a column's shown amounts: None (shown "–") when the column shows none."""
    known = [a for a in amounts if a is not None]
    return sum(known, Decimal(0)) if known else None


def _basis(row: Fordelningstal | None, value: Decimal | None, year: int) -> str:
    if value is None:
        return ""
    if row is not None and row.weight is not None and Decimal(row.weight) == value:
        if row.invanare is not None:
            return f"invånare 1 juli {year - 1}"
        return "avtalat fördelningstal"
    return "fördelningstal"


def _weights(figures: PlanFigures, member_key: str, rows, years) -> tuple[Weight, ...]:
    """The kommun's fördelningstal per plan year as the split saw them (a frozen plan's own)."""
    weights = []
    for year in years:
        kommuner = [m for m in figures.result.year(year).members if m.kind == KOMMUN]
        mine = next((m for m in kommuner if m.key == member_key), None)
        value = Decimal(mine.weight) if mine is not None and mine.weight is not None else None
        known = [Decimal(m.weight) for m in kommuner if m.weight is not None and m.weight > 0]
        share = None
        if value is not None and value > 0 and len(known) == len(kommuner):
            share = value / sum(known)
        basis = _basis(rows.get((member_key, year)), value, year)
        if len(kommuner) == 1 and (member_key, year) not in rows:
            basis = "enda kommunen: hela kommunernas del"
        weights.append(Weight(year, value, basis, share))
    return tuple(weights)


def build_pack(plan: Plan, offers: dict[str, Decimal] | None = None, offer_year=None) -> Pack:
    """The pack for a plan (a draft, normally): its members' parts over the plan years beside
    the adopted plans of the two years before, the fördelningstal, eget kapital against the
    ceiling and floor, the insatser's money, and, when offers are given, the binding member."""
    figures = plan_figures(plan)
    years = tuple(plan.years)
    this_plan = followed_plan(plan.forbund, plan.budget_year - 1)
    last_plan = followed_plan(plan.forbund, plan.budget_year - 2)
    this_result, last_result = _result_of(this_plan), _result_of(last_plan)
    this_parts = this_result.member_parts if this_result else {}
    last_parts = last_result.member_parts if last_result else {}
    results = [figures.result.year(y) for y in years]
    fordelningstal = {
        (calc_key(f.medlem), f.year): f
        for f in Fordelningstal.objects.filter(
            medlem__forbund=plan.forbund, year__in=years
        ).select_related("medlem")
    }
    members = []
    for medlem in figures.members:
        key = calc_key(medlem)
        members.append(
            MemberRow(
                key=key,
                name=medlem.name,
                kind=medlem.kind,
                kind_label=KIND_LABELS.get(medlem.kind, medlem.kind),
                last_year=last_parts.get(key),
                this_year=this_parts.get(key),
                plan_years=tuple(r.member_parts.get(key) for r in results),
                weights=_weights(figures, key, fordelningstal, years)
                if medlem.kind == KOMMUN
                else (),
            )
        )
    notes = []
    for r in results:
        if r.split_error:
            notes.append(f"{r.year}: {r.split_error}")
        elif r.kommun_error:
            notes.append(f"{r.year}: {r.kommun_error}, så kommunernas del visas inte per kommun.")
    if not figures.kommun_parts:
        notes.append(
            "Planen anger bara kommunernas sammanlagda del; fördelningen beslutas separat."
        )
    block = tuple(
        r.unsplit_kommun_block if r is not None else None
        for r in (last_result, this_result, *results)
    )
    if any(a is not None for a in block):
        # Without it the kommuner's quarter would vanish from the members' sum.
        errors = [r.kommun_error for r in results if r.kommun_error]
        members.append(
            MemberRow(
                key=KOMMUNER,
                name="Kommunerna (gemensamt)",
                kind=KOMMUNER,
                kind_label="Kommunerna",
                last_year=block[0],
                this_year=block[1],
                plan_years=block[2:],
                note=(
                    f"{errors[0]}, så kommunernas del står som en summa"
                    if errors
                    else "planen anger bara kommunernas sammanlagda del"
                ),
            )
        )
    # The sums are over the rows shown, so the page and the workbook add the same figures.
    columns = [[m.last_year for m in members], [m.this_year for m in members]]
    columns += [[m.plan_years[i] for m in members] for i in range(len(years))]
    column_totals = [_column_total(c) for c in columns]
    insatser: dict[int, tuple[str, str, list[Decimal]]] = {}
    for line in figures.lines:
        if line.insats_id is None:
            continue
        entry = insatser.setdefault(
            line.insats_id,
            (line.insats.name, line.insats.get_kind_display(), [Decimal(0)] * len(years)),
        )
        for i, r in enumerate(results):
            entry[2][i] += r.line_amounts.get(calc_key(line), Decimal(0))
    for level, how in ((GRUPPER, "per grupp"), (RESULTAT, "bara som resultatbudget")):
        listed = ", ".join(str(r.year) for r in results if r.level == level)
        if insatser and listed:
            notes.append(
                f"{listed}: budgeteras {how}, inte per insats, så insatserna står där med –."
            )
    binding = None
    if offers is not None and offer_year in years:
        binding = _binding(figures, offers, offer_year)
    return Pack(
        plan=plan,
        figures=figures,
        years=years,
        last_year=plan.budget_year - 2,
        this_year=plan.budget_year - 1,
        last_plan=last_plan,
        this_plan=this_plan,
        members=members,
        totals={
            "last": (column_totals[0],),
            "this": (column_totals[1],),
            "plan": tuple(column_totals[2:]),
        },
        equity=[_equity_row(r) for r in results],
        insatser=[
            InsatsRow(
                name,
                kind,
                tuple(
                    None if r.level != RADER else a for r, a in zip(results, amounts, strict=True)
                ),
            )
            for name, kind, amounts in insatser.values()
        ],
        notes=notes,
        binding=binding,
    )


def _binding(figures: PlanFigures, offers: dict[str, Decimal], year: int) -> Binding:
    split_members = figures.result.year(year).members
    names = {m.key: m.name for m in split_members}
    try:
        result = calc.total_from_offers(
            offers,
            split_members,
            unit=figures.result.unit,
            region_has_kommun_role=figures.result.region_has_kommun_role,
        )
    except calc.SplitError as error:
        return Binding(year, None, "", str(error))
    return Binding(year, result, names.get(result.binding_key, ""))
