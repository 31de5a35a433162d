"""The import template is in the förbund's unit and says so; an import whose amounts stand at
about 1/1000 (or 1000 times) of the plan's figures is stopped (issue [14])."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from budgets import services
from budgets.selectors import plan_figures
from plans.excel.importer import ImportRefused, apply_import, prepare_import
from plans.excel.reader import read_upload
from plans.excel.template import template_workbook
from tests import factories

pytestmark = pytest.mark.django_db

AMOUNTS = {"Lön": 600_000, "Lokal": 120_000, "Bankavgifter": 1_500}


def _plan(unit: str, *, figures: bool = True):
    forbund = factories.complete_forbund(kommuner=1, amount_unit=unit)
    plan = factories.plan(forbund, budget_year=2027)
    kansli = forbund.budget_groups.get(name="Förvaltning").categories.get(name="Kansli")
    for name, amount in AMOUNTS.items():
        services.budget_line_create(
            plan=plan,
            acting_user=None,
            category=kansli,
            name=name,
            amounts={(y, "budget"): Decimal(amount if figures else 0) for y in plan.years},
        )
    if figures:
        services.budget_figures_set(
            plan=plan,
            acting_user=None,
            medlemsbidrag={(y, "budget"): Decimal(2_000_000) for y in plan.years},
        )
    return plan


def _template(plan):
    wb = openpyxl.load_workbook(io.BytesIO(template_workbook(plan)))
    ws = wb["Budget"]
    rows = {ws.cell(row=r, column=3).value: r for r in range(5, ws.max_row + 1)}
    header = [c.value for c in ws[4]]
    columns = [i + 1 for i, label in enumerate(header) if label and label[:4] in ("Budg", "Plan")]
    return wb, ws, rows, columns


def _read(wb):
    out = io.BytesIO()
    wb.save(out)
    return read_upload("mall.xlsx", out.getvalue())


def _typed(plan, name: str, year: int = 2027) -> Decimal:
    figures = plan_figures(plan)
    line = next(ln for ln in figures.lines if ln.name == name)
    return figures.typed[(line.pk, year, "budget")]


def test_a_tkr_template_says_tkr_and_its_amounts_are_read_as_tkr():
    plan = _plan("tkr")
    wb, ws, rows, columns = _template(plan)
    assert ws["A2"].value.startswith("Belopp i tkr")
    assert (ws["A3"].value, ws["B3"].value) == ("Belopp i", "tkr")
    assert ws.cell(row=rows["Lön"], column=columns[0]).value == 600
    assert ws.cell(row=rows["Bankavgifter"], column=columns[0]).value == Decimal("1.5")
    assert not prepare_import(plan, _read(wb)).has_changes
    ws.cell(row=rows["Lön"], column=columns[0], value=650.5)
    apply_import(plan=plan, parsed=_read(wb), acting_user=None, filename="mall.xlsx")
    assert _typed(plan, "Lön") == 650_500
    assert _typed(plan, "Bankavgifter") == 1_500


def test_a_kr_template_says_kr():
    wb, ws, rows, columns = _template(_plan("kr"))
    assert (ws["B3"].value, ws.cell(row=rows["Lön"], column=columns[0]).value) == ("kr", 600_000)


def test_a_file_that_names_another_unit_is_refused_and_nothing_else_is_said():
    plan = _plan("tkr")
    wb, ws, rows, columns = _template(plan)
    ws["B3"] = "mkr"
    preview = prepare_import(plan, _read(wb))
    assert [str(p) for p in preview.problems] == [
        "Budget, rad 3, kolumn B: Okänd enhet ”mkr”; mallens belopp är i kr eller tkr och "
        "cellen ska stå som mallen skrev den."
    ]
    assert not preview.has_changes


def _scaled(ws, rows, columns, factor) -> None:
    for name in ("Medlemsbidrag", *AMOUNTS):
        for col in columns:
            cell = ws.cell(row=rows[name], column=col)
            cell.value = Decimal(cell.value) * factor


def test_amounts_typed_in_tkr_into_a_kr_template_are_stopped_and_nothing_changes():
    plan = _plan("kr")
    before = plan_figures(plan).typed
    wb, ws, rows, columns = _template(plan)
    _scaled(ws, rows, columns, Decimal("0.001"))
    preview = prepare_import(plan, _read(wb))
    assert str(preview.problems[0]).startswith(
        "Budget: Beloppen ser ut att vara i tkr men mallen är i kr"
    )
    with pytest.raises(ImportRefused):
        apply_import(plan=plan, parsed=_read(wb), acting_user=None, filename="mall.xlsx")
    assert plan_figures(plan).typed == before


def test_amounts_typed_in_kr_into_a_tkr_template_are_stopped():
    plan = _plan("tkr")
    wb, ws, rows, columns = _template(plan)
    _scaled(ws, rows, columns, Decimal(1000))
    problems = [str(p) for p in prepare_import(plan, _read(wb)).problems]
    assert problems[0].startswith("Budget: Beloppen ser ut att vara i kr men mallen är i tkr")


def test_lines_in_tkr_beside_a_medlemsbidrag_in_kr_are_stopped_in_a_plan_without_figures():
    plan = _plan("kr", figures=False)
    wb, ws, rows, columns = _template(plan)
    for col in columns:
        ws.cell(row=rows["Medlemsbidrag"], column=col, value=2_000_000)
        for name, amount in AMOUNTS.items():
            ws.cell(row=rows[name], column=col, value=amount // 1000 or 2)
    problems = [str(p) for p in prepare_import(plan, _read(wb)).problems]
    assert problems and "ser ut att vara i tkr men mallen är i kr" in problems[0]


def test_a_right_file_is_not_stopped_even_with_small_lines_and_large_changes():
    plan = _plan("kr")
    wb, ws, rows, columns = _template(plan)
    ws.cell(row=rows["Lön"], column=columns[0], value=1_200_000)  # doubled
    ws.cell(row=rows["Bankavgifter"], column=columns[1], value=2)  # a small line
    ws.cell(row=rows["Lokal"], column=columns[2], value=0)
    preview = prepare_import(plan, _read(wb))
    assert preview.problems == [] and len(preview.changed) == 3
    empty = _plan("kr", figures=False)
    wb, ws, rows, columns = _template(empty)
    for col in columns:
        ws.cell(row=rows["Medlemsbidrag"], column=col, value=2_000_000)
        for name, amount in AMOUNTS.items():
            ws.cell(row=rows[name], column=col, value=amount)
    assert prepare_import(empty, _read(wb)).problems == []


def test_the_years_and_plans_inputs_are_previewed_on_the_page_and_by_import_plan(tmp_path, capsys):
    plan = _plan("tkr")
    wb, ws, rows, columns = _template(plan)
    years = wb["År"]
    labels = {years.cell(row=r, column=1).value: r for r in range(1, years.max_row + 1)}
    years.cell(row=labels["Golv för eget kapital"], column=2, value=400)
    years.cell(row=labels["Budgeteras"], column=4, value="grupper")
    for name in AMOUNTS:  # detail lines do not count in a year budgeted per group
        ws.cell(row=rows[name], column=columns[2]).value = None
    years.cell(row=labels["Planerat underutnyttjande av insatser (%)"], column=2, value="5 %")
    path = tmp_path / "mall.xlsx"
    wb.save(path)
    client = Client()
    client.force_login(factories.kansli(plan.forbund).user)
    url = reverse("plan_import", args=[plan.forbund.slug, plan.pk])
    page = client.post(url, {"fil": SimpleUploadedFile("mall.xlsx", path.read_bytes())})
    html = page.content.decode().replace("\xa0", " ")
    assert page.status_code == 200, [str(p) for p in page.context["preview"].problems]
    assert "Golv för eget kapital, Budget 2027" in html and "400 000 kr" in html
    assert "Budgeteras, Plan 2029" in html and "Per grupp" in html
    call_command(
        "import_plan", str(path), "--forbund", plan.forbund.slug, "--year", "2027", "--dry-run"
    )
    out = capsys.readouterr().out
    assert "~ Planerat underutnyttjande av insatser (%): 0 % → 5 %" in out
    call_command("import_plan", str(path), "--forbund", plan.forbund.slug, "--year", "2027")
    plan.refresh_from_db()
    figures = plan_figures(plan)
    assert figures.columns[0].entered.floor_amount.amount == 400_000
    assert figures.columns[2].level == "grupper"
    assert figures.plan.under_use_percent == 5
