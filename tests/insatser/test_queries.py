"""The insatser list runs a constant number of queries however many insatser and years there are."""

from __future__ import annotations

import pytest
from django.urls import reverse

from plans.services import plan_update
from tests import factories
from tests.helpers import BUDGET_PAGE_QUERIES

# The insatser list's queries, in order:
#  1 session, 2 user, 3 the user's roles with their förbund, 4 the plan,
#  5–11 plan_figures (the money per year): budget years, members, fördelningstal, budget groups,
#    their categories, the plan's lines with their insats, the lines' amounts,
#  12 the plan's målgrupper (filter choices), 13 the insatser with their ägare,
#  14 their other members (prefetch), 15 their målgrupper (prefetch).
INSATS_LIST_QUERIES = 15


def grow(plan, n: int) -> None:
    """Add insatser of every kind with money in every year, members and målgrupper."""
    members = list(plan.forbund.medlemmar.all())
    malgrupp = factories.malgrupp(plan, name=f"Målgrupp {plan.malgrupper.count() + 1}")
    kinds = ["individ", "struktur", "esf", "blandad"]
    for i in range(n):
        kind = kinds[i % len(kinds)]
        factories.insats(
            plan,
            name=f"Insats {plan.insatser.count() + 1}",
            kind=kind,
            individ_percent=40 if kind == "blandad" else None,
            agare=members[i % len(members)],
            parter=members[:3],
            malgrupper=[malgrupp],
            money={y: 1000 * (i + 1) for y in plan.years},
            risk="hog",
            effekt="lag",
        )


@pytest.mark.django_db
@pytest.mark.parametrize("params", [{}, {"kind": "individ", "status": "pagaende"}])
def test_insatser_list_runs_the_same_queries_for_double_the_data(
    personas, world, django_assert_num_queries, params
):
    plan = world["plan_a"]
    client = personas["styrelse_a"]
    url = reverse("insats_list", args=[plan.forbund.slug, plan.pk])
    grow(plan, 4)
    with django_assert_num_queries(INSATS_LIST_QUERIES):
        assert client.get(url, params).status_code == 200
    grow(plan, 8)
    plan = plan_update(plan=plan, acting_user=None, data={"plan_years": 5})
    with django_assert_num_queries(INSATS_LIST_QUERIES):
        response = client.get(url, params)
    assert response.status_code == 200
    assert len(response.context["years"]) == 5


@pytest.mark.django_db
def test_budget_pages_keep_their_query_count_with_insatser_and_findings(
    personas, world, django_assert_num_queries
):
    plan = world["plan_a"]
    grow(plan, 6)  # every one of them a high-risk, low-effect finding
    # Rapporter reads, besides, the rows the förbund adds to its statements.
    for name, queries in (
        ("budget_editor", BUDGET_PAGE_QUERIES),
        ("budget_statements", BUDGET_PAGE_QUERIES + 1),
    ):
        url = reverse(name, args=[plan.forbund.slug, plan.pk])
        with django_assert_num_queries(queries):
            assert personas["kansli_a"].get(url).status_code == 200
