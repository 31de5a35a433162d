"""The årsredovisning's tables of a followed year (followup.annual): the page, its PDF and its
workbook. Kansli, styrelse and revisor read them; another förbund's year answers 404. Until every
month has utfall the page says which are missing, and the downloads are not made."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.template.loader import render_to_string

from finsam import ratelimit
from finsam.nav import nav
from followup.access import get_year_for_user
from followup.annual import annual
from followup.excel_annual import annual_workbook
from plans.views_excel import pdf_response, xlsx_response


def _context(access, plan, result) -> dict:
    year = plan.budget_year
    return {
        "access": access,
        "forbund": access.forbund,
        "plan": plan,
        "year": year,
        "unit": plan.amount_unit,
        "heading": f"Årsredovisningens tabeller {year}",
        "annual": result,
    }


def _filename(plan, ext: str) -> str:
    return f"{plan.forbund.slug}-arsredovisning-{plan.budget_year}.{ext}"


def _incomplete(request, slug: str, year: int, result):
    messages.error(
        request,
        f"Årets utfall är inte komplett: utfall saknas för {', '.join(result.missing_labels)}. "
        "Tabellerna kan laddas ned när alla tolv månader har utfall.",
    )
    return redirect("annual_report", slug, year)


@login_required
@nav("uppfoljning")
def annual_page(request, slug: str, year: int):
    access, plan = get_year_for_user(request, slug, year, need="view")
    return render(request, "followup/annual.html", _context(access, plan, annual(plan)))


@login_required
def annual_pdf(request, slug: str, year: int):
    access, plan = get_year_for_user(request, slug, year, need="view")
    result = annual(plan)
    if not result.complete:
        return _incomplete(request, slug, year, result)
    if (answer := ratelimit.refused(request, "pdf")) is not None:
        return answer
    html = render_to_string("followup/annual_pdf.html", _context(access, plan, result))
    return pdf_response(html, _filename(plan, "pdf"))


@login_required
def annual_xlsx(request, slug: str, year: int):
    access, plan = get_year_for_user(request, slug, year, need="view")
    result = annual(plan)
    if not result.complete:
        return _incomplete(request, slug, year, result)
    if (answer := ratelimit.refused(request, "excel")) is not None:
        return answer
    title = f"Årsredovisningens tabeller {year} – {access.forbund.name}"
    return xlsx_response(annual_workbook(result, title=title).save(), _filename(plan, "xlsx"))
