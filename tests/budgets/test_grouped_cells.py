"""The editor's typed cells show their amounts grouped as the computed cells beside them do
("6 072 000", "1 844,5" in tkr), and a page sent back as it was shown saves nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from budgets import services
from budgets.models import BudgetCategory
from finsam.models import AuditEvent
from tests import factories
from tests.helpers import editor_url, form_values

pytestmark = pytest.mark.django_db


def _plan(unit: str):
    forbund = factories.complete_forbund(slug=f"grupperat-{unit}", amount_unit=unit)
    plan = factories.plan(forbund, budget_year=2027)
    category = BudgetCategory.objects.get(group__forbund=forbund, name="Kansli")
    line = services.budget_line_create(
        plan=plan,
        acting_user=None,
        category=category,
        name="Kansli",
        amounts={(2027, "budget"): Decimal(6_072_000), (2028, "budget"): Decimal(1_844_500)},
    )
    services.budget_figures_set(
        plan=plan,
        acting_user=None,
        medlemsbidrag={(y, "budget"): Decimal(9_000_000) for y in plan.years},
    )
    client = Client()
    client.force_login(factories.kansli(forbund).user)
    return plan, line, client


def _grid(html: str) -> dict[str, str]:
    """The editor's cells and their twins as the browser sends them."""
    return {k: v for k, v in form_values(html).items() if k.startswith(("a-", "mb-", "o-"))}


@pytest.mark.parametrize(
    ("unit", "shown"),
    [
        ("kr", {2027: "6\xa0072\xa0000", 2028: "1\xa0844\xa0500", "mb": "9\xa0000\xa0000"}),
        ("tkr", {2027: "6\xa0072", 2028: "1\xa0844,5", "mb": "9\xa0000"}),
    ],
)
def test_typed_cells_show_their_amount_grouped_and_sent_back_as_shown_save_nothing(unit, shown):
    plan, line, client = _plan(unit)
    grid = _grid(client.get(editor_url(plan)).content.decode())
    for year in (2027, 2028):
        assert grid[f"a-{line.pk}-{year}-budget"] == shown[year]
        assert grid[f"o-a-{line.pk}-{year}-budget"] == shown[year]  # its twin says the same
    assert grid["mb-2027-budget"] == shown["mb"]
    logged = AuditEvent.objects.count()
    # The whole page, as the Spara button sends it without JavaScript.
    page = client.post(editor_url(plan), grid, follow=True).content.decode()
    assert "Sparade 0 ändrade belopp." in page
    # Every cell at once, as the autosave would send them all.
    answer = client.post(editor_url(plan), grid, headers={"HX-Request": "true"})
    assert "Alla ändringar är sparade." in answer.content.decode()
    assert AuditEvent.objects.count() == logged


def test_a_figure_typed_with_a_unit_is_saved_and_comes_back_grouped_in_the_grids_unit():
    plan, line, client = _plan("tkr")
    grid = _grid(client.get(editor_url(plan)).content.decode())
    name = f"a-{line.pk}-2027-budget"
    answer = client.post(
        editor_url(plan), {**grid, name: "2 500 000 kr"}, headers={"HX-Request": "true"}
    )
    assert "Sparade 1 belopp." in answer.content.decode()
    event = AuditEvent.objects.filter(action="budget.amounts").latest("at")
    assert event.changes == {"Kansli 2027": [{"kr": "6072000"}, {"kr": "2500000"}]}
    grid = _grid(client.get(editor_url(plan)).content.decode())
    assert grid[name] == grid["o-" + name] == "2\xa0500"


def test_beside_a_wrong_cell_a_saved_cell_comes_back_grouped_as_its_twin():
    plan, line, client = _plan("kr")
    grid = _grid(client.get(editor_url(plan)).content.decode())
    right, wrong = f"a-{line.pk}-2027-budget", f"a-{line.pk}-2028-budget"
    answer = client.post(
        editor_url(plan), {**grid, right: "2500", wrong: "12a"}, headers={"HX-Request": "true"}
    )
    html = answer.content.decode()
    assert "Sparade 1 belopp." in html and "Kunde inte spara" in html
    grid = _grid(html)
    # The next save sends the wrong cell again, not the saved one: it reads as unchanged.
    assert grid[right] == grid["o-" + right] == "2\xa0500"
    assert grid[wrong] == "12a"
