"""What changed between two versions of a plan: per budget line and year, and per section."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from decimal import Decimal

from budgets.models import BudgetAmount, BudgetYear, ColumnKind
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


def budget_changes(old: Plan, new: Plan) -> list[LineChange]:
    before, after = _lines(old), _lines(new)
    years = sorted(set(old.years) | set(new.years))
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


def section_changes(old: Plan, new: Plan) -> list[SectionChange]:
    before = {s.title: s for s in old.sections.all()}
    after = {s.title: s for s in new.sections.all()}
    changes = []
    for title in list(before) + [t for t in after if t not in before]:
        a, b = before.get(title), after.get(title)
        text_a = plain_text((a.intro + a.body) if a else "").splitlines()
        text_b = plain_text((b.intro + b.body) if b else "").splitlines()
        kind_changed = a is not None and b is not None and a.kind != b.kind
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
