"""The budget editor's autosave on a slow network (every answer delayed 400 ms): fast typing is
never overwritten by an answer, a wrong cell blocks no other, Enter moves down the column."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from budgets import services as budget_services
from budgets.models import BudgetAmount, BudgetCategory
from tests import factories
from tests.helpers import login, make_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DELAY_S = 0.4
RUNS = 50


def _slow(page):
    def delay(route):
        if route.request.method == "POST":
            time.sleep(DELAY_S)
        route.continue_()

    page.route("**/budget/", delay)


def _open(page, live_server, slug):
    forbund, plan = make_plan(slug)
    category = BudgetCategory.objects.get(group__forbund=forbund, name="Kansli")
    second = budget_services.budget_line_create(
        plan=plan,
        acting_user=None,
        category=category,
        name="Lokal",
        amounts={(y, "budget"): Decimal(0) for y in plan.years},
    )
    kansli = factories.kansli(forbund, user__username=f"kansli-{slug}")
    login(page, live_server, kansli.user.username, factories.PASSWORD)
    _slow(page)
    page.goto(f"{live_server.url}/f/{slug}/planer/{plan.pk}/budget/")
    first = plan.budget_lines.get(name="Kansli")
    return plan, first, second


def _settle(page):
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(int(DELAY_S * 1000) + 300)
    page.wait_for_load_state("networkidle")


def test_typing_while_an_answer_is_on_its_way_is_never_overwritten(page, live_server):
    plan, first, second = _open(page, live_server, "snabb")
    corrupted = []
    for run in range(RUNS):
        a = page.locator(f'input[name="a-{first.pk}-2027-budget"]')
        a.fill(str(500_000 + run))
        a.press("Tab")  # the save of a leaves; its answer comes 400 ms later
        # Tab selected the next cell (2028): type over it at once, while a's save is away.
        assert page.evaluate("document.activeElement.name") == f"a-{first.pk}-2028-budget"
        page.keyboard.type(str(100 + run), delay=20)
        page.keyboard.press("Tab")
        _settle(page)
        b = page.locator(f'input[name="a-{first.pk}-2028-budget"]')
        if b.input_value() != str(100 + run):
            corrupted.append((run, b.input_value()))
    assert corrupted == []
    stored = BudgetAmount.objects.get(line=first, year=2028, column="budget").amount.amount
    assert stored == 100 + RUNS - 1


def test_a_wrong_cell_blocks_no_other_and_enter_moves_down(page, live_server):
    plan, first, second = _open(page, live_server, "fel-cell")
    a = page.locator(f'input[name="a-{first.pk}-2027-budget"]')
    a.fill("abc")
    a.press("Enter")  # to the cell below: the next line, same year
    focused = page.evaluate("document.activeElement.name")
    assert focused == f"a-{second.pk}-2027-budget"
    page.keyboard.type("4800")
    page.keyboard.press("Tab")
    _settle(page)
    stored = BudgetAmount.objects.get(line=second, year=2027, column="budget").amount.amount
    assert stored == 4800
    assert (
        page.locator(f'input[name="a-{first.pk}-2027-budget"]').get_attribute("aria-invalid")
        == "true"
    )
    assert page.locator(f"#id_a-{first.pk}-2027-budget_error").is_visible()
