"""The next year's plan, carried forward from this year's: "Ny plan utifrån …".

The new plan opens with the eget kapital the old one leaves at the end of the year before, and
takes along its sections, årshjul, budget lines with the amounts of the years the two plans
share, målgrupper, the plan's mål and the insatser still running into the new budget year
(insatser.services.insatser_copy, through REVISION_COPIERS). Ended insatser stay behind.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction

from budgets.models import BUDGET
from budgets.selectors import plan_figures
from budgets.services import sek
from finsam.audit import audit_record
from plans.models import Plan
from plans.services import copy_plan_content

TARGET_FIELDS = ["ceiling_percent", "ceiling_amount", "floor_amount", "min_individ_percent"]


def budget_years_from(previous: Plan) -> list[int]:
    """The budget years a plan can be carried into: those whose year before it computes."""
    return [year + 1 for year in previous.years]


@transaction.atomic
def plan_create_from(*, previous: Plan, acting_user, budget_year: int | None = None) -> Plan:
    """Create the draft plan for budget_year (default: the year after) from a previous plan."""
    budget_year = budget_year or previous.budget_year + 1
    if budget_year not in budget_years_from(previous):
        raise ValidationError(
            {
                "budget_year": f"{previous.title} räcker till en ny plan för "
                f"{previous.budget_year + 1}–{previous.last_year + 1}, inte för {budget_year}."
            }
        )
    forbund = previous.forbund
    if Plan.objects.for_forbund(forbund).filter(budget_year=budget_year).exists():
        raise ValidationError(
            {"budget_year": f"Förbundet har redan en plan för {budget_year}. Öppna den i stället."}
        )
    year_before = plan_figures(previous).result.year(budget_year - 1)
    plan = Plan(
        forbund=forbund,
        budget_year=budget_year,
        plan_years=previous.plan_years,
        show_comparison=previous.show_comparison,
        opening_equity=sek(year_before.ub),
        under_use_percent=previous.under_use_percent,
    )
    plan.full_clean()
    plan.save()
    first = plan.comparison_year or budget_year
    copy_plan_content(source=previous, target=plan, years=list(range(first, plan.last_year + 1)))
    rows = {(r.year, r.column): r for r in plan.budget_years.all()}
    if plan.comparison_year is not None:
        # The comparison budget is the previous plan's budget for that year, from its IB.
        row = rows[(plan.comparison_year, BUDGET)]
        row.comparison_ib = sek(year_before.ib)
        row.save(update_fields=["comparison_ib"])
    last = previous.budget_years.filter(year=previous.last_year, column=BUDGET).first()
    for year in plan.years:
        if year > previous.last_year and last is not None:
            row = rows[(year, BUDGET)]
            for name in TARGET_FIELDS:  # the förbund's targets go on; amounts do not
                setattr(row, name, getattr(last, name))
            row.save(update_fields=TARGET_FIELDS)
    audit_record(
        forbund=forbund,
        actor=acting_user,
        action="plan.create_from",
        obj=plan,
        summary=f"Skapade {plan.title} utifrån {previous.title}",
        changes={"opening_equity": ["", str(year_before.ub)]},
        plan=plan,
    )
    return plan


class PlanCreateFromForm(forms.Form):
    budget_year = forms.TypedChoiceField(
        label="Budgetår för den nya planen",
        coerce=int,
        error_messages={"invalid_choice": "Välj ett av de budgetår som planen räcker till."},
    )

    def __init__(self, *args, previous: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["budget_year"].choices = [(y, str(y)) for y in budget_years_from(previous)]
        self.fields["budget_year"].initial = previous.budget_year + 1
        self.fields[
            "budget_year"
        ].help_text = (
            "Ingående eget kapital blir det utgående eget kapitalet året före i denna plan."
        )
