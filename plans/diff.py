"""What changed between two versions of a plan: per budget line and year, and per section."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from decimal import Decimal

from budgets.models import BudgetAmount, BudgetYear, ColumnKind
from budgets.selectors import plan_figures
from finsam.textdiff import readable_text, word_diff
from plans.models import Plan
from plans.sanitize import plain_text


@dataclass
class LineChange:
    """A budget line's amounts in the two versions, for the years where they differ."""

    group: str
    name: str
    status: str  # "ny", "borttagen", "ändrad"
    years: list[tuple[int, Decimal | None, Decimal | None]] = field(default_factory=list)


@dataclass
class SectionChange:
    """A section's text in the two versions as a line diff."""

    title: str
    status: str
    diff: list[tuple[str, str]] = field(default_factory=list)  # (" "|"+"|"-", line)
    # The whole text with its changed words marked (finsam.textdiff), for the version diff.
    marked: str = ""


@dataclass(frozen=True)
class FigureChange:
    """A computed figure of one year that the budget changes moved: what the board checks."""

    label: str
    year: int
    old: Decimal
    new: Decimal

    @property
    def difference(self) -> Decimal:
        return self.new - self.old


# The figures a changed amount moves, as the budget's own rows name them (budgets/tables.py).
FIGURES = (
    ("Intäkter", "intakter"),
    ("Kostnader", "kostnader"),
    ("Årets resultat", "resultat"),
    ("UB eget kapital", "ub"),
)


def _lines(plan: Plan) -> dict[tuple[str, str], dict[int, Decimal]]:
    out: dict[tuple[str, str], dict[int, Decimal]] = {}
    for line in plan.budget_lines.select_related("category__group"):
        out[(line.category.group.name, line.name)] = {}
    amounts = BudgetAmount.objects.filter(line__plan=plan, column=ColumnKind.BUDGET).select_related(
        "line__category__group"
    )
    for a in amounts:
        out[(a.line.category.group.name, a.line.name)][a.year] = a.amount.amount
    medlemsbidrag = {
        y.year: y.medlemsbidrag.amount
        for y in BudgetYear.objects.filter(plan=plan, column=ColumnKind.BUDGET)
    }
    out[("Intäkter", "Medlemsbidrag")] = medlemsbidrag
    return out


def _texts(plan: Plan) -> dict[str, tuple[str, list[str]]]:
    return {
        s.title: (s.kind, plain_text(s.intro + s.body).splitlines()) for s in plan.sections.all()
    }


def snapshot(plan: Plan) -> dict:
    """The plan's budget amounts and section texts as JSON, kept per round of review
    (plans.models.ReviewRound) so a returning reviewer sees what changed since."""
    return {
        "years": list(plan.years),
        "lines": [
            [group, name, {str(y): str(v) for y, v in amounts.items()}]
            for (group, name), amounts in _lines(plan).items()
        ],
        "sections": [[title, kind, lines] for title, (kind, lines) in _texts(plan).items()],
    }


def _from_snapshot(data: dict):
    lines = {
        (group, name): {int(y): Decimal(v) for y, v in amounts.items()}
        for group, name, amounts in data["lines"]
    }
    texts = {title: (kind, lines_) for title, kind, lines_ in data["sections"]}
    return data["years"], lines, texts


def _budget_changes(before, after, years) -> list[LineChange]:
    changes = []
    for key in list(before) + [k for k in after if k not in before]:
        a, b = before.get(key), after.get(key)
        status = "ny" if a is None else "borttagen" if b is None else "ändrad"
        diffs = [
            (
                y,
                (a or {}).get(y, Decimal(0)) if a is not None else None,
                (b or {}).get(y, Decimal(0)) if b is not None else None,
            )
            for y in years
        ]
        diffs = [d for d in diffs if d[1] != d[2]]
        if diffs:
            changes.append(LineChange(group=key[0], name=key[1], status=status, years=diffs))
    return changes


def _section_changes(before, after) -> list[SectionChange]:
    changes = []
    for title in list(before) + [t for t in after if t not in before]:
        a, b = before.get(title), after.get(title)
        kind_a, text_a = a if a is not None else (None, [])
        kind_b, text_b = b if b is not None else (None, [])
        kind_changed = a is not None and b is not None and kind_a != kind_b
        if text_a == text_b and not kind_changed and a is not None and b is not None:
            continue
        status = "nytt" if a is None else "borttaget" if b is None else "ändrat"
        diff = [
            (line[0], line[2:])
            for line in difflib.ndiff(text_a, text_b)
            if line[:1] in (" ", "+", "-")
        ]
        changes.append(SectionChange(title=title, status=status, diff=diff))
    return changes


def budget_changes(old: Plan, new: Plan) -> list[LineChange]:
    years = sorted(set(old.years) | set(new.years))
    return _budget_changes(_lines(old), _lines(new), years)


def section_changes(old: Plan, new: Plan) -> list[SectionChange]:
    """What changed in the sections' texts, each with its words marked as text to read."""
    changes = _section_changes(_texts(old), _texts(new))
    # The texts as a person reads them (list items with their dash), which the snapshots of
    # review rounds keep in plain_text's form; only this page reads them.
    readable = {
        plan.pk: {
            s.title: readable_text(s.intro) + "\n" + readable_text(s.body)
            for s in plan.sections.all()
        }
        for plan in (old, new)
    }
    for change in changes:
        change.marked = word_diff(
            readable[old.pk].get(change.title, ""),
            readable[new.pk].get(change.title, ""),
        )
    return changes


def _budget_figures(plan: Plan) -> dict[int, object]:
    figures = plan_figures(plan)
    return {
        c.year: c.result
        for c in figures.columns
        if c.kind == ColumnKind.BUDGET and not c.is_comparison
    }


def figure_changes(old: Plan, new: Plan) -> list[FigureChange]:
    """Per year, the totals, årets resultat and UB eget kapital that differ between the two
    versions, as the plan computes them (budgets.selectors.plan_figures)."""
    before, after = _budget_figures(old), _budget_figures(new)
    changes = []
    for year in sorted(set(before) & set(after)):
        for label, attr in FIGURES:
            a, b = getattr(before[year], attr), getattr(after[year], attr)
            if a != b:
                changes.append(FigureChange(label=label, year=year, old=a, new=b))
    return changes


def snapshot_changes(old: dict, new: dict) -> tuple[list[LineChange], list[SectionChange]]:
    """What changed between two snapshots (two rounds of review)."""
    years_a, lines_a, texts_a = _from_snapshot(old)
    years_b, lines_b, texts_b = _from_snapshot(new)
    years = sorted(set(years_a) | set(years_b))
    return _budget_changes(lines_a, lines_b, years), _section_changes(texts_a, texts_b)
