"""Generated plans in Excel: random amounts and contributions, with kommuner of equal weight so
that the largest remainder meets ties, recomputed by a formula engine to the app's figures."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from budgets import services
from budgets.selectors import plan_figures
from finsam.models import Fordelningstal
from plans.excel.export import export_plan
from tests import factories
from tests.excel import mismatches, recompute

pytestmark = pytest.mark.django_db


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    units=st.lists(st.integers(min_value=0, max_value=200_000), min_size=3, max_size=3),
    amounts=st.lists(st.integers(min_value=0, max_value=5_000_000), min_size=6, max_size=6),
    weights=st.lists(st.integers(min_value=1, max_value=4), min_size=3, max_size=3),
    rounding=st.sampled_from([1, 100, 1000]),
    under_use=st.integers(min_value=0, max_value=10),
)
def test_a_generated_plan_recomputes_to_the_krona(units, amounts, weights, rounding, under_use):
    forbund = factories.complete_forbund(kommuner=3, rounding_unit=rounding)
    plan = factories.plan(forbund, budget_year=2027, under_use_percent=Decimal(under_use))
    for kommun, weight in zip(forbund.medlemmar.filter(kind="kommun"), weights, strict=True):
        for year in plan.years:
            Fordelningstal.objects.create(medlem=kommun, year=year, invanare=weight * 1000)
    services.budget_figures_set(
        plan=plan,
        acting_user=None,
        medlemsbidrag={
            (y, "budget"): Decimal(u * rounding) for y, u in zip(plan.years, units, strict=True)
        },
    )
    kansli = forbund.budget_groups.get(name="Förvaltning").categories.get(name="Kansli")
    services.budget_line_create(
        plan=plan,
        acting_user=None,
        category=kansli,
        name="Kansli",
        amounts={(y, "budget"): Decimal(a) for y, a in zip(plan.years, amounts[:3], strict=True)},
    )
    factories.insats(plan, name="Team", money=dict(zip(plan.years, amounts[3:], strict=True)))
    figures = plan_figures(plan)
    export = export_plan(plan, figures)
    assert mismatches(figures, export, recompute(export.save())) == []
