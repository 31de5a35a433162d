"""The plan in Excel: every computed cell is a live formula whose value, recomputed as Excel
would (the `formulas` package), is the app's figure to the krona."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from budgets.selectors import plan_figures
from plans.demo import load_demo
from plans.excel.export import AMOUNT_FORMAT, BUDGET_SHEET, export_plan
from plans.models import Plan
from tests import factories
from tests.excel import mismatches, recompute, rich_plan

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        yield
        transaction.set_rollback(True)


def _checked(plan: Plan):
    figures = plan_figures(plan)
    export = export_plan(plan, figures)
    data = export.save()
    return figures, export, data, mismatches(figures, export, recompute(data))


@pytest.mark.parametrize("slug", ["goteborg", "sodra-vatterbygden", "sundsvall"])
def test_every_computed_cell_of_a_demo_plan_recomputes_to_the_apps_figure(demo, slug):
    plan = Plan.objects.filter(forbund__slug=slug).order_by("-budget_year").first()
    figures, export, data, wrong = _checked(plan)
    assert wrong == []
    kinds = {what[0] for what in export.computed.values()}
    assert {"col", "member", "group", "statement"} <= kinds
    # Every column's UB and every paying member's part are among the checked cells.
    checked = set(export.computed.values())
    kinds_by_key = {str(m.pk): m.kind for m in figures.members}
    for index, column in enumerate(figures.columns):
        assert ("col", index, "ub") in checked
        paying = [k for k in column.result.member_parts if kinds_by_key[k] != "af"]
        assert paying
        assert all(("member", index, key) in checked for key in paying)


@pytest.mark.parametrize(
    "shape",
    [{}, {"kommun_parts": False}, {"region_has_kommun_role": True}, {"kommuner": 1}],
    ids=["kommuner", "kommunsumma", "region-med-kommunroll", "en-kommun"],
)
def test_a_plan_of_every_shape_recomputes_to_the_krona(shape):
    plan = rich_plan(**shape)
    figures, export, data, wrong = _checked(plan)
    assert wrong == []
    kinds = {what[0] for what in export.computed.values()}
    assert {"line", "group", "parent", "share", "statement", "balance", "typed"} <= kinds
    # The figures these formulas reproduce are the interesting ones, not zeros.
    year = figures.result.year(2027)
    assert year.line_amounts and year.utrymme and year.individ_costs
    assert figures.result.year(2029).level == "grupper"


def test_inputs_are_plain_cells_and_totals_are_formulas_in_swedish_look():
    plan = rich_plan()
    wb = openpyxl.load_workbook(io.BytesIO(export_plan(plan).save()))
    assert wb.sheetnames == [
        "Planen",
        "Budget",
        "Medlemsbidrag",
        "Eget kapital",
        "Resultatbudget",
        "Balansbudget",
        "Insatser",
        "Kontroller",
        "År",
        "Egna rader",
    ]
    ws = wb[BUDGET_SHEET]
    labels = {ws.cell(row=r, column=3).value: r for r in range(1, ws.max_row + 1)}
    kansli = labels["Kansli"]
    assert ws.cell(row=4, column=10).value == "Budget 2027"
    assert ws.cell(row=4, column=11).value == "Budgeterat 2027"  # after planned under-use
    assert ws.cell(row=kansli, column=10).value == 950_500  # typed
    assert str(ws.cell(row=labels["Summa kostnader"], column=11).value).startswith("=SUM(")
    assert ws.cell(row=labels["Summa kostnader"], column=11).number_format == AMOUNT_FORMAT
    assert ws.freeze_panes == "D5"
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1
    assert ws.print_title_rows == "$4:$4"
    assert wb.properties.title.startswith("Verksamhetsplan och budget 2027")
    assert wb.properties.subject == plan.forbund.name
    assert ws.column_dimensions["C"].width >= 30


def test_the_workbook_is_downloaded_from_the_plan_page_and_the_archive():
    plan = rich_plan()
    client = Client()
    client.force_login(factories.revisor(plan.forbund).user)
    url = reverse("plan_excel", args=[plan.forbund.slug, plan.pk])
    assert (
        url
        in client.get(reverse("plan_detail", args=[plan.forbund.slug, plan.pk])).content.decode()
    )
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert f"{plan.forbund.slug}-2027-version-1.xlsx" in response["Content-Disposition"]
    other = Client()
    other.force_login(factories.kansli(factories.complete_forbund()).user)
    assert other.get(url).status_code == 404


def test_an_adopted_plans_workbook_shows_what_was_adopted(demo):
    plan = Plan.objects.get(forbund__slug="goteborg", status="antagen")
    client = Client()
    client.force_login(factories.revisor(plan.forbund).user)
    archive = client.get(reverse("archive", args=[plan.forbund.slug])).content.decode()
    url = reverse("plan_excel", args=[plan.forbund.slug, plan.pk])
    assert url in archive
    before = client.get(url).content
    forbund = plan.forbund
    forbund.name = "Nytt namn"
    forbund.rounding_unit = 1
    forbund.save()
    wb = openpyxl.load_workbook(io.BytesIO(client.get(url).content))
    assert "Nytt namn" not in wb.properties.title
    assert (
        wb["Planen"]["B8"].value == openpyxl.load_workbook(io.BytesIO(before))["Planen"]["B8"].value
    )
