"""Rows of the förbund's own in its statements ("Ansvarsförbindelser: Inga"): shown on
Rapporter and in the PDF after the computed rows, counted in no sum, kept by a carried plan."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from budgets.models import StatementNote
from budgets.selectors import plan_figures
from budgets.services import budget_years_update
from budgets.services_statement import statement_note_save
from finsam.models import AuditEvent
from plans import services as plan_services
from plans import workflow
from plans.models import PlanLocked
from plans.pdf import render_plan_pdf
from tests import factories
from tests.helpers import form_values, url

pytestmark = pytest.mark.django_db


def _with_balance(plan):
    budget_years_update(
        plan=plan,
        acting_user=None,
        rows={
            row.pk: {"balance_item": "kortfristiga_skulder", "omsattningstillgangar": 900_000}
            for row in plan.year_rows.filter(column="budget")
        },
    )
    return plan


def _note(plan, statement: str, label: str, text: str) -> StatementNote:
    return statement_note_save(
        note=StatementNote(plan=plan, statement=statement, label=label, text=text),
        acting_user=None,
    )


def _sums(plan) -> list:
    return [
        (c.result.resultatbudget, c.result.balansbudget, c.result.ub)
        for c in plan_figures(plan).columns
    ]


def test_own_rows_stand_after_the_computed_rows_and_count_in_no_sum(clean_plan, kansli_a):
    plan = _with_balance(clean_plan)
    before = _sums(plan)
    _note(plan, "balans", "Ansvarsförbindelser", "Inga")
    _note(plan, "balans", "Ställda panter", "0")
    _note(plan, "resultat", "Jämförelsestörande poster", "Inga")
    assert _sums(plan) == before

    page = kansli_a.get(url("budget_statements", plan)).content.decode()
    total = page.index("Summa eget kapital, avsättningar och skulder")
    assert total < page.index("Ansvarsförbindelser") < page.index("Ställda panter")
    assert page.index("Årets resultat") < page.index("Jämförelsestörande poster") < total

    reader = PdfReader(io.BytesIO(render_plan_pdf(plan, draft=True).content))
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert "Ansvarsförbindelser Inga Inga Inga" in text
    assert "Ställda panter 0 0 0" in text
    assert "Jämförelsestörande poster Inga Inga Inga" in text


def test_the_kansli_adds_and_removes_a_row_and_each_is_recorded(clean_plan, kansli_a):
    plan = clean_plan
    page = url("statement_notes", plan)
    values = form_values(kansli_a.get(page).content.decode())
    events = AuditEvent.objects.count()

    empty = kansli_a.post(page, {**values, "statement": "balans", "label": "", "text": ""})
    assert empty.status_code == 400
    assert "Detta fält måste fyllas i." in empty.content.decode()
    assert not plan.statement_notes.exists() and AuditEvent.objects.count() == events

    added = kansli_a.post(
        page, {**values, "statement": "balans", "label": "Ansvarsförbindelser", "text": "Inga"}
    )
    assert added.status_code == 302
    note = plan.statement_notes.get()
    assert (note.statement, note.label, note.text) == ("balans", "Ansvarsförbindelser", "Inga")
    assert AuditEvent.objects.count() == events + 1

    again = kansli_a.post(
        page, {**values, "statement": "balans", "label": "Ansvarsförbindelser", "text": "0"}
    )
    assert "Budgeten har redan en rad med det namnet." in again.content.decode()
    assert plan.statement_notes.count() == 1

    kansli_a.post(url("statement_note_delete", plan, note.pk))
    assert not plan.statement_notes.exists()
    assert AuditEvent.objects.count() == events + 2


def test_rows_are_kept_by_a_carried_plan_and_frozen_once_submitted(clean_plan):
    plan = clean_plan
    _note(plan, "balans", "Ansvarsförbindelser", "Inga")

    carried = plan_services.plan_create_from(
        previous=plan, acting_user=None, budget_year=plan.budget_year + 1
    )
    assert [(n.statement, n.label, n.text) for n in carried.statement_notes.all()] == [
        ("balans", "Ansvarsförbindelser", "Inga")
    ]

    submitted = workflow.plan_submit(plan=plan, acting_user=factories.kansli(plan.forbund).user)
    with pytest.raises(PlanLocked):
        _note(submitted, "balans", "Ställda panter", "0")
    assert submitted.statement_notes.count() == 1
