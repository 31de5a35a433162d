"""export_plan --template writes the import template from the command line (issue [14])."""

from __future__ import annotations

from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command

from budgets import services
from plans.excel.importer import prepare_import
from plans.excel.reader import read_upload
from tests import factories

pytestmark = pytest.mark.django_db


def test_export_plan_template_writes_the_template_that_imports_into_its_plan_unchanged(
    tmp_path, capsys
):
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
    out = tmp_path / "mall.xlsx"
    call_command(
        "export_plan", "--forbund", forbund.slug, "--year", "2027", "--out", str(out), "--template"
    )
    assert "importmallen" in capsys.readouterr().out
    wb = openpyxl.load_workbook(out)
    assert "Anvisningar" in wb.sheetnames
    assert wb["Budget"]["C6"].value == "Lön" and wb["Budget"]["H6"].value == 600_000
    preview = prepare_import(plan, read_upload("mall.xlsx", out.read_bytes()))
    assert preview.problems == [] and not preview.has_changes
