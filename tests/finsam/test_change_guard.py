"""The suite's guard of the rule that every write the figures read is counted
(tests/change_guard.py): it catches a product write that does not count, and lets a recorded
service, a refused save and a test's own setup pass."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from budgets import services
from plans.services import plan_update
from tests.change_guard import ChangeGuard


@pytest.fixture
def guard(figure_tables):
    guard = ChangeGuard(figure_tables)
    with connection.execute_wrapper(guard):
        yield guard


@pytest.mark.django_db
def test_the_tables_the_figures_read_are_found_by_running_them(figure_tables):
    assert {
        "budgets_budgetamount",
        "budgets_budgetline",
        "budgets_budgetyear",
        "finsam_medlem",
        "finsam_fordelningstal",
        "finsam_forbund",
        "plans_plan",
    } <= figure_tables
    assert "finsam_auditevent" not in figure_tables


@pytest.mark.django_db
@pytest.mark.uncounted_on_purpose
def test_a_product_write_that_does_not_count_a_change_is_caught(world, guard):
    plan = world["plan_a"]
    plan.plan_years = 5
    plan.save()  # the test's own setup: not the product's
    assert guard.uncounted() == []
    # A building block of the services, called as a page might call it by mistake.
    services.budget_years_sync(plan)
    [call] = guard.uncounted()
    assert call.where == "budgets/services.py:budget_years_sync"
    assert any('INSERT INTO "budgets_budgetyear"' in sql for _, sql in call.writes)
    assert "budget_years_sync" in guard.report()


@pytest.mark.django_db
def test_a_recorded_service_and_a_refused_save_pass(world, guard):
    plan = plan_update(plan=world["plan_a"], acting_user=None, data={"plan_years": 5})
    with pytest.raises(ValidationError):
        services.budget_line_create(
            plan=plan,
            acting_user=None,
            category=world["category_a"],
            name="Utanför planen",
            amounts={(2040, "budget"): 1},  # refused after the line was written, rolled back
        )
    assert guard.uncounted() == []
