"""The template's inputs beyond the amounts (a line's share kind, the computed room, a footnote
per amount, the År sheet): each read back, and each wrong value a Swedish sentence placed by
sheet, row and column that changes nothing (issue [14])."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from budgets import services
from budgets.selectors import calc_key, plan_figures
from plans.excel.template import template_workbook
from tests import factories

pytestmark = pytest.mark.django_db


def _plan():
    forbund = factories.complete_forbund(kommuner=1)
    plan = factories.plan(forbund, budget_year=2027)
    kansli = forbund.budget_groups.get(name="Förvaltning").categories.get(name="Kansli")
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


def _book(plan):
    wb = openpyxl.load_workbook(io.BytesIO(template_workbook(plan)))
    ws = wb["Budget"]
    rows = {ws.cell(row=r, column=3).value: r for r in range(5, ws.max_row + 1)}
    cols = {c.value: c.column for c in ws[4] if c.value}
    years = wb["År"]
    year_rows = {years.cell(row=r, column=1).value: r for r in range(1, years.max_row + 1)}
    return wb, ws, rows, cols, years, year_rows


def _upload(plan, wb):
    out = io.BytesIO()
    wb.save(out)
    client = Client()
    client.force_login(factories.kansli(plan.forbund).user)
    url = reverse("plan_import", args=[plan.forbund.slug, plan.pk])
    return client, url, client.post(url, {"fil": SimpleUploadedFile("mall.xlsx", out.getvalue())})


def _state(plan):
    figures = plan_figures(plan)
    return (
        sorted(figures.typed.items()),
        sorted(figures.cell_notes.items()),
        sorted((ln.name, ln.share_kind, ln.computed_room) for ln in figures.lines),
        [(c.level, c.entered.floor_amount, c.entered.ceiling_percent) for c in figures.columns],
    )


def test_share_kind_room_and_a_footnote_on_one_amount_are_read_back():
    plan = _plan()
    wb, ws, rows, cols, years, year_rows = _book(plan)
    ws.cell(row=rows["Lön"], column=cols["Räknas i andelen"], value="Individinriktade insatser")
    ws.cell(row=rows["Lön"], column=cols["Fotnot Plan 2028"], value="Ny tjänst från mars.")
    new = ws.max_row + 1
    for col, value in enumerate(["Förvaltning", "Kansli", "Utrymme"], 1):
        ws.cell(row=new, column=col, value=value)
    ws.cell(row=new, column=cols["Utrymme räknas fram"], value="ja")
    years.cell(row=year_rows["Golv för eget kapital"], column=2, value=100_000)
    client, url, page = _upload(plan, wb)
    html = page.content.decode()
    assert page.status_code == 200, [str(p) for p in page.context["preview"].problems]
    assert "Ny tjänst från mars." in html
    token = html.split('name="token" value="')[1].split('"')[0]
    fingerprint = html.split('name="fingerprint" value="')[1].split('"')[0]
    assert client.post(url, {"token": token, "fingerprint": fingerprint}).status_code == 302
    figures = plan_figures(plan)
    lines = {ln.name: ln for ln in figures.lines}
    assert lines["Lön"].share_kind == "individ"
    assert figures.cell_notes[(lines["Lön"].pk, 2028, "budget")] == "Ny tjänst från mars."
    assert lines["Utrymme"].computed_room
    # The room is what is left above the floor: 2 000 000 − 720 000 − 100 000.
    assert figures.result.year(2027).line_amounts[calc_key(lines["Utrymme"])] == 1_180_000


def _room(ws, rows, cols, name):
    ws.cell(row=rows[name], column=cols["Utrymme räknas fram"], value="ja")


def _income_with_share(ws, cols) -> None:
    new = ws.max_row + 1
    for col, value in enumerate(["Övriga intäkter", "Övriga intäkter", "Hyra"], 1):
        ws.cell(row=new, column=col, value=value)
    ws.cell(row=new, column=cols["Räknas i andelen"], value="Förvaltning")


CASES = {
    "share-on-income": (
        lambda ws, rows, cols, years, yr: _income_with_share(ws, cols),
        "Bara en kostnad räknas i en andel av kostnaderna.",
    ),
    "two-rooms": (
        lambda ws, rows, cols, years, yr: (
            _room(ws, rows, cols, "Lön"),
            _room(ws, rows, cols, "Lokal"),
        ),
        "Bara en rad kan vara utrymmet för ny verksamhet",
    ),
    "unknown-share": (
        lambda ws, rows, cols, years, yr: ws.cell(
            row=rows["Lön"], column=cols["Räknas i andelen"], value="Kaffe"
        ),
        "Okänd andel ”kaffe”",
    ),
    "room-not-yes-no": (
        lambda ws, rows, cols, years, yr: ws.cell(
            row=rows["Lön"], column=cols["Utrymme räknas fram"], value="kanske"
        ),
        "Skriv ”ja” eller ”nej”.",
    ),
    "unknown-level": (
        lambda ws, rows, cols, years, yr: years.cell(
            row=yr["Budgeteras"], column=2, value="kvartal"
        ),
        "Skriv rader, grupper eller resultat.",
    ),
    "percent-over-100": (
        lambda ws, rows, cols, years, yr: years.cell(
            row=yr["Tak för eget kapital (% av medlemsbidrag)"], column=2, value=150
        ),
        "Ange en procentsats mellan 0 och 100.",
    ),
    "percent-text": (
        lambda ws, rows, cols, years, yr: years.cell(
            row=yr["Tak för eget kapital (% av medlemsbidrag)"], column=2, value="tjugo"
        ),
        "Skriv en procentsats som ett tal",
    ),
    "floor-text": (
        lambda ws, rows, cols, years, yr: years.cell(
            row=yr["Golv för eget kapital"], column=3, value="mycket"
        ),
        "Text i ett belopp",
    ),
    "negative-floor": (
        lambda ws, rows, cols, years, yr: years.cell(
            row=yr["Golv för eget kapital"], column=2, value=-5
        ),
        "År: Budget 2027, Golv för eget kapital: Beloppet kan inte vara negativt.",
    ),
    "under-use-over-100": (
        lambda ws, rows, cols, years, yr: years.cell(
            row=yr["Planerat underutnyttjande av insatser (%)"], column=2, value=101
        ),
        "Planen, Planerat underutnyttjande av insatser (%): Ange en procentsats mellan 0 och 100.",
    ),
    "unknown-balance-row": (
        lambda ws, rows, cols, years, yr: years.cell(
            row=yr["Post som räknas fram"], column=2, value="Kassan"
        ),
        "Välj en av posterna",
    ),
    "unknown-year-row": (
        lambda ws, rows, cols, years, yr: years.cell(row=40, column=1, value="Vinst"),
        "Okänd uppgift ”Vinst”",
    ),
    "formula-footnote": (
        lambda ws, rows, cols, years, yr: ws.cell(
            row=rows["Lön"], column=cols["Fotnot Budget 2027"], value="=1+1"
        ),
        "En formel står där text ska stå",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_wrong_input_beyond_the_amounts_is_one_placed_sentence_and_changes_nothing(case):
    plan = _plan()
    before = _state(plan)
    wb, ws, rows, cols, years, year_rows = _book(plan)
    change, message = CASES[case]
    change(ws, rows, cols, years, year_rows)
    client, url, page = _upload(plan, wb)
    assert page.status_code == 400
    problems = [str(p) for p in page.context["preview"].problems]
    assert len(problems) == 1 and message in problems[0], problems
    assert "token" not in page.context
    assert _state(plan) == before
