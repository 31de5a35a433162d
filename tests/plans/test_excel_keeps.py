"""An import changes only what its file says: a file without a line input's column (a template
from before the column, a förbund's own sheet) leaves that input as it is, and the computed
room can move from one line to a new one in one import (found in review: a 500)."""

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


def _import(plan, wb):
    """Upload and confirm; the preview page and the answer to the confirmation."""
    out = io.BytesIO()
    wb.save(out)
    client = Client()
    client.force_login(factories.kansli(plan.forbund).user)
    url = reverse("plan_import", args=[plan.forbund.slug, plan.pk])
    page = client.post(url, {"fil": SimpleUploadedFile("mall.xlsx", out.getvalue())})
    html = page.content.decode()
    assert page.status_code == 200, [str(p) for p in page.context["preview"].problems]
    token = html.split('name="token" value="')[1].split('"')[0]
    fingerprint = html.split('name="fingerprint" value="')[1].split('"')[0]
    return html, client.post(url, {"token": token, "fingerprint": fingerprint})


def _book(plan):
    wb = openpyxl.load_workbook(io.BytesIO(template_workbook(plan)))
    ws = wb["Budget"]
    rows = {ws.cell(row=r, column=3).value: r for r in range(5, ws.max_row + 1)}
    cols = {c.value: c.column for c in ws[4] if c.value}
    return wb, ws, rows, cols


def test_a_file_without_the_line_input_columns_keeps_share_kind_room_and_footnotes():
    plan = _plan()
    lines = {ln.name: ln for ln in plan.budget_lines.all()}
    services.budget_line_update(line=lines["Lön"], acting_user=None, data={"share_kind": "individ"})
    services.budget_amount_notes_set(
        line=lines["Lön"], acting_user=None, notes={(2028, "budget"): "Ny tjänst från mars."}
    )
    wb, ws, rows, cols = _book(plan)
    gone = sorted(
        (
            cols[h]
            for h in cols
            if h in ("Räknas i andelen", "Utrymme räknas fram") or h.startswith("Fotnot ")
        ),
        reverse=True,
    )
    assert len(gone) >= 3
    for column in gone:
        ws.delete_cols(column)
    ws.cell(row=rows["Lokal"], column=cols["Budget 2027"], value=130_000)  # one change to read
    html, answer = _import(plan, wb)
    assert "Räknas i andelen" not in html and "Fotnot Plan 2028" not in html
    assert answer.status_code == 302
    figures = plan_figures(plan)
    lon = next(ln for ln in figures.lines if ln.name == "Lön")
    lokal = next(ln for ln in figures.lines if ln.name == "Lokal")
    assert figures.typed[(lokal.pk, 2027, "budget")] == 130_000
    assert lon.share_kind == "individ"
    assert figures.cell_notes[(lon.pk, 2028, "budget")] == "Ny tjänst från mars."


def test_the_room_moves_from_one_line_to_a_new_line_in_one_import():
    plan = _plan()
    kansli = plan.forbund.budget_groups.get(name="Förvaltning").categories.get(name="Kansli")
    services.budget_line_create(
        plan=plan, acting_user=None, category=kansli, name="Utrymme", computed_room=True
    )
    wb, ws, rows, cols = _book(plan)
    ws.cell(row=rows["Utrymme"], column=cols["Utrymme räknas fram"], value="nej")
    new = ws.max_row + 1
    for col, value in enumerate(["Förvaltning", "Kansli", "Nya projekt"], 1):
        ws.cell(row=new, column=col, value=value)
    ws.cell(row=new, column=cols["Utrymme räknas fram"], value="ja")
    _, answer = _import(plan, wb)
    assert answer.status_code == 302
    rooms = [ln.name for ln in plan.budget_lines.filter(computed_room=True)]
    assert rooms == ["Nya projekt"]
