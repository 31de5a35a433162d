"""Budget pages run a constant number of queries however many lines and years there are."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from budgets import services
from budgets.models import BudgetCategory
from finsam.models import Fordelningstal

# The budget pages' queries, in order:
#  1 session, 2 user, 3 the user's roles with their förbund, 4 the plan,
#  5 the plan's budget years, 6 the förbund's members, 7 the kommuner's fördelningstal,
#  8 budget groups, 9 their categories (prefetch), 10 the plan's lines, 11 their amounts.
BUDGET_PAGE_QUERIES = 11


def grow(plan, n_lines: int) -> None:
    """Add lines with amounts in every year, and fördelningstal for every kommun and year."""
    categories = list(BudgetCategory.objects.filter(group__forbund=plan.forbund))
    for i in range(n_lines):
        services.budget_line_create(
            plan=plan,
            acting_user=None,
            category=categories[i % len(categories)],
            name=f"Rad {plan.budget_lines.count() + 1}",
            amounts={(y, "budget"): Decimal(1000 * (i + 1)) for y in plan.years},
        )
    for medlem in plan.forbund.medlemmar.filter(kind="kommun"):
        for year in plan.years:
            Fordelningstal.objects.get_or_create(
                medlem=medlem, year=year, defaults={"invanare": 5000}
            )


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["budget_editor", "budget_statements", "plan_detail"])
def test_budget_pages_run_the_same_queries_for_double_the_data(
    url_name, personas, world, django_assert_num_queries
):
    plan = world["plan_a"]
    client = personas["kansli_a"]
    url = reverse(url_name, args=[plan.forbund.slug, plan.pk])
    grow(plan, 5)
    with django_assert_num_queries(BUDGET_PAGE_QUERIES):
        assert client.get(url).status_code == 200
    grow(plan, 10)
    plan.plan_years = 5
    plan.save()
    services._sync_years(plan)
    grow(plan, 0)
    with django_assert_num_queries(BUDGET_PAGE_QUERIES):
        assert client.get(url).status_code == 200
