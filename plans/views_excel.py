"""The plan in Excel: the workbook download, the import into a draft and the audit of stated
figures (plans/excel/)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse

from finsam.tenancy import get_plan_for_user
from plans.excel.export import export_plan

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def plan_filename(plan, suffix: str = "") -> str:
    return f"{plan.forbund.slug}-{plan.budget_year}-version-{plan.version}{suffix}.xlsx"


@login_required
def plan_excel(request, slug: str, pk: int):
    """The plan as a workbook with live formulas; an adopted plan's shows what was adopted."""
    access, plan = get_plan_for_user(request, slug, pk)
    return xlsx_response(export_plan(plan).save(), plan_filename(plan))
