""" "Ny budgetrad" comes back to the editor with the focus in the new row's first cell, ready
for its figure."""

from __future__ import annotations

import pytest
from django.urls import reverse

from budgets.models import BudgetCategory, BudgetLine
from tests import factories
from tests.helpers import login, make_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _kansli(page, live_server, slug):
    forbund, plan = make_plan(slug)
    kansli = factories.kansli(forbund, user__username=f"kansli-{slug}")
    login(page, live_server, kansli.user.username, factories.PASSWORD)
    return plan


def test_a_new_budget_line_opens_with_focus_in_its_first_cell(page, live_server):
    plan = _kansli(page, live_server, "ny-rad")
    page.goto(f"{live_server.url}{reverse('budget_line_create', args=['ny-rad', plan.pk])}")
    category = BudgetCategory.objects.get(group__forbund=plan.forbund, name="Kansli")
    page.get_by_label("Kategori").select_option(str(category.pk))
    page.get_by_label("Benämning").fill("Lokalhyra")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_url("**/budget/#rad-line-*")
    line = BudgetLine.objects.get(plan=plan, name="Lokalhyra")

    assert page.evaluate("document.activeElement.name") == f"a-{line.pk}-2027-budget"
    page.keyboard.type("250000")
    page.keyboard.press("Tab")
    page.wait_for_load_state("networkidle")
    assert line.amounts.get(year=2027, column="budget").amount.amount == 250_000
