"""Loads a seed förbund's budget from its fixture: the budget groups, and a plan's budget line
by line (plans/demo.py creates the plan and calls this).

The budget is built through the budget services, the way the kansli builds one in the editor, so
the demo exercises the same validation and audit trail. Groups are created only where missing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction

from budgets import services
from budgets.defaults import ensure_budget_groups
from budgets.models import BudgetCategory, BudgetGroup, BudgetYear, ColumnKind, Statement
from finsam.models import Forbund

if TYPE_CHECKING:
    from plans.models import Plan

PERCENT_FIELDS = ("ceiling_percent", "min_individ_percent")
TEXT_FIELDS = ("level", "deficit_reason", "target_note", "balance_item")
# What a fixture year may set besides the medlemsbidrag (which budget_figures_set writes).
YEAR_INPUTS = tuple(
    f.name
    for f in BudgetYear._meta.concrete_fields
    if f.name not in ("id", "plan", "year", "column", "medlemsbidrag")
    and not f.name.endswith("_currency")
)


def group_specs(rows: list[dict]) -> list[tuple]:
    """The fixture's budget_groups in the shape ensure_budget_groups takes."""
    return [
        (
            row["name"],
            row["side"],
            row.get("share_kind", ""),
            row.get("is_insats", False),
            row.get("esf", False),
            [
                (cat["name"], cat.get("statement", Statement.VERKSAMHET))
                for cat in row["categories"]
            ],
        )
        for row in rows
    ]


def load_budget_groups(forbund: Forbund, data: dict) -> None:
    """Create the fixture's budget groups where missing."""
    if "budget_groups" in data:
        ensure_budget_groups(forbund, group_specs(data["budget_groups"]))
        groups = {g.name: g for g in BudgetGroup.objects.for_forbund(forbund)}
        for row in data["budget_groups"]:
            group = groups[row["name"]]
            if "parent" in row and group.parent_id is None:
                # A total over groups ("Beslutade aktiviteter" over individ and struktur).
                group.parent = groups[row["parent"]]
                group.full_clean()
                group.save()


@transaction.atomic
def load_budget(plan: Plan, spec: dict) -> Plan:
    """Fill a new plan's budget from the fixture: year inputs, lines, medlemsbidrag, targets."""
    forbund = plan.forbund
    columns = _year_inputs(plan, spec)
    categories = {
        (c.group.name, c.name): c
        for c in BudgetCategory.objects.filter(group__forbund=forbund).select_related("group")
    }
    for index, row in enumerate(spec["lines"], start=1):
        amounts = {
            (int(year), ColumnKind.BUDGET): Decimal(v) for year, v in row.get("amounts", {}).items()
        }
        for column, value in row.get("comparison", {}).items():
            amounts[(plan.comparison_year, column)] = Decimal(value)
        services.budget_line_create(
            plan=plan,
            acting_user=None,
            category=categories[(row["group"], row["category"])],
            name=row["name"],
            note=row.get("note", ""),
            decided=row.get("decided", True),
            summary=row.get("summary", False),
            order=index * 10,
            amounts=amounts,
        )

    services.budget_figures_set(
        plan=plan,
        acting_user=None,
        medlemsbidrag={key: Decimal(values["medlemsbidrag"]) for key, values in columns.items()},
    )
    services.budget_years_update(
        plan=plan,
        acting_user=None,
        rows={
            row.pk: {
                name: _year_value(name, value)
                for name, value in columns[(row.year, row.column)].items()
                if name != "medlemsbidrag"
            }
            for row in plan.year_rows.all()
        },
    )
    return plan


def _year_inputs(plan: Plan, spec: dict) -> dict[tuple[int, str], dict]:
    """The fixture's entries per (year, column); every column of the plan, and no other."""
    columns = {(int(year), ColumnKind.BUDGET): values for year, values in spec["years"].items()}
    for column, values in spec.get("comparison", {}).items():
        columns[(plan.comparison_year, column)] = values
    wanted = set(services.year_columns(plan))
    if set(columns) != wanted:
        raise ValueError(
            f"{plan.forbund.slug}: the fixture's years {sorted(columns)} are not the plan's "
            f"columns {sorted(wanted)}"
        )
    for key, values in columns.items():
        unknown = set(values) - {"medlemsbidrag", *YEAR_INPUTS}
        if unknown:
            raise ValueError(f"{plan.forbund.slug} {key}: unknown year fields {sorted(unknown)}")
    return columns


def _year_value(name: str, value: str | None):
    if value is None:
        return None
    if name in PERCENT_FIELDS:
        return Decimal(value)
    if name in TEXT_FIELDS:
        return value
    return services.sek(Decimal(value))
