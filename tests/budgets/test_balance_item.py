"""A balansbudget can balance by construction: the kansli names the row (kassa och bank among the
omsättningstillgångar, or a liability) that is computed from eget kapital and the other rows, so
that a change of costs never makes the statement fail to balance."""

from __future__ import annotations

from decimal import Decimal

import pytest

from budgets import services
from budgets.selectors import plan_figures
from tests.helpers import form_values, url


@pytest.fixture
def kansli(personas):
    return personas["kansli_a"]


def year_page(kansli, plan) -> str:
    return kansli.get(url("budget_years", plan)).content.decode()


@pytest.mark.django_db
def test_the_kansli_names_the_row_that_balances_and_it_is_computed_not_typed(kansli, world):
    plan = world["plan_a"]
    row = plan.year_rows.get(year=2027, column="budget")
    p = f"y{row.pk}-"
    post = form_values(year_page(kansli, plan))
    post |= {
        p + "balance_item": "omsattningstillgangar",
        p + "omsattningstillgangar": "1",
        p + "kortfristiga_skulder": "300 000",
    }
    assert kansli.post(url("budget_years", plan), post).status_code == 302
    figures = plan_figures(plan)
    year = figures.result.year(2027)
    assert year.balansbudget.omsattningstillgangar == year.ub + 300_000
    assert not [f for f in figures.findings if f.code == "balans"]
    # The row is no longer typed for that year; the statement marks it as computed.
    page = year_page(kansli, plan)
    assert f'name="{p}omsattningstillgangar"' not in page
    assert f'name="{p}kortfristiga_skulder"' in page
    statements = kansli.get(url("budget_statements", plan)).content.decode()
    assert "Räknas fram ur eget kapital och de andra posterna" in statements
    # A cost moved: still balanced, kassa och bank moved with it.
    services.budget_figures_set(
        plan=plan,
        acting_user=None,
        amounts={(world["line_a"].pk, 2027, "budget"): Decimal(700_000)},
    )
    moved = plan_figures(plan).result.year(2027).balansbudget
    assert moved.balanced and moved.omsattningstillgangar == year.ub - 699_500 + 300_000


@pytest.mark.django_db
def test_a_post_without_the_choice_keeps_it_and_an_empty_choice_types_every_row(kansli, world):
    plan = world["plan_a"]
    row = plan.year_rows.get(year=2027, column="budget")
    p = f"y{row.pk}-"
    services.budget_years_update(
        plan=plan, acting_user=None, rows={row.pk: {"balance_item": "kortfristiga_skulder"}}
    )
    post = {
        k: v for k, v in form_values(year_page(kansli, plan)).items() if "balance_item" not in k
    }
    assert kansli.post(url("budget_years", plan), post).status_code == 302
    row.refresh_from_db()
    assert row.balance_item == "kortfristiga_skulder"
    post = form_values(year_page(kansli, plan)) | {
        p + "balance_item": "",
        p + "omsattningstillgangar": "100",
    }
    assert kansli.post(url("budget_years", plan), post).status_code == 302
    row.refresh_from_db()
    assert row.balance_item == ""
    finding = next(f for f in plan_figures(plan).findings if f.code == "balans")
    assert finding.severity == "fel"


@pytest.mark.django_db
def test_an_unknown_row_to_compute_is_refused_next_to_the_field(kansli, world):
    plan = world["plan_a"]
    row = plan.year_rows.get(year=2027, column="budget")
    post = form_values(year_page(kansli, plan)) | {f"y{row.pk}-balance_item": "eget_kapital"}
    response = kansli.post(url("budget_years", plan), post)
    assert response.status_code == 400
    assert "Välj ett giltigt alternativ" in response.content.decode()
    row.refresh_from_db()
    assert row.balance_item == ""
