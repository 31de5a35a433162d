"""Writes to a plan's budget. Each runs in a transaction, refuses plans that are not drafts,
validates, and records who changed what in the audit log."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from djmoney.money import Money

from budgets.defaults import ensure_budget_groups
from budgets.models import (
    BUDGET,
    PROGNOS,
    BudgetAmount,
    BudgetCategory,
    BudgetGroup,
    BudgetLine,
    BudgetYear,
)
from finsam.audit import audit_record, diff, snapshot
from finsam.models import Forbund
from plans.models import Plan

LINE_FIELDS = ["name", "category", "note", "decided", "order"]
YEAR_FIELDS = [
    "medlemsbidrag",
    "comparison_ib",
    "ceiling_percent",
    "ceiling_amount",
    "floor_amount",
    "min_individ_percent",
    "anlaggningstillgangar",
    "omsattningstillgangar",
    "avsattningar",
    "langfristiga_skulder",
    "kortfristiga_skulder",
]
PLAN_FIELDS = [
    "plan_years",
    "show_comparison",
    "opening_equity",
    "under_use_percent",
    "deficit_reason",
]


class PlanLocked(ValidationError):
    """The plan is not a draft, so its budget cannot change."""


def ensure_editable(plan: Plan) -> None:
    """Refuse any change to a plan that has left the draft state (submitted or adopted)."""
    if not plan.is_editable:
        if plan.is_adopted:
            raise PlanLocked(
                "Planen är antagen och kan inte ändras. Skapa en reviderad version i stället."
            )
        raise PlanLocked("Planen är inlämnad till styrelsen och kan inte ändras just nu.")


def sek(amount: Decimal | int | None) -> Money | None:
    return None if amount is None else Money(amount, "SEK")


def year_columns(plan: Plan) -> list[tuple[int, str]]:
    """The (year, column) pairs a plan holds figures for: comparison columns first."""
    columns: list[tuple[int, str]] = []
    if plan.comparison_year is not None:
        columns += [(plan.comparison_year, BUDGET), (plan.comparison_year, PROGNOS)]
    columns += [(year, BUDGET) for year in plan.years]
    return columns


def _sync_years(plan: Plan) -> None:
    """Give the plan a BudgetYear for each of its columns; drop those outside the plan."""
    wanted = set(year_columns(plan))
    existing = {(y.year, y.column): y for y in plan.budget_years.all()}
    for key, row in existing.items():
        if key not in wanted:
            row.delete()
    for year, column in wanted - set(existing):
        BudgetYear.objects.create(plan=plan, year=year, column=column)
    BudgetAmount.objects.filter(line__plan=plan).exclude(year__in=[y for y, _ in wanted]).delete()


@transaction.atomic
def plan_create(
    *,
    forbund: Forbund,
    acting_user,
    budget_year: int,
    plan_years: int = 3,
    show_comparison: bool = False,
    opening_equity: Decimal = Decimal(0),
    under_use_percent: Decimal = Decimal(0),
) -> Plan:
    """A new draft plan with a BudgetYear per column and the förbund's budget groups."""
    ensure_budget_groups(forbund)
    plan = Plan(
        forbund=forbund,
        budget_year=budget_year,
        plan_years=plan_years,
        show_comparison=show_comparison,
        opening_equity=sek(opening_equity),
        under_use_percent=under_use_percent,
    )
    plan.full_clean()
    plan.save()
    _sync_years(plan)
    from plans.services import plan_add_default_content  # plans.services imports this module

    plan_add_default_content(plan=plan)
    audit_record(
        forbund=forbund,
        actor=acting_user,
        action="plan.create",
        obj=plan,
        plan=plan,
        summary=f"Skapade {plan.title}",
    )
    return plan


@transaction.atomic
def plan_update(*, plan: Plan, acting_user, before: dict) -> Plan:
    """Save edited plan settings (the form has set them) and keep the year columns in step."""
    ensure_editable(Plan.objects.select_for_update().get(pk=plan.pk))
    plan.full_clean()
    plan.save()
    _sync_years(plan)
    changes = diff(before, snapshot(plan, PLAN_FIELDS))
    if changes:
        audit_record(
            forbund=plan.forbund,
            actor=acting_user,
            action="plan.update",
            obj=plan,
            plan=plan,
            summary=f"Ändrade planens inställningar ({', '.join(changes)})",
            changes=changes,
        )
    return plan


@transaction.atomic
def budget_line_create(
    *,
    plan: Plan,
    acting_user,
    category: BudgetCategory,
    name: str,
    note: str = "",
    decided: bool = True,
    order: int | None = None,
    amounts: Mapping[tuple[int, str], Decimal] | None = None,
    insats=None,
) -> BudgetLine:
    """Add a line to a draft plan's budget, optionally with its amounts.

    The line of an insats (insats given) holds what the insats is granted; insatser.services
    creates it so, and a carried-forward plan links the copied lines to the copied insatser.
    """
    ensure_editable(plan)
    if category.group.forbund_id != plan.forbund_id:
        raise ValidationError({"category": "Kategorin hör till ett annat förbund."})
    if insats is not None and insats.plan_id != plan.pk:
        raise ValidationError("Insatsen hör till en annan plan.")
    if order is None:
        last = plan.budget_lines.order_by("-order").values_list("order", flat=True).first()
        order = (last or 0) + 10
    line = BudgetLine(
        plan=plan,
        category=category,
        name=name,
        note=note,
        decided=decided,
        order=order,
        insats=insats,
    )
    line.full_clean()
    line.save()
    valid = set(year_columns(plan))
    for (year, column), amount in (amounts or {}).items():
        if (year, column) not in valid:
            raise ValidationError(f"{year} ingår inte i planen.")
        cell = BudgetAmount(line=line, year=year, column=column, amount=sek(amount))
        cell.full_clean()
        cell.save()
    audit_record(
        forbund=plan.forbund,
        actor=acting_user,
        action="budgetline.create",
        obj=line,
        plan=plan,
        summary=f"Lade till budgetraden {line.name} i {plan.title}",
        changes={"amounts": {f"{y} {c}": str(a) for (y, c), a in (amounts or {}).items()}},
    )
    return line


def _refuse_insats_line(line: BudgetLine) -> None:
    # An insats's line is the insats's money: removing it alone would leave the insats unfunded
    # and outside the checks, so it goes only with its insats.
    if line.insats_id:
        raise ValidationError(
            f"Raden hör till insatsen {line.insats.name}; ta bort insatsen under Insatser i stället."
        )


@transaction.atomic
def budget_line_update(*, line: BudgetLine, acting_user, before: dict) -> BudgetLine:
    """Save edits to a line's name, category, note, order and decided flag."""
    ensure_editable(line.plan)
    if line.category.group.forbund_id != line.plan.forbund_id:
        raise ValidationError({"category": "Kategorin hör till ett annat förbund."})
    line.full_clean()
    line.save()
    changes = diff(before, snapshot(line, LINE_FIELDS))
    if changes:
        audit_record(
            forbund=line.plan.forbund,
            actor=acting_user,
            action="budgetline.update",
            obj=line,
            plan=line.plan,
            summary=f"Ändrade budgetraden {line.name}",
            changes=changes,
        )
    return line


@transaction.atomic
def budget_line_delete(*, line: BudgetLine, acting_user) -> None:
    ensure_editable(line.plan)
    _refuse_insats_line(line)
    amounts = {f"{a.year} {a.column}": str(a.amount.amount) for a in line.amounts.all()}
    audit_record(
        forbund=line.plan.forbund,
        actor=acting_user,
        action="budgetline.delete",
        obj=line,
        plan=line.plan,
        summary=f"Tog bort budgetraden {line.name}",
        changes={"amounts": amounts},
    )
    line.delete()


@transaction.atomic
def budget_figures_set(
    *,
    plan: Plan,
    acting_user,
    amounts: Mapping[tuple[int, int, str], Decimal] | None = None,
    medlemsbidrag: Mapping[tuple[int, str], Decimal] | None = None,
) -> int:
    """Set line amounts {(line id, year, column): kr} and medlemsbidrag {(year, column): kr}.

    All or nothing: one bad cell and nothing is saved. Returns the number of changed cells;
    each change is in the audit record with its old and new value.
    """
    ensure_editable(Plan.objects.select_for_update().get(pk=plan.pk))
    amounts = amounts or {}
    medlemsbidrag = medlemsbidrag or {}
    valid = set(year_columns(plan))
    lines = {line.pk: line for line in plan.budget_lines.all()}
    cells = {(c.line_id, c.year, c.column): c for c in BudgetAmount.objects.filter(line__plan=plan)}
    years = {(y.year, y.column): y for y in plan.budget_years.all()}
    changes: dict[str, list[str]] = {}
    for (line_id, year, column), value in amounts.items():
        if line_id not in lines:
            raise ValidationError("Budgetraden finns inte i planen.")
        if (year, column) not in valid:
            raise ValidationError(f"{year} ingår inte i planen.")
        cell = cells.get((line_id, year, column))
        old = cell.amount.amount if cell else Decimal(0)
        if old == value:
            continue
        if cell is None:
            cell = BudgetAmount(line=lines[line_id], year=year, column=column)
        cell.amount = sek(value)
        cell.full_clean()
        cell.save()
        label = f"{lines[line_id].name} {year}" + (" prognos" if column == PROGNOS else "")
        changes[label] = [str(old), str(value)]
    for (year, column), value in medlemsbidrag.items():
        row = years.get((year, column))
        if row is None:
            raise ValidationError(f"{year} ingår inte i planen.")
        old = row.medlemsbidrag.amount
        if old == value:
            continue
        row.medlemsbidrag = sek(value)
        row.full_clean()
        row.save()
        changes[f"Medlemsbidrag {year}" + (" prognos" if column == PROGNOS else "")] = [
            str(old),
            str(value),
        ]
    if changes:
        audit_record(
            forbund=plan.forbund,
            actor=acting_user,
            action="budget.amounts",
            obj=plan,
            plan=plan,
            summary=f"Ändrade {len(changes)} belopp i budgeten för {plan.title}",
            changes=changes,
        )
    return len(changes)


@transaction.atomic
def budget_years_update(
    *, plan: Plan, acting_user, rows: list[BudgetYear], before: dict[int, dict]
) -> None:
    """Save edited year rows (targets, balance inputs); the forms have set the fields."""
    ensure_editable(Plan.objects.select_for_update().get(pk=plan.pk))
    changes = {}
    for row in rows:
        if row.plan_id != plan.pk:
            raise ValidationError("Året hör till en annan plan.")
        row.full_clean()
        row.save()
        for field, pair in diff(before.get(row.pk, {}), snapshot(row, YEAR_FIELDS)).items():
            changes[f"{row.year} {field}"] = pair
    if changes:
        audit_record(
            forbund=plan.forbund,
            actor=acting_user,
            action="budget.years",
            obj=plan,
            plan=plan,
            summary=f"Ändrade mål och balansuppgifter i {plan.title}",
            changes=changes,
        )


GROUP_FIELDS = ["name", "side", "share_kind", "is_insats", "order"]
CATEGORY_FIELDS = ["group", "name", "statement", "order"]


@transaction.atomic
def budget_structure_save(
    *, obj: BudgetGroup | BudgetCategory, acting_user, before: dict | None = None
) -> BudgetGroup | BudgetCategory:
    """Create or update one of a förbund's budget groups or categories (the form set it)."""
    created = obj.pk is None
    is_group = isinstance(obj, BudgetGroup)
    obj.full_clean()
    obj.save()
    audit_record(
        forbund=obj.forbund if is_group else obj.group.forbund,
        actor=acting_user,
        action=f"{obj._meta.model_name}.{'create' if created else 'update'}",
        obj=obj,
        summary=f"{'Lade till' if created else 'Ändrade'} {obj._meta.verbose_name} {obj}",
        changes=diff(before or {}, snapshot(obj, GROUP_FIELDS if is_group else CATEGORY_FIELDS)),
    )
    return obj


@transaction.atomic
def budget_category_delete(*, category: BudgetCategory, acting_user) -> None:
    """Remove a category no budget line uses (ProtectedError otherwise, nothing removed)."""
    audit_record(
        forbund=category.group.forbund,
        actor=acting_user,
        action="budgetcategory.delete",
        obj=category,
        summary=f"Tog bort {category._meta.verbose_name} {category}",
    )
    category.delete()
