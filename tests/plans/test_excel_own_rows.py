"""The förbund's own rows in its statements (Egna rader) and the footnote on its targets travel
through the template: the preview lists each own row added, changed or removed, the import
records them, an older file without the sheet leaves them, and a wrong row is one placed
sentence that changes nothing (issue [14])."""

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
from budgets.models import StatementNote
from budgets.selectors import plan_figures
from budgets.services_statement import statement_note_save
from budgets.summary import summary, text_summary
from finsam.models import AuditEvent
from plans.excel.template import template_workbook
from tests import factories

pytestmark = pytest.mark.django_db


def _plan():
    forbund = factories.complete_forbund(kommuner=1)
    plan = factories.plan(forbund, budget_year=2027)
    kansli = forbund.budget_groups.get(name="Förvaltning").categories.get(name="Kansli")
    services.budget_line_create(
        plan=plan,
        acting_user=None,
        category=kansli,
        name="Lön",
        amounts={(y, "budget"): Decimal(600_000) for y in plan.years},
    )
    services.budget_figures_set(
        plan=plan,
        acting_user=None,
        medlemsbidrag={(y, "budget"): Decimal(2_000_000) for y in plan.years},
    )
    for statement, label, text in (
        ("balans", "Ansvarsförbindelser", "Inga"),
        ("balans", "Ställda panter", "0"),
    ):
        statement_note_save(
            note=StatementNote(plan=plan, statement=statement, label=label, text=text),
            acting_user=None,
        )
    return plan


def _own_rows(plan):
    return [(n.statement, n.label, n.text) for n in plan.statement_notes.all()]


def _upload(plan, wb):
    out = io.BytesIO()
    wb.save(out)
    client = Client()
    client.force_login(factories.kansli(plan.forbund).user)
    url = reverse("plan_import", args=[plan.forbund.slug, plan.pk])
    return client, url, client.post(url, {"fil": SimpleUploadedFile("mall.xlsx", out.getvalue())})


def _confirm(client, url, page):
    html = page.content.decode()
    token = html.split('name="token" value="')[1].split('"')[0]
    fingerprint = html.split('name="fingerprint" value="')[1].split('"')[0]
    assert client.post(url, {"token": token, "fingerprint": fingerprint}).status_code == 302


def _book(plan):
    return openpyxl.load_workbook(io.BytesIO(template_workbook(plan)))


def test_the_template_lists_the_plans_own_rows_and_the_import_adds_changes_and_removes_them():
    plan = _plan()
    wb = _book(plan)
    ws = wb["Egna rader"]
    assert [[c.value for c in row] for row in ws.iter_rows(max_col=3)] == [
        ["Budget", "Post", "Uppgift"],
        ["Balansbudget", "Ansvarsförbindelser", "Inga"],
        ["Balansbudget", "Ställda panter", "0"],
    ]
    ws["C2"] = "Borgen 50 000 kr"
    ws["A3"], ws["B3"], ws["C3"] = "Resultatbudget", "Varav jämförelsestörande poster", "Inga"
    client, url, page = _upload(plan, wb)
    assert page.status_code == 200, [str(p) for p in page.context["preview"].problems]
    html = page.content.decode()
    assert "Egna rader i resultat- och balansbudgeten" in html
    for text in ("Borgen 50 000 kr", "Varav jämförelsestörande poster", "– (ny rad)"):
        assert text in html
    assert "Ställda panter" in html and "– (tas bort)" in html
    _confirm(client, url, page)
    assert _own_rows(plan) == [
        ("balans", "Ansvarsförbindelser", "Borgen 50 000 kr"),
        ("resultat", "Varav jämförelsestörande poster", "Inga"),
    ]
    # Recorded as when typed on the Egna rader page: each row's own event.
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"statementnote.create", "statementnote.update", "statementnote.delete"} <= actions


def test_a_file_without_the_own_rows_sheet_leaves_the_rows_and_says_so():
    plan = _plan()
    wb = _book(plan)
    del wb["Egna rader"]
    wb["Budget"]["H5"] = 2_100_000  # the medlemsbidrag 2027: a change to read in
    client, url, page = _upload(plan, wb)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Filen har inget blad Egna rader (en äldre fil)" in html
    assert "planens 2 egna rader" in html
    _confirm(client, url, page)
    assert len(_own_rows(plan)) == 2


def test_the_template_and_import_carry_a_footnote_on_the_targets():
    plan = _plan()
    wb = _book(plan)
    years = wb["År"]
    row = next(
        r
        for r in range(1, years.max_row + 1)
        if years.cell(row=r, column=1).value == "Fotnot till målen för eget kapital"
    )
    years.cell(row=row, column=2, value="Enligt Nationella rådets rekommendation")
    client, url, page = _upload(plan, wb)
    assert page.status_code == 200, [str(p) for p in page.context["preview"].problems]
    _confirm(client, url, page)
    first = plan.year_rows.get(year=2027, column="budget")
    assert first.target_note == "Enligt Nationella rådets rekommendation"


CASES = {
    "okänd budget": (("Kassaflöde", "Ansvarsförbindelser", "Inga"), "rad 2, kolumn A", "Skriv"),
    "post saknas": (("Balansbudget", None, "Inga"), "rad 2, kolumn B", "Posten saknas"),
    "uppgift saknas": (("Balansbudget", "Panter", None), "rad 2, kolumn C", "Uppgiften saknas"),
    "för lång post": (("Balansbudget", "x" * 121, "Inga"), "kolumn B", "högst 120 tecken"),
    "formel som uppgift": (("Balansbudget", "Panter", "=1+1"), "rad 2, kolumn C", ""),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_wrong_own_row_is_one_placed_sentence_and_changes_nothing(case):
    plan = _plan()
    wb = _book(plan)
    ws = wb["Egna rader"]
    values, place, message = CASES[case]
    for col, value in enumerate(values, start=1):
        ws.cell(row=2, column=col).value = value
    client, url, page = _upload(plan, wb)
    assert page.status_code == 400
    problems = [str(p) for p in page.context["preview"].problems]
    assert len(problems) == 1 and place in problems[0] and message in problems[0], problems
    assert "token" not in page.context
    assert len(_own_rows(plan)) == 2


def test_the_same_post_twice_in_one_statement_is_refused_with_its_row():
    plan = _plan()
    wb = _book(plan)
    ws = wb["Egna rader"]
    ws["B3"] = "Ansvarsförbindelser"
    client, url, page = _upload(plan, wb)
    assert page.status_code == 400
    problems = [str(p) for p in page.context["preview"].problems]
    assert problems == [
        "Egna rader, rad 3, kolumn B: Raden ”Ansvarsförbindelser” finns redan på rad 2 i samma "
        "budget."
    ]


def test_plan_summary_lists_the_plans_own_rows_in_json_and_text():
    plan = _plan()
    figures = plan_figures(plan)
    assert summary(figures)["statement_notes"] == [
        {"statement": "balans", "label": "Ansvarsförbindelser", "text": "Inga", "order": 10},
        {"statement": "balans", "label": "Ställda panter", "text": "0", "order": 20},
    ]
    statement_note_save(
        note=StatementNote(
            plan=plan, statement="resultat", label="Jämförelsestörande", text="Inga"
        ),
        acting_user=None,
    )
    text = text_summary(plan_figures(plan)).splitlines()
    row = next(x for x in text if x.strip().startswith("Jämförelsestörande"))
    assert row.split()[1:] == ["Inga"] * len(plan_figures(plan).columns)
    assert text.index(row) > next(i for i, x in enumerate(text) if x == "Resultatbudget")


def test_import_plan_lists_the_own_rows_it_changes_and_says_when_a_file_has_none(tmp_path, capsys):
    plan = _plan()
    wb = _book(plan)
    wb["Egna rader"]["C2"] = "Borgen"
    path = tmp_path / "mall.xlsx"
    wb.save(path)
    args = (str(path), "--forbund", plan.forbund.slug, "--year", "2027", "--dry-run")
    call_command("import_plan", *args)
    assert "~ Balansbudget, egen rad Ansvarsförbindelser: Inga → Borgen" in capsys.readouterr().out
    del wb["Egna rader"]
    wb.save(path)
    call_command("import_plan", *args)
    out = capsys.readouterr().out
    assert "Filen har inget blad Egna rader: planens 2 egna rader" in out
    assert _own_rows(plan)[0] == ("balans", "Ansvarsförbindelser", "Inga")
