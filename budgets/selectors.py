"""Reads a plan's budget from the database and computes it: the one computed result that the
editor, the statements, plan_summary, the PDF and the Excel export all show.

plan_figures runs a fixed number of queries however many lines, years and members there are:
plan years, members, their fördelningstal, groups with categories, lines (with their insats),
amounts.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from operator import attrgetter
from typing import TYPE_CHECKING

import django
from django.core.cache import cache
from django.db import connection
from django.db.models import Prefetch
from django.utils import timezone
from djmoney.money import Money

from budgets import calc, checks
from budgets.models import (
    BudgetAmount,
    BudgetCategory,
    BudgetGroup,
    BudgetLine,
    BudgetYear,
    ColumnKind,
    Side,
)
from budgets.signals import plan_findings_asked
from finsam.audit import latest_change
from finsam.cache import after_answer, code_version, memo
from finsam.members import KOMMUN, member_set_problems
from finsam.models import Fordelningstal, Medlem

if TYPE_CHECKING:
    from plans.models import Plan


def calc_key(obj) -> str:
    """The key budgets.calc knows a member, a line or a group by: every reader asks here."""
    # Their primary key is the id field. The hot loops over thousands of lines read .id, not
    # .pk: Django's pk property looks up the model's meta on every read (some 20 ms a save at
    # 3 200 lines).
    return key_of(obj.id)


def key_of(pk: int) -> str:
    """The key budgets.calc knows the object of this primary key by (calc_key)."""
    return str(pk)


def id_of(key: str) -> int:
    """The primary key of the object budgets.calc knows by this key (key_of)."""
    return int(key)


@dataclass(frozen=True)
class Column:
    """One column of the budget: a year and whether it is budget or prognos."""

    year: int
    kind: str  # a ColumnKind
    is_comparison: bool
    result: calc.YearResult
    entered: BudgetYear
    is_first: bool = False  # the budget year, as opposed to a plan year
    heading: str = "Plan"  # what the plan calls its later years: "Plan" or "Prognos"

    @property
    def level(self) -> str:
        """How the column is budgeted: rad för rad, per grupp or as resultatbudget rows."""
        return self.result.level

    def shows(self, line) -> bool:
        """Whether a line has an amount in this column (else the tables leave the cell empty)."""
        return line.counts_in(self.level)

    @property
    def label(self) -> str:
        return column_label(
            self.year,
            self.kind,
            first=self.is_first,
            heading=self.heading,
            comparison=self.is_comparison,
        )


def column_label(year: int, kind: str, *, first: bool, heading: str, comparison: bool) -> str:
    """How the budget table heads a column: "Prognos 2023", "Budget 2024", "Plan 2025"."""
    if comparison:
        return f"{ColumnKind(kind).label} {year}"
    return f"{'Budget' if first else heading} {year}"


def column_labels(plan: Plan, columns: list[tuple[int, str]]) -> list[tuple[int, str, str]]:
    """(year, column, label) for a plan's columns, labelled as the budget table heads them."""
    return [
        (
            year,
            kind,
            column_label(
                year,
                kind,
                first=year == plan.budget_year,
                heading=plan.plan_year_heading,
                comparison=year < plan.budget_year,
            ),
        )
        for year, kind in columns
    ]


@dataclass(frozen=True)
class ByLine:
    """What the figures' lines say apart from their amounts, worked out once per set of lines
    (a save of amounts keeps it): each line's group, the cost lines in no share kind, and the
    insatser's risks for the checks."""

    group_ids: list[int]
    unclassified: list[str]
    risk_items: list[checks.RiskItem]

    @classmethod
    def of(cls, lines: list[BudgetLine]) -> ByLine:
        return cls(
            group_ids=[ln.category.group_id for ln in lines],
            # The insatser come with their lines (an insats always has one): no query of their own.
            risk_items=[ln.insats.risk_item() for ln in lines if ln.insats is not None],
            unclassified=[
                ln.name
                for ln in lines
                if ln.category.group.side == Side.KOSTNAD
                and not line_share_kinds(ln, ln.category.group)
            ],
        )


@dataclass
class FiguresSource:
    years: dict[tuple[int, str], BudgetYear]
    inputs: ForbundInputs
    today: date


@dataclass
class PlanFigures:
    """A plan's budget as entered and as computed, with its findings."""

    plan: Plan
    unit: str
    members: list[Medlem]
    groups: list[BudgetGroup]
    lines: list[BudgetLine]
    typed: dict[tuple[int, int, str], Decimal]  # (line id, year, column) -> amount as typed
    result: calc.PlanResult
    columns: list[Column]
    findings: list[checks.Finding]
    member_problems: list[str] = field(default_factory=list)
    kommun_parts: bool = True  # False: the plan states only the kommuner's sum
    # (line id, year, column) -> the footnote on that one amount
    cell_notes: dict[tuple[int, int, str], str] = field(default_factory=dict)
    # The förbund's count of changes the figures were computed at (finsam.audit.latest_change),
    # None when they were computed inside a transaction and are not kept.
    count: int | None = None
    # What they were computed from besides lines, typed and cell_notes: enough to compute them
    # again after a save of amounts without reading anything (figures_after_save).
    source: FiguresSource | None = None
    # The cache keeps the lines apart (a save of amounts changes no line, and the lines are
    # the most costly part to write): the key they are kept under, when they are.
    lines_key: str = ""
    by_line: ByLine | None = None

    @property
    def mark(self) -> str:
        """What the figures were computed at (the count and the day), for a page to say which
        figures it shows; "" when they are not kept."""
        if self.count is None or self.source is None:
            return ""
        return f"{self.count}-{self.source.today.isoformat()}"

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        if self.lines_key:
            state["lines"] = None  # kept under lines_key (plan_figures puts them back)
        if self.result.lines is not None:
            # The lines as budgets.calc took them are kept as their fields but the amounts,
            # which are the typed budget amounts (_calc_lines): at 3 200 lines, a fraction of
            # the time to write, and to read back, of the lines themselves or of building them
            # again from the lines.
            state["result"] = dataclasses.replace(self.result, lines=None)
            state["calc_lines"] = list(map(_line_fields, self.result.lines))
        return state

    def __setstate__(self, state: dict) -> None:
        fields = state.pop("calc_lines", None)
        self.__dict__.update(state)
        if fields is not None:
            amounts = _amounts_by_line(self.typed, ColumnKind.BUDGET)
            self.result = dataclasses.replace(
                self.result, lines=tuple(_rebuilt_line(values, amounts) for values in fields)
            )

    @property
    def members_by_pk(self) -> dict[int, Medlem]:
        """The members as this plan shows them (as submitted, for a frozen plan), by id."""
        return {m.pk: m for m in self.members}

    @property
    def unclassified_lines(self) -> list[str]:
        """The cost lines that count in no share kind (calc counts them as "ej angivet")."""
        return self.by_line.unclassified

    @property
    def line_group_ids(self) -> list[int]:
        """Each line's group, in the order of the lines (for the tables, without a lookup
        through each line's category)."""
        return self.by_line.group_ids

    @property
    def plan_columns(self) -> list[Column]:
        return [c for c in self.columns if not c.is_comparison]

    @property
    def deficit_columns(self) -> list[Column]:
        """The plan years with a planned deficit: the years a motivation is printed for."""
        return [c for c in self.plan_columns if c.result.resultat < 0]

    @property
    def plan_deficit_reason_applies(self) -> bool:
        """Whether the plan's own motivation covers a deficit: some year with a deficit has none
        of its own (a text carried from an earlier plan is not printed for a plan in balance)."""
        return any(not c.entered.deficit_reason.strip() for c in self.deficit_columns)

    @property
    def has_errors(self) -> bool:
        return any(f.severity == checks.FEL for f in self.findings)

    @property
    def listed_findings(self):
        """The findings as Kontroller lists them: grouped by years, each with its link."""
        from budgets.finding_links import listed_findings  # it reads these figures

        return listed_findings(self)

    def findings_for(self, ref: str) -> list[checks.Finding]:
        return [f for f in self.findings if f.ref == ref]


def members_for_split(
    members: list[Medlem], year: int, weights: dict[tuple[int, int], Decimal]
) -> tuple[calc.SplitMember, ...]:
    kommuner = [m for m in members if m.kind == KOMMUN]
    result = []
    for m in members:
        weight = None
        if m.kind == KOMMUN:
            weight = weights.get((m.pk, year))
            if weight is None and len(kommuner) == 1:
                weight = Decimal(1)  # a single kommun carries the whole quarter
        result.append(calc.SplitMember(key=calc_key(m), name=m.name, kind=m.kind, weight=weight))
    return tuple(result)


def line_share_kinds(line: BudgetLine, group: BudgetGroup) -> dict[str, Decimal]:
    """Where a cost line counts: its own share kind, else its insats's kind (a mixed insats in
    individ and struktur by its split), else its group's; with none, calc counts it as
    "ej angivet"."""
    if group.side != Side.KOSTNAD:
        return {}
    if line.share_kind:
        return {line.share_kind: Decimal(1)}
    if line.insats is not None:
        return line.insats.share_kinds(group.share_kind)
    return {group.share_kind: Decimal(1)} if group.share_kind else {}


def _weights(rows) -> dict[tuple[int, int], Decimal]:
    return {(f.medlem_id, f.year): Decimal(f.weight) for f in rows}


def split_members(forbund, members: list[Medlem], year: int) -> tuple[calc.SplitMember, ...]:
    """The members as the split sees them in one year, with the kommuner's fördelningstal."""
    rows = Fordelningstal.objects.filter(medlem__forbund=forbund, year=year)
    return members_for_split(members, year, _weights(rows))


_LINE_FIELDS = tuple(f.name for f in dataclasses.fields(calc.Line) if f.name != "amounts")
_line_fields = attrgetter(*_LINE_FIELDS)


def _rebuilt_line(values: tuple, amounts: dict[int, dict[int, Decimal]]) -> calc.Line:
    """A calc line from its fields but the amounts (PlanFigures.__getstate__), given its
    amounts as _calc_lines gives them."""
    line = object.__new__(calc.Line)
    fields = dict(zip(_LINE_FIELDS, values, strict=True))
    fields["amounts"] = {} if fields["computed_room"] else amounts.get(id_of(fields["key"]), {})
    line.__dict__.update(fields)  # frozen: set as its __init__ sets them
    return line


def _amounts_by_line(
    typed: dict[tuple[int, int, str], Decimal], column: str, wanted: set[int] | None = None
) -> dict[int, dict[int, Decimal]]:
    """The typed amounts of one column, per line id and year (of the lines wanted, or all)."""
    by_line: dict[int, dict[int, Decimal]] = {}
    for (line_id, year, col), amount in typed.items():
        if col == column and (wanted is None or line_id in wanted):
            by_line.setdefault(line_id, {})[year] = amount
    return by_line


def _calc_lines(
    lines: list[BudgetLine],
    typed: dict[tuple[int, int, str], Decimal],
    column: str,
    *,
    reuse: tuple[tuple[calc.Line, ...], set[int]] | None = None,
) -> list[calc.Line]:
    """The lines as budgets.calc takes them, with their amounts in one column. With reuse
    (calc lines of the same lines, and the ids of those whose amounts changed since), the
    others are taken as they are."""
    by_line = _amounts_by_line(typed, column, reuse[1] if reuse is not None else None)
    if reuse is not None:
        before, changed = reuse
        return [
            dataclasses.replace(
                calc_line, amounts={} if line.computed_room else by_line.get(line.id, {})
            )
            if line.id in changed
            else calc_line
            for line, calc_line in zip(lines, before, strict=True)
        ]
    out = []
    for line in lines:
        group = line.category.group
        out.append(
            calc.Line(
                key=calc_key(line),
                name=line.name,
                side=group.side,
                group_key=calc_key(group),
                group_name=group.name,
                # Utrymme för ny verksamhet is computed, whatever was typed for it.
                amounts={} if line.computed_room else by_line.get(line.id, {}),
                share_kinds=line_share_kinds(line, group),
                statement=line.category.statement,
                under_use_applies=group.is_insats and group.side == Side.KOSTNAD,
                decided=line.decided and not line.computed_room,
                computed_room=line.computed_room,
                summary=line.summary,
            )
        )
    return out


def _targets(row: BudgetYear) -> calc.YearTargets:
    return calc.YearTargets(
        ceiling_percent=Decimal(row.ceiling_percent) if row.ceiling_percent is not None else None,
        ceiling_amount=row.ceiling_amount.amount if row.ceiling_amount is not None else None,
        floor_amount=row.floor_amount.amount if row.floor_amount is not None else None,
        min_individ_percent=Decimal(row.min_individ_percent)
        if row.min_individ_percent is not None
        else None,
    )


def _balance(row: BudgetYear) -> calc.BalanceInput | None:
    if not row.has_balance:
        return None
    oms = row.omsattningstillgangar
    return calc.BalanceInput(
        anlaggningstillgangar=row.anlaggningstillgangar.amount,
        omsattningstillgangar=oms.amount if oms is not None else Decimal(0),
        balancing=row.balance_item,
        avsattningar=row.avsattningar.amount,
        langfristiga_skulder=row.langfristiga_skulder.amount,
        kortfristiga_skulder=row.kortfristiga_skulder.amount,
    )


@dataclass(frozen=True)
class ForbundInputs:
    """What a plan's figures take from its förbund rather than from the plan itself."""

    rounding_unit: int
    amount_unit: str
    region_has_kommun_role: bool
    kommun_parts: bool
    members: list[Medlem]
    weights: dict[tuple[int, int], Decimal]
    groups: list[BudgetGroup]
    categories: dict[int, BudgetCategory]
    # (medlem id, year) → the year a fördelningstal was carried from, until it is confirmed.
    carried_weights: dict[tuple[int, int], int] = field(default_factory=dict)


def _carried_weights(inputs: ForbundInputs, members: list[Medlem]) -> dict[int, tuple]:
    """Per year, the kommuner whose fördelningstal was carried from an earlier year and not yet
    confirmed, with that year: {2023: (("Habo kommun", 2022), …)}."""
    names = {m.pk: m.name for m in members}
    carried: dict[int, list] = {}
    for (medlem_id, year), source in sorted(inputs.carried_weights.items()):
        if medlem_id in names:
            carried.setdefault(year, []).append((names[medlem_id], source))
    return {year: tuple(rows) for year, rows in carried.items()}


def _live_inputs(forbund) -> ForbundInputs:
    groups = list(
        BudgetGroup.objects.for_forbund(forbund).prefetch_related(
            Prefetch("categories", queryset=BudgetCategory.objects.order_by("order", "name"))
        )
    )
    return ForbundInputs(
        rounding_unit=forbund.rounding_unit,
        amount_unit=forbund.amount_unit,
        region_has_kommun_role=forbund.region_has_kommun_role,
        kommun_parts=forbund.kommun_parts,
        members=list(Medlem.objects.for_forbund(forbund)),
        weights=_weights(rows := list(Fordelningstal.objects.filter(medlem__forbund=forbund))),
        groups=groups,
        categories={c.pk: c for g in groups for c in g.categories.all()},
        carried_weights={(f.medlem_id, f.year): f.carried_from for f in rows if f.carried_from},
    )


GROUP_KEYS = ("pk", "name", "side", "share_kind", "is_insats", "esf", "order", "parent_id")
CATEGORY_KEYS = ("pk", "name", "statement", "order")
MEMBER_KEYS = ("pk", "name", "kind", "order")


def freeze_inputs(plan: Plan) -> dict:
    """The förbund's data the plan's figures and text rest on, as they stand now, for
    Plan.frozen: a submitted or adopted plan is computed from this, so later changes to the
    förbund's name, units, members, fördelningstal, groups or categories never change it.
    plans/migrations/0007 writes the same for plans submitted before Plan.frozen existed."""
    live = _live_inputs(plan.forbund)
    return {
        "forbund_name": plan.forbund.name,
        "organisationsnummer": plan.forbund.organisationsnummer,
        "vision": plan.forbund.vision,
        "logo": plan.forbund.logo.name or "",
        "rounding_unit": live.rounding_unit,
        "amount_unit": live.amount_unit,
        "region_has_kommun_role": live.region_has_kommun_role,
        "kommun_parts": live.kommun_parts,
        "members": [{k: getattr(m, k) for k in MEMBER_KEYS} for m in live.members],
        "weights": [[m, y, str(w)] for (m, y), w in live.weights.items()],
        "groups": [
            {
                **{k: getattr(g, k) for k in GROUP_KEYS},
                "categories": [
                    {k: getattr(c, k) for k in CATEGORY_KEYS} for c in g.categories.all()
                ],
            }
            for g in live.groups
        ],
    }


def _frozen_inputs(plan: Plan) -> ForbundInputs:
    frozen = plan.frozen
    groups, categories = [], {}
    for spec in frozen["groups"]:
        # .get: a plan frozen before groups had parents has none
        group = BudgetGroup(forbund=plan.forbund, **{k: spec.get(k) for k in GROUP_KEYS})
        groups.append(group)
        for cat in spec["categories"]:
            categories[cat["pk"]] = BudgetCategory(group=group, **cat)
    return ForbundInputs(
        rounding_unit=frozen["rounding_unit"],
        amount_unit=frozen["amount_unit"],
        region_has_kommun_role=frozen["region_has_kommun_role"],
        kommun_parts=frozen.get("kommun_parts", True),  # frozen before the setting existed
        members=[Medlem(forbund=plan.forbund, **m) for m in frozen["members"]],
        weights={(m, y): Decimal(w) for m, y, w in frozen["weights"]},
        groups=groups,
        categories=categories,
    )


def group_sort_keys(groups: list[BudgetGroup]) -> dict[int, tuple]:
    """Where each group stands in the table: incomes first, by order and name, and a group
    that counts in another's total right after that group (one level)."""
    by_pk = {g.pk: g for g in groups}

    def own(g: BudgetGroup) -> tuple:
        return (g.side != Side.INTAKT, g.order, g.name)

    keys = {}
    for g in groups:
        parent = by_pk.get(g.parent_id)
        keys[g.pk] = (*own(parent), 1, *own(g)) if parent else (*own(g), 0)
    return keys


def live_inputs(forbund) -> ForbundInputs:
    """The förbund's inputs as they stand now (what a draft plan is computed from)."""
    return _live_inputs(forbund)


def forbund_inputs(plan: Plan) -> ForbundInputs:
    """A draft follows its förbund; a submitted or adopted plan keeps what it was submitted
    with (Plan.frozen)."""
    return _frozen_inputs(plan) if plan.frozen else _live_inputs(plan.forbund)


# Computed figures are kept per plan and the förbund's count of changes: every change to a plan,
# its budget, insatser or texts, and to the förbund's settings and members, is recorded in the
# förbund (rule 4) and counted (finsam.models.ChangeCount), so a new count means the figures may
# have moved. An adopted plan's figures never move; a draft's are computed again after any write
# (or, after a save of amounts, from the figures before it: figures_after_save).
FIGURES_CACHE_SECONDS = 24 * 3600

# Raise when PlanFigures or the computation changes shape: figures kept by a running
# installation's shared cache are then not read by the new code.
FIGURES_VERSION = 5
# The figures kept in a cache shared by processes hold model objects: a process of another
# Django version does not read them.
# The code's own digest too (finsam.cache.code_version): a release never reads what another kept.
KEY_VERSION = f"{FIGURES_VERSION}-{django.get_version()}-{code_version()}"


def _figures_key(plan: Plan, today: date, count: int) -> str:
    return f"plan-figures:{KEY_VERSION}:{plan.pk}:{plan.lock_version}:{count}:{today}"


def change_count(plan: Plan) -> int | None:
    if connection.in_atomic_block:
        # Inside a transaction the changes counted may still be rolled back, and the count then
        # comes again with other content: compute, never keep.
        return None
    return latest_change(plan.forbund_id)


def plan_figures(plan: Plan, *, today: date | None = None) -> PlanFigures:
    """A plan's computed budget, in a fixed number of queries, kept in the cache between
    requests while nothing in the förbund changes (see FIGURES_CACHE_SECONDS)."""
    today = today or timezone.localdate()
    count = change_count(plan)
    if count is not None:
        key = _figures_key(plan, today, count)
        kept = memo.get(key)
        if kept is None:
            kept = cache.get(key)
            if kept is not None and kept.lines is None:
                # The lines change less often than the figures: this process may hold them.
                kept.lines = memo.get(kept.lines_key) or cache.get(kept.lines_key)
                if kept.lines is not None:
                    memo.set(kept.lines_key, kept.lines)
            if kept is not None and kept.lines is not None:
                memo.set(key, kept)
        if kept is not None and kept.lines is not None:
            return _for_caller(kept, plan)
    figures = compute_plan_figures(plan, today=today)
    if count is not None:
        # Read after the count: at least as new as the count says (finsam.models.ChangeCount).
        figures.count = count
        figures.lines_key = f"plan-lines:{KEY_VERSION}:{plan.pk}:{plan.lock_version}:{count}"
        _keep(_figures_key(plan, today, count), figures)
    return figures


def _for_caller(kept: PlanFigures, plan: Plan) -> PlanFigures:
    # The kept figures are shared by the process's requests (finsam.cache.memo): the caller gets
    # its own shell around them, holding its own plan object as a computed one would.
    figures = object.__new__(PlanFigures)
    figures.__dict__.update(kept.__dict__)
    figures.plan = plan
    return figures


def _keep(key: str, figures: PlanFigures, *, lines: bool = True) -> None:
    """Keep computed figures for the next reader: in this process at once, and in the shared
    cache for the others once the answer has gone (the lines apart, written only when they
    are new)."""
    memo.set(key, figures)
    memo.set(figures.lines_key, figures.lines)

    def share() -> None:  # a few hundred kB to pickle: after the answer (finsam.cache)
        if lines:
            cache.set(figures.lines_key, figures.lines, FIGURES_CACHE_SECONDS)
        # With the lines as budgets.calc took them (PlanFigures.__getstate__): read back in a
        # fraction of the time building them again from the lines takes.
        cache.set(key, figures, FIGURES_CACHE_SECONDS)

    after_answer(share)


def saved_alone(before: PlanFigures, count: int | None, saved: int) -> bool:
    """Whether the förbund's count of changes `count` is the one `before` was computed at with
    only a save of `saved` amounts since: one change more if it saved any, none if not."""
    return (
        before.count is not None
        and count is not None
        and count == before.count + (1 if saved else 0)
    )


def figures_after_save(
    plan: Plan,
    before: PlanFigures,
    *,
    amounts: dict[tuple[int, int, str], Decimal],
    medlemsbidrag: dict[tuple[int, str], Decimal],
    saved: int,
) -> PlanFigures:
    """The figures after budgets.services.budget_figures_set was given these amounts over
    `before` and saved `saved` of them (the rest were stored already).

    When that save is the one change the förbund has counted since `before` was read, the
    figures are `before` with the amounts, computed again without reading anything (and kept);
    otherwise they are read as plan_figures reads them.
    """
    today = timezone.localdate()
    count = change_count(plan)
    if (
        not saved_alone(before, count, saved)
        or before.source is None
        or before.source.today != today
        or any(key not in before.source.years for key in medlemsbidrag)
    ):
        return plan_figures(plan, today=today)
    if not saved:
        return before
    typed = {**before.typed, **amounts}
    years = dict(before.source.years)
    for key, value in medlemsbidrag.items():
        row = copy.copy(years[key])
        row.medlemsbidrag = Money(value, "SEK")
        years[key] = row
    changed = {line_id for line_id, _, column in amounts if column == ColumnKind.BUDGET}
    cells = [(year, column) for _, year, column in amounts] + list(medlemsbidrag)
    plan_cells = {(year, ColumnKind.BUDGET) for year in plan.years}
    changed_years = frozenset(year for year, column in cells if (year, column) in plan_cells)
    # "Budget" of the year before is a comparison column too, not only its prognos and utfall.
    comparison_changed = any(cell not in plan_cells for cell in cells)
    figures = _compute(
        plan,
        years,
        before.source.inputs,
        before.lines,
        typed,
        before.cell_notes,
        today,
        reuse=(before.result.lines, changed),
        # Only the years the save changed are computed; the others are taken from before (or
        # their IB moved), and so are the comparison columns when the save left them alone.
        reuse_years=(before.result, changed_years),
        reuse_comparison=None if comparison_changed else before,
        by_line=before.by_line,  # the same lines
        reuse_findings=before.findings,
    )
    figures.count = count
    figures.lines_key = before.lines_key  # the same lines: a save of amounts changes none
    _keep(_figures_key(plan, today, count), figures, lines=False)
    return figures


def compute_plan_figures(plan: Plan, *, today: date | None = None) -> PlanFigures:
    """Load and compute a plan's budget in a fixed number of queries (never from the cache)."""
    years = {(y.year, y.column): y for y in BudgetYear.objects.filter(plan=plan)}
    inputs = forbund_inputs(plan)
    groups = inputs.groups
    categories = inputs.categories
    lines = list(BudgetLine.objects.for_plan(plan).select_related("insats"))
    for line in lines:
        line.category = categories[line.category_id]  # already fetched with the groups
    typed: dict[tuple[int, int, str], Decimal] = {}
    cell_notes: dict[tuple[int, int, str], str] = {}
    # Light rows: thousands of amounts, read and never saved, need no model objects.
    for line_id, year, column, amount, note in BudgetAmount.objects.filter(
        line__plan=plan
    ).values_list("line_id", "year", "column", "amount", "note"):
        typed[(line_id, year, column)] = amount
        if note:
            cell_notes[(line_id, year, column)] = note
    # A group that counts in another's total stands right after it (see group_sort_keys).
    group_order = group_sort_keys(groups)
    lines.sort(
        key=lambda ln: (
            group_order[ln.category.group_id],
            ln.category.order,
            ln.order,
            ln.id,
        )
    )
    figures = _compute(plan, years, inputs, lines, typed, cell_notes, today or timezone.localdate())
    # What the apps above know of the plan (budgets.signals): none for a draft, whose saves
    # (figures_after_save) compute without reading.
    told = [
        f
        for _, found in plan_findings_asked.send(
            sender=type(plan), plan=plan, unit=inputs.amount_unit
        )
        for f in found or ()
    ]
    if told:
        figures.findings = checks.sort_findings([*figures.findings, *told])
    return figures


def _plan_input(
    plan: Plan,
    plan_rows: list[BudgetYear],
    inputs: ForbundInputs,
    lines: list[BudgetLine],
    typed: dict[tuple[int, int, str], Decimal],
    parents: dict[str, str],
    reuse: tuple[tuple[calc.Line, ...], set[int]] | None = None,
) -> calc.PlanInput:
    """What budgets.calc computes the plan's years from (its budget columns)."""
    return calc.PlanInput(
        years=tuple(plan.years),
        opening_equity=plan.opening_equity.amount,
        allocations={r.year: r.medlemsbidrag.amount for r in plan_rows},
        members={y: members_for_split(inputs.members, y, inputs.weights) for y in plan.years},
        unit=inputs.rounding_unit,
        region_has_kommun_role=inputs.region_has_kommun_role,
        split_kommuner=inputs.kommun_parts,
        under_use_percent=plan.under_use_percent,
        lines=_calc_lines(lines, typed, ColumnKind.BUDGET, reuse=reuse),
        group_parents=parents,
        targets={r.year: _targets(r) for r in plan_rows},
        balance={r.year: b for r in plan_rows if (b := _balance(r)) is not None},
        stated_ib={r.year: r.stated_ib.amount for r in plan_rows[1:] if r.stated_ib is not None},
        levels={r.year: r.level for r in plan_rows},
        statement_amounts={r.year: r.statement_amounts() for r in plan_rows},
        changed_lines=frozenset(key_of(line_id) for line_id in reuse[1])
        if reuse is not None
        else None,
    )


def plan_input(figures: PlanFigures) -> calc.PlanInput:
    """The input the figures' plan years were computed from, for a computation that starts from
    the plan's own (the follow-up's forecast): the same input, never a second reading of it."""
    plan, source = figures.plan, figures.source
    if source is None:  # pragma: no cover - figures are always computed with their source
        raise ValueError("figures without their source")
    rows = [
        source.years.get((y, ColumnKind.BUDGET))
        or BudgetYear(plan=plan, year=y, column=ColumnKind.BUDGET)
        for y in plan.years
    ]
    parents = {calc_key(g): str(g.parent_id) for g in figures.groups if g.parent_id is not None}
    # The calc lines are the figures' own (nothing changed since): none is built again.
    reuse = (figures.result.lines, set())
    return _plan_input(plan, rows, source.inputs, figures.lines, figures.typed, parents, reuse)


def _compute(
    plan: Plan,
    years: dict[tuple[int, str], BudgetYear],
    inputs: ForbundInputs,
    lines: list[BudgetLine],
    typed: dict[tuple[int, int, str], Decimal],
    cell_notes: dict[tuple[int, int, str], str],
    today: date,
    reuse: tuple[tuple[calc.Line, ...], set[int]] | None = None,
    reuse_years: tuple[calc.PlanResult, frozenset[int]] | None = None,
    reuse_comparison: PlanFigures | None = None,
    by_line: ByLine | None = None,
    reuse_findings: Sequence[checks.Finding] | None = None,
) -> PlanFigures:
    """A plan's figures from what was read: no query. reuse: see _calc_lines; reuse_years:
    the result before and the years changed since (calc.compute_plan's before and
    changed_years); reuse_comparison: figures whose comparison columns are still right;
    reuse_findings: the findings before a save of the reused lines' amounts, whose lines
    checks.check_uncounted does not check again."""
    members, weights, groups = inputs.members, inputs.weights, inputs.groups
    group_order = group_sort_keys(groups)
    groups = sorted(groups, key=lambda g: group_order[g.pk])
    unit = inputs.rounding_unit
    parents = {calc_key(g): str(g.parent_id) for g in groups if g.parent_id is not None}

    def row(year: int, column: str) -> BudgetYear:
        # A plan normally has every row; an unsaved one keeps the computation going.
        return years.get((year, column)) or BudgetYear(plan=plan, year=year, column=column)

    plan_rows = [row(y, ColumnKind.BUDGET) for y in plan.years]
    plan_input = _plan_input(plan, plan_rows, inputs, lines, typed, parents, reuse)
    if reuse_years is not None:
        result = calc.compute_plan(plan_input, before=reuse_years[0], changed_years=reuse_years[1])
    else:
        result = calc.compute_plan(plan_input)

    columns: list[Column] = []
    if reuse_comparison is not None:
        columns = [c for c in reuse_comparison.columns if c.is_comparison]
    elif plan.comparison_year is not None:
        year = plan.comparison_year
        for kind in plan.comparison_kinds:
            entered = row(year, kind)
            comparison = calc.compute_plan(
                calc.PlanInput(
                    years=(year,),
                    opening_equity=entered.comparison_ib.amount
                    if entered.comparison_ib is not None
                    else Decimal(0),
                    allocations={year: entered.medlemsbidrag.amount},
                    members={year: members_for_split(members, year, weights)},
                    unit=unit,
                    region_has_kommun_role=inputs.region_has_kommun_role,
                    split_kommuner=inputs.kommun_parts,
                    # The year before is shown as it was budgeted and forecast, as typed.
                    under_use_percent=Decimal(0),
                    lines=_calc_lines(lines, typed, kind),
                    group_parents=parents,
                    targets={year: _targets(entered)},
                    balance={year: b} if (b := _balance(entered)) is not None else {},
                    levels={year: entered.level},
                    statement_amounts={year: entered.statement_amounts()},
                )
            )
            columns.append(Column(year, kind, True, comparison.years[0], entered))
    for index, r in enumerate(plan_rows):
        columns.append(
            Column(
                r.year,
                ColumnKind.BUDGET,
                False,
                result.year(r.year),
                r,
                is_first=index == 0,
                heading=plan.plan_year_heading,
            )
        )

    problems = member_set_problems(
        [m.kind for m in members], region_has_kommun_role=inputs.region_has_kommun_role
    )
    by_line = by_line or ByLine.of(lines)
    findings = checks.run_checks(
        result,
        budget_year=plan.budget_year,
        today=today,
        adopted=plan.is_adopted,
        deficit_reason=plan.deficit_reason,
        deficit_reasons={r.year: r.deficit_reason for r in plan_rows if r.deficit_reason},
        carried_years={r.year: r.carried_from for r in plan_rows if r.carried_from},
        carried_weights=_carried_weights(inputs, members),
        member_set_problems=problems,
        risk_items=by_line.risk_items,
        amount_unit=inputs.amount_unit,
        lines=plan_input.lines,
        comparison_year=plan.comparison_year,
        uncounted_before=(reuse_findings, plan_input.changed_lines)
        if reuse_findings is not None and plan_input.changed_lines is not None
        else None,
    )
    return PlanFigures(
        plan=plan,
        unit=inputs.amount_unit,
        members=members,
        groups=groups,
        lines=lines,
        typed=typed,
        result=result,
        columns=columns,
        findings=findings,
        member_problems=problems,
        kommun_parts=inputs.kommun_parts,
        cell_notes=cell_notes,
        source=FiguresSource(years=years, inputs=inputs, today=today),
        by_line=by_line,
    )
