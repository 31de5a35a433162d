"""After a conflict in the budget editor a cell holds the colleague's figure, with the user's
beside it; only the user's choice for that cell (Behåll mitt värde, or typing it again) sends
theirs. Nothing else the user does afterwards, such as saving another cell, overwrites it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from budgets import services
from budgets.models import BudgetAmount
from tests.helpers import editor_url, form_values, grid_post

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true", "Finsam-Svar": "andringar"}


def autosave(html: str, typed: dict[str, str]) -> dict:
    """What static/js/editor.js sends from a page after the user typed: each cell that differs
    from its "o-" twin (what the server says is stored), with its twin, and the page's mark."""
    values = {**form_values(html), **typed}
    sent = {"figurer": values["figurer"]}
    for name, value in values.items():
        twin = "o-" + name
        if twin in values and (name in typed or value != values[twin]):
            sent[name], sent[twin] = value, values[twin]
    return sent


def stored(line, year: int) -> Decimal:
    return BudgetAmount.objects.get(line=line, year=year, column="budget").amount.amount


def conflict_after_colleague(client, plan, line) -> str:
    """My page shows the line's 2027 at 500; a colleague saves 20 there; I type 25: the answer."""
    mine = f"a-{line.pk}-2027-budget"
    page = client.get(editor_url(plan)).content.decode()
    services.budget_figures_set(
        plan=plan, acting_user=None, amounts={(line.pk, 2027, "budget"): Decimal(20)}
    )
    answer = client.post(editor_url(plan), autosave(page, {mine: "25"}), headers=HTMX)
    assert answer.status_code == 400
    assert stored(line, 2027) == 20
    return answer.content.decode()


def test_after_a_conflict_the_cell_shows_the_stored_figure_and_mine_beside_it(personas, world):
    plan, line = world["plan_a"], world["line_a"]
    html = conflict_after_colleague(personas["kansli_a"], plan, line)
    values = form_values(html)
    mine = f"a-{line.pk}-2027-budget"
    assert (values[mine], values["o-" + mine]) == ("20", "20")
    assert "Ditt värde 25" in html
    assert "Behåll mitt värde (25)" in html


def test_saving_another_cell_after_a_conflict_keeps_the_colleagues_figure(personas, world):
    plan, line = world["plan_a"], world["line_a"]
    client = personas["kansli_a"]
    html = conflict_after_colleague(client, plan, line)
    other = f"a-{line.pk}-2028-budget"
    answer = client.post(editor_url(plan), autosave(html, {other: "300"}), headers=HTMX)
    assert answer.status_code == 200
    assert "Sparade 1 belopp." in answer.content.decode()
    assert (stored(line, 2027), stored(line, 2028)) == (20, 300)


def test_keep_mine_without_javascript_saves_my_figure_over_the_colleagues(personas, world):
    plan, line = world["plan_a"], world["line_a"]
    client = personas["kansli_a"]
    html = conflict_after_colleague(client, plan, line)
    mine = f"a-{line.pk}-2027-budget"
    # The whole form as the conflict page stands, sent by that cell's Behåll mitt värde.
    answer = client.post(editor_url(plan), {**form_values(html), "behall": mine})
    assert answer.status_code == 302
    assert stored(line, 2027) == 25


def test_keep_mine_is_refused_again_when_a_colleague_saved_once_more(personas, world):
    plan, line = world["plan_a"], world["line_a"]
    client = personas["kansli_a"]
    html = conflict_after_colleague(client, plan, line)
    services.budget_figures_set(
        plan=plan, acting_user=None, amounts={(line.pk, 2027, "budget"): Decimal(30)}
    )
    mine = f"a-{line.pk}-2027-budget"
    answer = client.post(editor_url(plan), {**form_values(html), "behall": mine})
    assert answer.status_code == 400
    assert stored(line, 2027) == 30
    assert "Behåll mitt värde (25)" in answer.content.decode()


def test_keep_mine_naming_no_cell_of_the_budget_saves_nothing(personas, world):
    plan, line = world["plan_a"], world["line_a"]
    data = {
        **grid_post(plan, {}),
        "behall": "a-999999-2027-budget",
        "mitt-a-999999-2027-budget": "1",
    }
    answer = personas["kansli_a"].post(editor_url(plan), data)
    assert answer.status_code == 302
    assert stored(line, 2027) == 500


def test_spara_without_javascript_after_a_conflict_keeps_the_colleagues_figure(personas, world):
    plan, line = world["plan_a"], world["line_a"]
    client = personas["kansli_a"]
    html = conflict_after_colleague(client, plan, line)
    other = f"a-{line.pk}-2028-budget"
    # The conflict page sent as it stands by Spara ändringar, with another cell changed.
    answer = client.post(editor_url(plan), {**form_values(html), other: "300"})
    assert answer.status_code == 302
    assert (stored(line, 2027), stored(line, 2028)) == (20, 300)


def test_my_value_beside_a_conflict_is_shown_grouped_as_the_grid_shows_figures(personas, world):
    plan, line = world["plan_a"], world["line_a"]
    client = personas["kansli_a"]
    mine = f"a-{line.pk}-2027-budget"
    page = client.get(editor_url(plan)).content.decode()
    services.budget_figures_set(
        plan=plan, acting_user=None, amounts={(line.pk, 2027, "budget"): Decimal(20)}
    )
    answer = client.post(editor_url(plan), autosave(page, {mine: "2500000"}), headers=HTMX)
    html = answer.content.decode().replace("\xa0", " ")
    assert "Ditt värde 2 500 000" in html and "Behåll mitt värde (2 500 000)" in html
    # Kept, it saves the figure the user typed.
    keep = form_values(answer.content.decode()) | {"behall": mine}
    assert client.post(editor_url(plan), keep).status_code in (200, 302)
    assert stored(line, 2027) == 2_500_000
