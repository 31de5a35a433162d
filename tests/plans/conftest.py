"""A plan of förbund A without fel findings, ready to go through the workflow."""

from __future__ import annotations

from decimal import Decimal

import pytest

from budgets import services as budget_services
from finsam.models import Fordelningstal


@pytest.fixture
def clean_plan(world):
    """World's plan with medlemsbidrag that split cleanly and a result that keeps UB positive."""
    plan = world["plan_a"]
    for medlem in plan.forbund.medlemmar.filter(kind="kommun"):
        for year in plan.years:
            Fordelningstal.objects.create(medlem=medlem, year=year, invanare=10_000)
    budget_services.budget_figures_set(
        plan=plan,
        acting_user=None,
        medlemsbidrag={(y, "budget"): Decimal(4_000_000) for y in plan.years},
    )
    return plan
