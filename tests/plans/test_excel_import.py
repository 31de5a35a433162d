"""Import of a workbook into a draft plan: the preview shows every change before anything is
written, every problem is placed by sheet, row and column, and the import is all or nothing."""

from __future__ import annotations

import contextlib
import io
import zipfile
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils.exceptions import IllegalCharacterError

from budgets.selectors import plan_figures
from finsam.models import AuditEvent
from plans.excel.export import BUDGET_SHEET, export_plan
from plans.excel.importer import ImportRefused, apply_import, prepare_import
from plans.excel.reader import read_upload
from plans.excel.template import template_workbook
from plans.models import PlanLocked
from tests import factories
from tests.excel import rich_plan

pytestmark = pytest.mark.django_db


def _plan():
    forbund = factories.complete_forbund(kommuner=1)
    plan = factories.plan(forbund, budget_year=2027)
    kansli = forbund.budget_groups.get(name="Förvaltning").categories.get(name="Kansli")
    from budgets import services

    for name, amount in (("Lön", 600_000), ("Lokal", 120_000)):
        services.budget_line_create(
            plan=plan,
            acting_user=None,
            category=kansli,
            name=name,
            amounts={(y, "budget"): Decimal(amount) for y in plan.years},
        )
    services.budget_figures_set(
        plan=plan,
        acting_user=None,
        medlemsbidrag={(y, "budget"): Decimal(2_000_000) for y in plan.years},
    )
    return plan


def _sheet(data: bytes):
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb[BUDGET_SHEET]
    rows = {ws.cell(row=r, column=3).value: r for r in range(5, ws.max_row + 1)}
    return wb, ws, rows


def _bytes(wb) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _state(plan):
    figures = plan_figures(plan)
    return (
        sorted((k, v) for k, v in figures.typed.items()),
        sorted((ln.name, ln.note) for ln in figures.lines),
        [c.entered.medlemsbidrag.amount for c in figures.columns],
    )


def _client(plan):
    client = Client()
    client.force_login(factories.kansli(plan.forbund).user)
    return client


def _upload(client, plan, data: bytes, name="budget.xlsx"):
    url = reverse("plan_import", args=[plan.forbund.slug, plan.pk])
    return client.post(url, {"fil": SimpleUploadedFile(name, data)})


def test_the_template_imports_into_its_plan_without_a_change():
    plan = _plan()
    preview = prepare_import(plan, read_upload("mall.xlsx", template_workbook(plan)))
    assert preview.problems == [] and not preview.has_changes


def test_a_preview_shows_each_change_and_confirming_makes_them_all_in_one_logged_event():
    plan = _plan()
    before = _state(plan)
    wb, ws, rows = _sheet(template_workbook(plan))
    header = [c.value for c in ws[4]]
    col = header.index("Budget 2027") + 1
    ws.cell(row=rows["Lön"], column=col, value=650_000)
    ws.delete_rows(rows["Lokal"])
    new = ws.max_row + 1
    for c, value in enumerate(
        ["Förvaltning", "Revision", "Revisionsarvode", None, "Enligt avtal"], 1
    ):
        ws.cell(row=new, column=c, value=value)
    ws.cell(row=new, column=col, value=45_000)
    ws.cell(row=rows["Medlemsbidrag"], column=header.index("Plan 2028") + 1, value=2_100_000)
    client = _client(plan)
    page = _upload(client, plan, _bytes(wb))
    assert page.status_code == 200
    html = page.content.decode().replace("\xa0", " ")
    assert "1 nya rader, 1 ändrade, 1 borttagna" in html
    assert "Revisionsarvode" in html and "Lokal" in html
    assert "600 000" in html and "650 000" in html
    assert _state(plan) == before  # the preview wrote nothing
    token = html.split('name="token" value="')[1].split('"')[0]
    fingerprint = html.split('name="fingerprint" value="')[1].split('"')[0]
    url = reverse("plan_import", args=[plan.forbund.slug, plan.pk])
    done = client.post(url, {"token": token, "fingerprint": fingerprint})
    assert done.status_code == 302
    figures = plan_figures(plan)
    names = {ln.name: ln for ln in figures.lines}
    assert set(names) == {"Lön", "Revisionsarvode"}
    assert figures.typed[(names["Lön"].pk, 2027, "budget")] == 650_000
    assert figures.typed[(names["Revisionsarvode"].pk, 2027, "budget")] == 45_000
    assert names["Revisionsarvode"].note == "Enligt avtal"
    assert figures.columns[1].entered.medlemsbidrag.amount == 2_100_000
    event = AuditEvent.objects.get(action="budget.import")
    assert "1 nya rader, 1 ändrade, 1 borttagna" in event.summary
    assert event.changes["Lön, Budget 2027"] == [{"kr": "600000"}, {"kr": "650000"}]
    history = client.get(reverse("plan_history", args=[plan.forbund.slug, plan.pk]))
    assert "Läste in budget.xlsx" in history.content.decode()


def test_every_problem_is_placed_by_sheet_row_and_column_and_nothing_is_written():
    plan = _plan()
    before = _state(plan)
    wb, ws, rows = _sheet(template_workbook(plan))
    header = [c.value for c in ws[4]]
    col = header.index("Budget 2027") + 1
    letter = openpyxl.utils.get_column_letter(col)
    ws.cell(row=rows["Lön"], column=col, value="sexhundra")
    ws.cell(row=rows["Lokal"], column=col, value="=100*2")
    ws.cell(row=rows["Lokal"], column=col + 1, value="#REF!")
    extra = ws.max_row + 1
    for c, value in enumerate(["Påhittad grupp", "X", "Rad"], 1):
        ws.cell(row=extra, column=c, value=value)
    for c, value in enumerate(["Förvaltning", "Kansli", "Lön"], 1):
        ws.cell(row=extra + 1, column=c, value=value)
    ws.cell(row=4, column=len(header) + 1, value="Plan 2031")
    response = _upload(_client(plan), plan, _bytes(wb))
    assert response.status_code == 400
    html = response.content.decode()
    expected = [
        (f"<td>{rows['Lön']}</td><td>{letter}</td>", "Text i ett belopp: ”sexhundra”"),
        (f"<td>{rows['Lokal']}</td><td>{letter}</td>", "En formel står där ett belopp ska stå"),
        (f"<td>{rows['Lokal']}</td>", "Cellen har felvärdet #REF!"),
        (f"<td>{extra}</td><td>A</td>", "Okänd grupp ”Påhittad grupp”"),
        (f"<td>{extra + 1}</td><td>C</td>", f"finns redan på rad {rows['Lön']}"),
        ("", "Kolumnen ”Plan 2031” ingår inte i planen"),
    ]
    for place, message in expected:
        assert message in html
        assert place in html
    assert "inget kan läsas in" in html
    assert _state(plan) == before
    with pytest.raises(ImportRefused):
        apply_import(
            plan=plan,
            parsed=read_upload("x.xlsx", _bytes(wb)),
            acting_user=None,
            filename="x.xlsx",
        )
    assert _state(plan) == before


def test_an_export_imports_as_it_is_and_its_formulas_are_never_read():
    plan = rich_plan()
    before = _state(plan)
    wb, ws, rows = _sheet(export_plan(plan).save())
    assert prepare_import(plan, read_upload("export.xlsx", _bytes(wb))).problems == []
    header = [c.value for c in ws[4]]
    col = header.index("Budget 2027") + 1
    ws.cell(row=rows["Kansli"], column=col, value=999_900)
    # An auditor's edit of a total is not an input: the import never reads formulas' cells.
    ws.cell(row=rows["Summa kostnader"], column=col + 1, value=1)
    preview = prepare_import(plan, read_upload("export.xlsx", _bytes(wb)))
    assert preview.problems == []
    assert [(c.name, c.amounts) for c in preview.changed] == [
        ("Kansli", [("Budget 2027", Decimal(950_500), Decimal(999_900))])
    ]
    apply_import(
        plan=plan, parsed=read_upload("e.xlsx", _bytes(wb)), acting_user=None, filename="e"
    )
    after = _state(plan)
    assert after != before
    kansli = next(ln for ln in plan_figures(plan).lines if ln.name == "Kansli")
    assert plan_figures(plan).typed[(kansli.pk, 2027, "budget")] == 999_900


def test_a_preview_confirmed_after_a_colleagues_change_is_refused():
    plan = _plan()
    wb, ws, rows = _sheet(template_workbook(plan))
    header = [c.value for c in ws[4]]
    ws.cell(row=rows["Lön"], column=header.index("Budget 2027") + 1, value=1)
    client = _client(plan)
    html = _upload(client, plan, _bytes(wb)).content.decode()
    token = html.split('name="token" value="')[1].split('"')[0]
    fingerprint = html.split('name="fingerprint" value="')[1].split('"')[0]
    from budgets import services

    lokal = plan.budget_lines.get(name="Lokal")
    services.budget_figures_set(
        plan=plan, acting_user=None, amounts={(lokal.pk, 2028, "budget"): Decimal(5)}
    )
    url = reverse("plan_import", args=[plan.forbund.slug, plan.pk])
    response = client.post(url, {"token": token, "fingerprint": fingerprint})
    assert response.status_code == 409
    assert "har ändrats sedan förhandsgranskningen" in response.content.decode()
    assert (
        plan_figures(plan).typed[(plan.budget_lines.get(name="Lön").pk, 2027, "budget")] == 600_000
    )


def test_never_into_a_plan_that_is_not_a_draft():
    plan = _plan()
    plan.status = "inlamnad"
    plan.save()
    client = _client(plan)
    url = reverse("plan_import", args=[plan.forbund.slug, plan.pk])
    response = client.post(url, {"fil": SimpleUploadedFile("b.xlsx", template_workbook(plan))})
    # The plan's page answers, saying the plan is no longer a draft.
    assert response.status_code == 302
    assert response["Location"] == reverse("plan_detail", args=[plan.forbund.slug, plan.pk])
    with pytest.raises(PlanLocked):
        apply_import(
            plan=plan,
            parsed=read_upload("b.xlsx", template_workbook(plan)),
            acting_user=None,
            filename="b.xlsx",
        )
    assert AuditEvent.objects.filter(action="budget.import").count() == 0


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("budget.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "gamla format (.xls)"),
        ("budget.csv", b"Grupp;Kategori;Benamning\n", "En CSV-fil kan inte läsas in"),
        ("budget.xlsx", b"%PDF-1.7\n" + b"x" * 100, "Filen är en pdf"),
        ("budget.xlsx", b"hello world", "ingen Excel-arbetsbok"),
        ("budget.xlsx", _zip({"a.txt": b"x"}), "ingen Excel-arbetsbok"),
        ("budget.xlsx", _zip({"xl/workbook.xml": b"\0" * (70 * 1024 * 1024)}), "packas upp"),
        ("budget.xlsx", _zip({"xl/workbook.xml": b"<not xml"}), "skadad"),
        ("budget.xlsx", b"PK\x03\x04" + b"\0" * (6 * 1024 * 1024), "högst 5 MB"),
        ("budget.xlsx", _bytes(openpyxl.Workbook()), "Rubrikraden saknas"),
    ],
    ids=["xls", "csv", "pdf", "text", "zip", "zipbomb", "trasig", "stor", "tom"],
)
def test_a_file_that_is_not_a_workbook_gets_a_clear_message(name, data, message):
    plan = _plan()
    response = _upload(_client(plan), plan, data, name=name)
    assert response.status_code == 400
    assert message in response.content.decode()


cells = st.one_of(
    st.none(),
    st.integers(min_value=-(10**13), max_value=10**13),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["#REF!", "#DIV/0!", "=1+1", "=SUM(A1:A3)", "ja", "nej", "Förvaltning"]),
    st.booleans(),
    st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 1, 1)),
)


def _put(ws, row: int, column: int, value) -> None:
    # A value openpyxl itself refuses to write cannot be in a file.
    with contextlib.suppress(ValueError, TypeError, IllegalCharacterError):
        ws.cell(row=row, column=column, value=value)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    data=st.data(),
    keep_header=st.booleans(),
    merged=st.booleans(),
    extra_sheet=st.booleans(),
    rows=st.integers(min_value=0, max_value=6),
)
def test_a_malformed_workbook_ends_in_listed_problems_or_a_clean_import(
    data, keep_header, merged, extra_sheet, rows
):
    plan = (
        _plan()
        if not hasattr(test_a_malformed_workbook_ends_in_listed_problems_or_a_clean_import, "plan")
        else None
    )
    plan = plan or _plan()
    wb, ws, names = _sheet(template_workbook(plan))
    if not keep_header:
        _put(ws, 4, data.draw(st.integers(1, 10)), data.draw(st.text(max_size=8)))
    groups = ["Förvaltning", "Påhittad", "", "Individinriktade insatser", "Åäö ✓"]
    for _ in range(rows):
        row = ws.max_row + 1
        _put(ws, row, 1, data.draw(st.sampled_from(groups)))
        _put(ws, row, 2, data.draw(st.sampled_from(["Kansli", "Lokal", "", "?"])))
        _put(ws, row, 3, data.draw(st.text(min_size=0, max_size=20)))
        for c in range(6, 12):
            _put(ws, row, c, data.draw(cells))
    if merged and ws.max_row > 6:
        ws.merge_cells(start_row=6, start_column=8, end_row=7, end_column=9)
    if extra_sheet:
        wb.create_sheet("Annat 😀")["A1"] = "x"
    before = _state(plan)
    parsed = read_upload("fuzz.xlsx", _bytes(wb))
    preview = prepare_import(plan, parsed)
    if preview.problems:
        with pytest.raises(ImportRefused):
            apply_import(plan=plan, parsed=parsed, acting_user=None, filename="fuzz.xlsx")
        assert _state(plan) == before
    else:
        apply_import(plan=plan, parsed=parsed, acting_user=None, filename="fuzz.xlsx")
    # Through the page as well: an answer, never a server error.
    response = _upload(_client(plan), plan, _bytes(wb))
    assert response.status_code in (200, 400)
