"""Granska en plan: every stated figure that disagrees with the figures computed from the rows,
with its likely cause; the Sundsvall case (613 stated, 577 from its rows) and plans built here."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import Client
from django.urls import reverse

from budgets import services
from finsam.models import AuditEvent
from plans.demo import load_demo
from plans.excel.audit import audit_workbook
from plans.excel.importer import prepare_import
from plans.excel.reader import STATED_SHEET, read_upload
from plans.excel.template import template_workbook
from plans.models import Plan
from tests import factories

pytestmark = pytest.mark.django_db
SAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "excel-exempel-sundsvall.xlsx"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        yield
        transaction.set_rollback(True)


def test_the_sample_is_sundsvalls_plan_and_its_613_is_the_one_figure_that_disagrees(demo):
    plan = Plan.objects.get(forbund__slug="sundsvall")
    parsed = read_upload(SAMPLE.name, SAMPLE.read_bytes())
    # The sample is the import template of the demo plan: it imports without a change.
    preview = prepare_import(plan, parsed)
    assert preview.problems == [] and not preview.has_changes
    report = audit_workbook(parsed, forbund=plan.forbund)
    assert report.problems == [] and report.unchecked == []
    assert report.checked == 44
    [row] = report.disagreements
    assert (row.figure, row.column, row.stated, row.computed, row.difference) == (
        "Summa eget kapital",
        "Plan 2024",
        Decimal(613_000),
        Decimal(577_000),
        Decimal(36_000),
    )
    assert "går inte ihop" in row.cause


def _plan_with_stated(stated: list[tuple[str, str, int]], *, note: str = ""):
    forbund = factories.complete_forbund(kommuner=1)
    plan = factories.plan(forbund, budget_year=2027)
    kansli = forbund.budget_groups.get(name="Förvaltning").categories.get(name="Kansli")
    for name, amount in (("Lön", 600_000), ("Lokal", 120_000), ("Resor", 36_000)):
        services.budget_line_create(
            plan=plan,
            acting_user=None,
            category=kansli,
            name=name,
            note=note if name == "Resor" else "",
            amounts={(y, "budget"): Decimal(amount) for y in plan.years},
        )
    services.budget_figures_set(
        plan=plan,
        acting_user=None,
        medlemsbidrag={(y, "budget"): Decimal(800_000) for y in plan.years},
    )
    wb = openpyxl.load_workbook(io.BytesIO(template_workbook(plan)))
    ws = wb[STATED_SHEET]
    ws.append(["Ingående eget kapital", "Budget 2027", 100_000])
    for row in stated:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return plan, out.getvalue()


def _report(plan, data):
    return audit_workbook(read_upload("plan.xlsx", data), forbund=plan.forbund)


def test_a_total_that_leaves_out_one_line_names_the_line():
    plan, data = _plan_with_stated([("Summa förvaltning", "Plan 2028", 636_000)])
    [row] = _report(plan, data).disagreements
    assert row.difference == -120_000
    assert "raden ”Lokal” (120 000 kr) inte räknas med" in row.cause.replace("\xa0", " ")


def test_a_total_that_moves_an_amount_a_footnote_mentions_points_at_the_footnote():
    plan, data = _plan_with_stated(
        [("Summa kostnader", "Budget 2027", 792_000)],
        note="Varav 36 tkr flyttas till 2028.",
    )
    [row] = _report(plan, data).disagreements
    assert row.difference == 36_000
    assert "fotnoten till ”Resor”" in row.cause


def test_a_result_rolled_from_a_stated_ib_instead_of_last_years_ub_is_told():
    # 2027: 100 000 + 800 000 − 756 000 = 144 000; 2028 opens at 144 000, but the plan states
    # 200 000 and closes at 200 000 + 44 000.
    plan, data = _plan_with_stated(
        [
            ("Ingående eget kapital", "Plan 2028", 200_000),
            ("Utgående eget kapital", "Plan 2028", 244_000),
        ]
    )
    rows = {(r.figure, r.column): r for r in _report(plan, data).disagreements}
    assert rows[("Ingående eget kapital", "Plan 2028")].computed == 144_000
    ub = rows[("Utgående eget kapital", "Plan 2028")]
    assert ub.computed == 188_000
    assert "från det angivna ingående egna kapitalet (200 000 kr)" in ub.cause.replace("\xa0", " ")


def test_a_reversed_sign_and_an_unknown_figure_are_said():
    plan, data = _plan_with_stated(
        [("Årets resultat", "Budget 2027", -44_000), ("Något annat", "Budget 2027", 5)]
    )
    report = _report(plan, data)
    [row] = report.disagreements
    assert "Tecknet är omvänt" in row.cause
    assert ["Något annat" in str(p) for p in report.unchecked] == [True]
    assert report.agreed == 1  # the opening eget kapital, which the audit starts from


def test_a_revisor_audits_on_a_page_and_downloads_the_report_and_nothing_is_stored():
    plan, data = _plan_with_stated([("Summa förvaltning", "Plan 2028", 636_000)])
    client = Client()
    client.force_login(factories.revisor(plan.forbund).user)
    url = reverse("forbund_audit", args=[plan.forbund.slug])
    events, lines = AuditEvent.objects.count(), plan.budget_lines.count()
    response = client.post(url, {"fil": SimpleUploadedFile("plan.xlsx", data)})
    assert response.status_code == 200
    html = response.content.decode().replace("\xa0", " ")
    assert "1 avviker" in html and "Summa förvaltning" in html and "636 000" in html
    token = html.split("?rapport=")[1].split("&")[0]
    pdf = client.get(url, {"rapport": token, "format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xlsx = client.get(url, {"rapport": token, "format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in sheet[5]][:5] == [
        "Summa förvaltning",
        "Plan 2028",
        636_000,
        756_000,
        -120_000,
    ]
    assert (AuditEvent.objects.count(), plan.budget_lines.count()) == (events, lines)
    other = Client()
    other.force_login(factories.revisor(factories.complete_forbund()).user)
    assert other.get(url, {"rapport": token, "format": "xlsx"}).status_code == 404


def test_the_commands_audit_export_and_dry_run_an_import(tmp_path, capsys):
    plan, data = _plan_with_stated([("Summa förvaltning", "Plan 2028", 636_000)])
    path = tmp_path / "plan.xlsx"
    path.write_bytes(data)
    with pytest.raises(CommandError, match="1 avvikelser"):
        call_command("audit_plan", str(path), "--format", "json")
    report = json.loads(capsys.readouterr().out)
    assert report["avvikelser"][0]["skillnad"] == "-120000"
    out = tmp_path / "export.xlsx"
    call_command("export_plan", "--forbund", plan.forbund.slug, "--year", "2027", "--out", str(out))
    assert openpyxl.load_workbook(out).sheetnames[1] == "Budget"
    wb = openpyxl.load_workbook(out)
    ws = wb["Budget"]
    ws.append(["Okänd", "X", "Rad"])
    wb.save(out)
    with pytest.raises(CommandError, match="1 fel i filen"):
        call_command(
            "import_plan", str(out), "--forbund", plan.forbund.slug, "--year", "2027", "--dry-run"
        )
    assert "Okänd grupp" in capsys.readouterr().err
