"""The reproduction of [13] item 4 in a browser: the editor open in one tab, the plan submitted
in another, a cell edited in the first. The first tab must not get the plan's page, header and
menus, inside its editor: it loads the plan's page whole, with the reason."""

from __future__ import annotations

import pytest

from budgets.models import BudgetAmount
from tests import factories
from tests.helpers import editor_url, login, make_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_edit_to_a_plan_submitted_in_another_tab_loads_the_plan_page_with_the_reason(
    page, live_server
):
    forbund, plan = make_plan("tva-flikar")
    kansli = factories.kansli(forbund, user__username="kansli-tva-flikar")
    login(page, live_server, kansli.user.username, factories.PASSWORD)
    page.goto(live_server.url + editor_url(plan))
    line = plan.budget_lines.get(name="Kansli")
    before = list(BudgetAmount.objects.filter(line=line).values_list("year", "amount"))

    other = page.context.new_page()
    other.goto(f"{live_server.url}/f/{forbund.slug}/planer/{plan.pk}/")
    other.get_by_role("button", name="Lämna in till styrelsen").click()
    other.wait_for_load_state("networkidle")
    plan.refresh_from_db()
    assert not plan.is_editable

    cell = page.locator(f'input[name="a-{line.pk}-{plan.budget_year}-budget"]')
    cell.fill("1 234 567")
    plan_page = f"/f/{forbund.slug}/planer/{plan.pk}/"
    cell.press("Tab")
    # Either the browser loads the plan's page, or (the bug) htmx swaps it into the editor and
    # the page has a second header and its menus.
    page.wait_for_function(
        "page => location.pathname === page"
        " || document.querySelectorAll('header.site-header').length > 1",
        arg=plan_page,
    )
    page.wait_for_load_state("load")
    assert page.locator("header.site-header").count() == 1
    assert page.locator("main .site-header, main .section-nav").count() == 0
    assert page.url == live_server.url + plan_page
    assert "Planen är inlämnad till styrelsen och kan inte ändras" in page.inner_text("main")
    assert list(BudgetAmount.objects.filter(line=line).values_list("year", "amount")) == before
