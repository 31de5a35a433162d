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
# The plan's overview adds, to the same eleven: 12 this round's approvals, 13 the ordinarie
# ledamöter and 14 their approvals (quorum), 15 the user's roles (may record the decision),
# 16 the budget year's versions, 17 the latest PDFs, 18 the archived PDF.
PLAN_DETAIL_QUERIES = 18
EXPECTED = {
    "budget_editor": BUDGET_PAGE_QUERIES,
    "budget_statements": BUDGET_PAGE_QUERIES,
    "plan_detail": PLAN_DETAIL_QUERIES,
}


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
    with django_assert_num_queries(EXPECTED[url_name]):
        assert client.get(url).status_code == 200
    grow(plan, 10)
    plan.plan_years = 5
    plan.save()
    services.budget_years_sync(plan)
    grow(plan, 0)
    with django_assert_num_queries(EXPECTED[url_name]):
        assert client.get(url).status_code == 200
