"""Computed figures are kept between requests while nothing in the förbund changes, and never
shown stale: a write, a change of the förbund's settings or a new day computes them again."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from budgets import services
from budgets.selectors import compute_plan_figures, plan_figures
from budgets.summary import summary
from finsam.services import forbund_update

pytestmark = pytest.mark.django_db(transaction=True)  # the cache is never used in a transaction


def queries(fn):
    with CaptureQueriesContext(connection) as ctx:
        result = fn()
    return result, len(ctx.captured_queries)


def test_figures_are_kept_until_the_plan_changes(world):
    plan, line = world["plan_a"], world["line_a"]
    first, computed = queries(lambda: plan_figures(plan))
    again, kept = queries(lambda: plan_figures(plan))
    assert kept == 1 < computed  # only the question whether anything changed
    assert summary(again) == summary(first) == summary(compute_plan_figures(plan))
    assert again.plan is plan
    services.budget_figures_set(
        plan=plan, acting_user=None, amounts={(line.pk, 2027, "budget"): Decimal(777_000)}
    )
    after, recomputed = queries(lambda: plan_figures(plan))
    assert recomputed == computed
    assert after.typed[(line.pk, 2027, "budget")] == Decimal(777_000)
    assert summary(after) == summary(compute_plan_figures(plan))


def test_a_change_to_the_forbund_computes_them_again(world):
    plan = world["plan_a"]
    before = plan_figures(plan)
    assert before.unit == "kr"
    forbund_update(forbund=plan.forbund, acting_user=None, data={"amount_unit": "tkr"})
    plan.refresh_from_db()
    assert plan_figures(plan).unit == "tkr"


def test_a_new_day_computes_them_again(world):
    plan = world["plan_a"]
    plan_figures(plan, today=date(2026, 11, 1))
    _, computed = queries(lambda: plan_figures(plan, today=date(2026, 11, 2)))
    assert computed > 1
