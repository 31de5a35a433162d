"""An amount typed as text in a workbook ("2 500", "2 500 kr", "2,5 tkr") is read as the budget
grid reads it; a text that is no amount is refused at its cell with the grid's message."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from budgets import services
from budgets.selectors import plan_figures
from plans.excel.export import BUDGET_SHEET
from plans.excel.reader import STATED_SHEET, read_upload
from plans.excel.template import template_workbook
from tests import factories

pytestmark = pytest.mark.django_db


def _plan():
    forbund = factories.complete_forbund(kommuner=1)
    plan = factories.plan(forbund, budget_year=2027)
    kansli = forbund.budget_groups.get(name="Förvaltning").categories.get(name="Kansli")
    for name in ("Lön", "Lokal", "Resor"):
        services.budget_line_create(
            plan=plan,
            acting_user=None,
            category=kansli,
            name=name,
            amounts={(y, "budget"): Decimal(100_000) for y in plan.years},
        )
    services.budget_figures_set(
        plan=plan,
        acting_user=None,
        medlemsbidrag={(y, "budget"): Decimal(2_000_000) for y in plan.years},
    )
    return plan


def _template_with(plan, texts: dict[str, str], column: str = "Budget 2027"):
    """The plan's template with each named line's amount in `column` typed as the given text."""
    wb = openpyxl.load_workbook(io.BytesIO(template_workbook(plan)))
    ws = wb[BUDGET_SHEET]
    rows = {ws.cell(row=r, column=3).value: r for r in range(5, ws.max_row + 1)}
    col = [c.value for c in ws[4]].index(column) + 1
    for name, text in texts.items():
        cell = ws.cell(row=rows[name], column=col)
        cell.value = text
        assert cell.data_type == "s"  # stored as text, as a person pasting "2 500 kr" gets
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), rows, openpyxl.utils.get_column_letter(col)


def _client(plan):
    client = Client()
    client.force_login(factories.kansli(plan.forbund).user)
    return client


def test_an_amount_typed_as_text_in_the_workbook_is_imported_as_the_grid_reads_it():
    plan = _plan()
    data, _, _ = _template_with(plan, {"Lön": "2 500", "Lokal": "2 500 kr", "Resor": "2,5 tkr"})
    client = _client(plan)
    url = reverse("plan_import", args=[plan.forbund.slug, plan.pk])
    preview = client.post(url, {"fil": SimpleUploadedFile("budget.xlsx", data)})
    assert preview.status_code == 200
    html = preview.content.decode()
    token = html.split('name="token" value="')[1].split('"')[0]
    fingerprint = html.split('name="fingerprint" value="')[1].split('"')[0]
    done = client.post(url, {"token": token, "fingerprint": fingerprint})
    assert done.status_code == 302
    figures = plan_figures(plan)
    typed = {
        (line.name, year): figures.typed[(line.pk, year, "budget")]
        for line in figures.lines
        for year in plan.years
    }
    assert [typed[(name, 2027)] for name in ("Lön", "Lokal", "Resor")] == [2_500, 2_500, 2_500]
    assert typed[("Lön", 2028)] == 100_000  # the cells left as numbers are as they were


def test_a_text_that_is_no_amount_is_refused_at_its_cell_with_the_grids_message():
    plan = _plan()
    before = plan_figures(plan).typed
    data, rows, letter = _template_with(plan, {"Lön": "12 mkr", "Lokal": "1.500"})
    response = _client(plan).post(
        reverse("plan_import", args=[plan.forbund.slug, plan.pk]),
        {"fil": SimpleUploadedFile("budget.xlsx", data)},
    )
    assert response.status_code == 400
    html = response.content.decode()
    said = (
        f"<td>{rows['Lön']}</td><td>{letter}</td><td>Text i ett belopp: ”12 mkr”. Ange "
        "beloppet med siffror i kr, t.ex. 1 234 567; ”mkr” kan inte läsas som enhet"
    )
    assert said in html
    assert (
        f"<td>{rows['Lokal']}</td><td>{letter}</td><td>Text i ett belopp: ”1.500”. Skriv "
        "tusental med mellanrum, inte punkt, t.ex. 1 234 567" in html
    )
    assert plan_figures(plan).typed == before


def test_a_stated_figure_typed_as_text_is_read_with_its_sign_and_unit():
    plan = _plan()
    wb = openpyxl.load_workbook(io.BytesIO(template_workbook(plan)))
    stated = wb[STATED_SHEET]
    stated.append(["Ingående eget kapital", "Budget 2027", "−150 000 kr"])
    stated.append(["Summa kostnader", "Budget 2027", "300 tkr"])
    stated.append(["Summa intäkter", "Budget 2027", -4_000])
    out = io.BytesIO()
    wb.save(out)
    parsed = read_upload("granskning.xlsx", out.getvalue())
    assert parsed.problems == []
    assert [(s.figure, s.amount) for s in parsed.stated] == [
        ("Ingående eget kapital", -150_000),
        ("Summa kostnader", 300_000),
        ("Summa intäkter", -4_000),
    ]
