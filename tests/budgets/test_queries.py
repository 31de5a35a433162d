"""Budget pages run a constant number of queries however many lines and years there are."""

from __future__ import annotations

import pytest
from django.urls import reverse

from budgets import services
from tests.helpers import BUDGET_PAGE_QUERIES, PLAN_DETAIL_QUERIES, grow

EXPECTED = {
    "budget_editor": BUDGET_PAGE_QUERIES,
    "budget_statements": BUDGET_PAGE_QUERIES,
    "plan_detail": PLAN_DETAIL_QUERIES,
}


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
