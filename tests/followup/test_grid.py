"""The utfall grid typed by hand: lines × months saved all or nothing, a colleague's save shown
beside the cell it concerns, cells from the books read-only, sums, roles and queries."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from budgets import services as budget_services
from budgets.models import BudgetCategory
from finsam.models import Fordelningstal
from followup import selectors, services
from followup.models import LineOutcome
from plans import services as plan_services
from tests import factories
from tests.followup.sie_files import sie_text
from tests.helpers import adopt_plan, form_values, grow

pytestmark = pytest.mark.django_db


def adopted(forbund, extra_lines: int = 0):
    """The förbund's adopted plan for 2027: medlemsbidrag, Kansli and Lokaler (and more lines)."""
    plan = plan_services.plan_create(forbund=forbund, acting_user=None, budget_year=2027)
    for medlem in forbund.medlemmar.filter(kind="kommun"):
        for year in plan.years:
            Fordelningstal.objects.create(medlem=medlem, year=year, invanare=10_000)
    budget_services.budget_figures_set(
        plan=plan, acting_user=None, medlemsbidrag={(y, "budget"): 4_000_000 for y in plan.years}
    )
    category = BudgetCategory.objects.get(group__forbund=forbund, name="Kansli")
    for name, amount in (("Kansli", 1_000_000), ("Lokaler", 240_000)):
        budget_services.budget_line_create(
            plan=plan,
            acting_user=None,
            category=category,
            name=name,
            amounts={(y, "budget"): Decimal(amount) for y in plan.years},
        )
    grow(plan, extra_lines)
    adopt_plan(plan)
    return plan


@pytest.fixture
def year_plan(forbund_a):
    return adopted(forbund_a)


def url(name: str = "followup_grid", slug: str = "forbund-a") -> str:
    return reverse(name, args=[slug, 2027])


def typed(forbund) -> dict:
    return {
        (o.line_name, o.month): o.amount.amount
        for o in LineOutcome.objects.filter(forbund=forbund, year=2027)
    }


def cell(html: str, name: str) -> str:
    """The cell's markup: its field, the value it was opened with, and what stands beside it."""
    return html.split(f'name="{name}"')[1].split("</td>")[0]


def test_typed_amounts_are_saved_and_summed_per_line_and_month(year_plan, kansli_a):
    values = form_values(kansli_a.get(url()).content.decode())
    # rows: 0 Medlemsbidrag, 1 Kansli, 2 Lokaler
    values.update({"u-0-1": "333 333", "u-1-1": "80 000", "u-2-1": "20 000", "u-2-2": "21000 kr"})
    response = kansli_a.post(url(), values)
    assert response.status_code == 302
    assert typed(year_plan.forbund) == {
        ("Medlemsbidrag", 1): 333_333,
        ("Kansli", 1): 80_000,
        ("Lokaler", 1): 20_000,
        ("Lokaler", 2): 21_000,
    }
    html = kansli_a.get(url()).content.decode()
    assert 'value="21\xa0000"' in cell(html, "u-2-2")
    # Lokaler's year; costs in January: Kansli + Lokaler; income in January.
    assert '<td class="num">41\xa0000</td></tr>' in html
    footer = html.split("<tfoot>")[1]
    assert re.search(r"Summa intäkter</th><td class=\"num\">333\xa0333</td>", footer)
    assert re.search(r"Summa kostnader</th><td class=\"num\">100\xa0000</td>", footer)
    assert {r.ref.name: r.utfall for r in selectors.follow_up(year_plan).rows}["Lokaler"] == 41_000


def test_a_bad_amount_is_shown_beside_its_cell_and_nothing_is_saved(year_plan, kansli_a):
    values = form_values(kansli_a.get(url()).content.decode())
    values.update({"u-1-1": "80 000", "u-2-3": "tjugo tusen"})
    response = kansli_a.post(url(), values)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Inget sparades" in html
    assert 'aria-invalid="true"' in cell(html, "u-2-3")
    assert "cell-error" in cell(html, "u-2-3")
    assert 'value="tjugo tusen"' in cell(html, "u-2-3")
    assert typed(year_plan.forbund) == {}


def test_a_colleagues_save_in_between_is_shown_beside_the_cell_and_not_overwritten(
    year_plan, kansli_a, forbund_a
):
    colleague = Client()
    colleague.force_login(factories.kansli(forbund_a).user)
    mine = form_values(kansli_a.get(url()).content.decode())
    theirs = form_values(colleague.get(url()).content.decode())
    theirs["u-2-1"] = "19 000"
    assert colleague.post(url(), theirs).status_code == 302

    mine.update({"u-2-1": "20 000", "u-1-1": "80 000"})
    response = kansli_a.post(url(), mine)
    assert response.status_code == 409
    html = response.content.decode()
    # The colleague's figure stands in the cell, mine beside it; my other change is saved.
    assert 'value="19\xa0000"' in cell(html, "u-2-1")
    assert "Ditt värde 20\xa0000\xa0kr" in cell(html, "u-2-1")
    assert typed(forbund_a) == {("Lokaler", 1): 19_000, ("Kansli", 1): 80_000}
    # A save of the page as it stands now sends nothing of mine again by itself…
    again = form_values(html)
    assert kansli_a.post(url(), again).status_code == 302
    assert typed(forbund_a)[("Lokaler", 1)] == 19_000
    # …unless I choose my figure for that cell.
    again["behall"] = "u-2-1"
    assert kansli_a.post(url(), again).status_code == 302
    assert typed(forbund_a)[("Lokaler", 1)] == 20_000


def test_cells_from_the_books_are_read_only(year_plan, kansli_a):
    refs = selectors.line_refs(selectors.plan_figures(year_plan))
    rows = services.mapping_read("k.csv", b"konto;budgetrad\n5010;Lokaler\n", refs)
    services.mapping_set(forbund=year_plan.forbund, rows=rows, refs=refs, acting_user=None)
    data = sie_text(
        {"1930": "Bank", "5010": "Lokalhyra"},
        {("5010", 2027, 1): Decimal("20000.40"), ("5010", 2027, 2): Decimal("20000.00")},
        year=2027,
    )
    preview = services.utfall_preview(
        forbund=year_plan.forbund, year=2027, file_name="bok.se", data=data, refs=refs
    )
    services.utfall_import(forbund=year_plan.forbund, preview=preview, acting_user=None)
    html = kansli_a.get(url()).content.decode()
    assert 'name="u-2-1"' not in html and 'name="u-2-2"' not in html
    assert '20\xa0000<span class="muted cell-note">från bokföringen</span>' in html
    assert 'name="u-2-3"' in html and 'name="u-1-1"' in html
    # A post that names a cell from the books anyway changes nothing.
    values = form_values(html) | {"u-2-1": "1", "v-2-1": "20000"}
    assert kansli_a.post(url(), values).status_code == 302
    assert typed(year_plan.forbund) == {}


def test_the_board_reads_the_grid_and_may_not_save(year_plan, personas):
    client = personas["styrelse_a"]
    response = client.get(url())
    assert response.status_code == 200
    assert "<input" not in response.content.decode().split("<table")[1]
    post = {"rad-2": "Lokaler", "u-2-1": "5", "v-2-1": "0"}
    assert client.post(url(), post).status_code == 403
    assert personas["revisor_a"].post(url(), post).status_code == 403
    assert typed(year_plan.forbund) == {}


def test_another_forbund_gets_404(year_plan, personas):
    client = personas["kansli_b"]
    assert client.get(url()).status_code == 404
    assert client.get(url("followup_template")).status_code == 404
    post = {"rad-2": "Lokaler", "u-2-1": "5", "v-2-1": "0"}
    assert client.post(url(), post).status_code == 404
    assert typed(year_plan.forbund) == {}


def _page_queries(client, slug: str) -> int:
    client.get(url(slug=slug))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url(slug=slug)).status_code == 200
    return len(queries)


def test_the_grid_has_a_fixed_number_of_queries(forbund_a, forbund_b, personas):
    adopted(forbund_a)
    large = adopted(forbund_b, extra_lines=20)
    refs = selectors.line_refs(selectors.plan_figures(large))
    services.line_outcomes_set(
        forbund=forbund_b,
        year=2027,
        cells={(r.key, m): (Decimal(0), Decimal(100 + m)) for r in refs for m in range(1, 7)},
        refs=refs,
        acting_user=None,
    )
    count = _page_queries(personas["kansli_a"], "forbund-a")
    # session, user, memberships (3); the adopted plan and its access (2); the plan's figures:
    # years, groups, categories, members, fördelningstal, lines, amounts, the year before's
    # bokslut (8); utfall: the konto
    # map, the konton, the typed lines (3); the months a SIE file gave (1).
    assert count == 17
    assert _page_queries(personas["kansli_b"], "forbund-b") == count


@pytest.mark.parametrize("shown", ["sNaN", "NaN", "Infinity"])
def test_a_value_shown_that_is_no_number_is_taken_as_the_cells_own(year_plan, kansli_a, shown):
    values = form_values(kansli_a.get(url()).content.decode())
    values.update({"u-2-12": "5 000", "v-2-12": shown})
    response = kansli_a.post(url(), values)
    assert response.status_code == 302
    assert typed(year_plan.forbund) == {("Lokaler", 12): 5_000}
