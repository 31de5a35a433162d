"""Budget pages run a constant number of queries however many lines and years there are."""

from __future__ import annotations

import pytest
from django.urls import reverse

from plans.services import plan_update
from tests.helpers import BUDGET_PAGE_QUERIES, PLAN_DETAIL_QUERIES, grow

EXPECTED = {
    "budget_editor": BUDGET_PAGE_QUERIES,
    # Rapporter reads, besides, the rows the förbund adds to its statements.
    "budget_statements": BUDGET_PAGE_QUERIES + 1,
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
    plan = plan_update(plan=plan, acting_user=None, data={"plan_years": 5})
    grow(plan, 0)
    with django_assert_num_queries(EXPECTED[url_name]):
        assert client.get(url).status_code == 200
