"""Saving in the budget editor makes the Content-Security-Policy refuse nothing: htmx adds no
inline style (the page fixture also fails a test on any refusal)."""

from __future__ import annotations

import pytest

from tests import factories
from tests.helpers import editor_url, login, make_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _kansli(page, live_server, slug):
    forbund, plan = make_plan(slug)
    kansli = factories.kansli(forbund, user__username=f"kansli-{slug}")
    login(page, live_server, kansli.user.username, factories.PASSWORD)
    return plan


def test_six_saves_in_the_budget_editor_make_no_csp_refusal(page, live_server):
    plan = _kansli(page, live_server, "sex-sparningar")
    page.goto(f"{live_server.url}{editor_url(plan)}")
    line = plan.budget_lines.get(name="Kansli")
    for n, year in enumerate([2027, 2028, 2029, 2027, 2028, 2029]):
        cell = page.locator(f'input[name="a-{line.pk}-{year}-budget"]')
        cell.fill(str(1_000_000 + n))
        cell.press("Tab")
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(200)

    assert page.csp_refused == []
    assert line.amounts.get(year=2029, column="budget").amount.amount == 1_000_005
