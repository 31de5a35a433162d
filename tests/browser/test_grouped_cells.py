"""In a grid whose typed cells show grouped amounts ("6 072 000"), editing one cell saves that
cell only, and right; the cells left alone are never sent as changes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from budgets import services as budget_services
from budgets.models import BudgetAmount, BudgetCategory
from finsam.models import AuditEvent
from tests import factories
from tests.helpers import login, make_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_editing_one_cell_among_grouped_amounts_saves_that_cell_only(page, live_server):
    forbund, plan = make_plan("grupperat")
    category = BudgetCategory.objects.get(group__forbund=forbund, name="Kansli")
    lokal = budget_services.budget_line_create(
        plan=plan,
        acting_user=None,
        category=category,
        name="Lokal",
        amounts={(y, "budget"): Decimal(6_072_000) for y in plan.years},
    )
    kansli = factories.kansli(forbund, user__username="kansli-grupperat")
    login(page, live_server, kansli.user.username, factories.PASSWORD)
    page.goto(f"{live_server.url}/f/grupperat/planer/{plan.pk}/budget/")
    cells = {year: page.locator(f'input[name="a-{lokal.pk}-{year}-budget"]') for year in plan.years}
    assert [cell.input_value() for cell in cells.values()] == ["6\xa0072\xa0000"] * 3
    assert page.locator('input[name="mb-2027-budget"]').input_value() == "4\xa0000\xa0000"
    logged = AuditEvent.objects.filter(action="budget.amounts").count()

    cells[2028].fill("6 100 000")  # typed with plain spaces, as a person types
    cells[2028].press("Tab")
    page.wait_for_load_state("networkidle")
    status = page.locator("#editor-status")
    status.filter(has_text="Sparade 1 belopp.").wait_for()

    events = AuditEvent.objects.filter(action="budget.amounts")
    assert events.count() == logged + 1
    assert events.latest("at").changes == {"Lokal 2028": [{"kr": "6072000"}, {"kr": "6100000"}]}
    stored = {
        a.year: a.amount.amount for a in BudgetAmount.objects.filter(line=lokal, column="budget")
    }
    assert stored == {2027: 6_072_000, 2028: 6_100_000, 2029: 6_072_000}
    assert cells[2028].input_value() == "6\xa0100\xa0000"  # grouped again, as saved

    # Spara now has nothing left to send: no grouped cell reads as changed.
    page.locator("#spara-budget").click()
    page.wait_for_load_state("networkidle")
    status.filter(has_text="Alla ändringar är sparade.").wait_for()
    assert events.count() == logged + 1
