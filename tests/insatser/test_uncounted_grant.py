"""A grant typed for a year that counts it nowhere says so where it is typed and in Kontroller:
an insats granted 460 000 kr for a year budgeted per group showed "Budgeterat 0", its form said
the amount was budgeted, and no check warned."""

from __future__ import annotations

import pytest

from budgets import services
from budgets.models import BudgetLine, ColumnKind, Level
from budgets.selectors import plan_figures
from insatser.models import Insats
from tests.helpers import insats_post, url

pytestmark = pytest.mark.django_db


def _per_group(plan, year: int) -> None:
    row = plan.year_rows.get(year=year, column=ColumnKind.BUDGET)
    services.budget_years_update(
        plan=plan, acting_user=None, rows={row.pk: {"level": Level.GRUPPER}}
    )


def _help_beside(html: str, year: int) -> str:
    start = html.index(f'id="id_ar{year}-beviljat_helptext"')
    return html[start : html.index("</div>", start)].replace("\xa0", " ")


def test_the_grant_of_a_year_budgeted_per_group_says_it_does_not_count(personas, plan):
    _per_group(plan, 2028)
    html = personas["kansli_a"].get(url("insats_create", plan)).content.decode()
    assert "2028 budgeteras per grupp: beloppet räknas inte i budgeten" in _help_beside(html, 2028)
    assert "Budgeterat räknas fram" in _help_beside(html, 2027)
    assert "räknas inte" not in _help_beside(html, 2027)


def test_a_grant_in_a_year_budgeted_per_group_is_listed_in_kontroller_with_its_amount(
    personas, plan
):
    _per_group(plan, 2028)
    personas["kansli_a"].post(
        url("insats_create", plan),
        insats_post(plan, beviljat_2027="1 000 000", beviljat_2028="460 000"),
    )
    insats = Insats.objects.get(plan=plan, name="Unga till arbete")
    found = [f for f in plan_figures(plan).findings if f.code == "belopp-raknas-inte"]
    assert [(f.year, f.severity) for f in found] == [(2028, "varning")]
    assert found[0].message.replace("\xa0", " ") == (
        f"2028: 460 000 kr på raden {insats.name} räknas inte i budgeten: året budgeteras per "
        "grupp (gruppens summarad räknas)."
    )
    assert found[0].ref == f"line:{BudgetLine.objects.get(insats=insats).pk}"
    page = personas["kansli_a"].get(url("plan_detail", plan)).content.decode()
    assert "460 000 kr på raden Unga till arbete räknas inte" in page.replace("\xa0", " ")


def test_the_editor_shows_a_grant_that_does_not_count_beside_the_dash(personas, plan):
    personas["kansli_a"].post(
        url("insats_create", plan),
        insats_post(plan, beviljat_2027="1 000 000", beviljat_2028="460 000"),
    )
    _per_group(plan, 2028)
    line = BudgetLine.objects.get(insats__name="Unga till arbete")
    html = personas["kansli_a"].get(url("budget_editor", plan)).content.decode()
    row = html[html.index(f'id="rad-line-{line.pk}"') :].split("</tr>")[0].replace("\xa0", " ")
    assert "460 000 räknas inte" in row


def test_the_insats_page_says_which_grant_does_not_count(personas, plan):
    _per_group(plan, 2028)
    personas["kansli_a"].post(
        url("insats_create", plan),
        insats_post(plan, beviljat_2027="1 000 000", beviljat_2028="460 000"),
    )
    insats = Insats.objects.get(plan=plan, name="Unga till arbete")
    html = personas["styrelse_a"].get(url("insats_detail", plan, insats.pk)).content.decode()
    assert "2028: 460 000 kr på raden Unga till arbete räknas inte i budgeten" in html.replace(
        "\xa0", " "
    )
