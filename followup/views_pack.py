"""The medlemssamråd pack of a plan: the page, its PDF and its workbook (followup.pack)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.template.loader import render_to_string

from budgets.forms import OfferForm
from finsam import ratelimit
from finsam.members import AF
from finsam.nav import nav
from finsam.tenancy import get_plan_for_user
from followup.excel_pack import pack_workbook
from followup.pack import Pack, build_pack
from plans.views_excel import pdf_response, xlsx_response


def _pack(request, slug: str, pk: int):
    """The plan for the user (another förbund's: 404) and its pack, with the binding member
    when the query string carries a valid set of offers (the offers page's form, sent by GET so
    that the downloads carry the same offers)."""
    access, plan = get_plan_for_user(request, slug, pk)
    members = [m for m in plan.forbund.medlemmar.all() if m.kind != AF]
    form = OfferForm(
        request.GET if "year" in request.GET else None,
        members=members,
        years=plan.years,
        unit=plan.forbund.amount_unit,
    )
    if form.is_bound and form.is_valid():
        pack = build_pack(plan, form.offers(), form.cleaned_data["year"])
    else:
        pack = build_pack(plan)
    return access, plan, form, pack


def _filename(pack: Pack, suffix: str) -> str:
    plan = pack.plan
    return f"medlemssamrad-{plan.forbund.slug}-{plan.budget_year}-version-{plan.version}.{suffix}"


def _query(request) -> str:
    return request.GET.urlencode()


@login_required
@nav("erbjudanden")
def pack_page(request, slug: str, pk: int):
    """The pack as a page, with its downloads."""
    access, plan, form, pack = _pack(request, slug, pk)
    return render(
        request,
        "followup/pack.html",
        {
            "access": access,
            "forbund": access.forbund,
            "plan": plan,
            "pack": pack,
            "form": form,
            "query": _query(request),
        },
    )


@login_required
def pack_pdf(request, slug: str, pk: int):
    """The pack as a PDF (rendered in the request: a few pages of tables)."""
    access, plan, _, pack = _pack(request, slug, pk)
    if (answer := ratelimit.refused(request, "pdf")) is not None:
        return answer
    html = render_to_string("followup/pack_pdf.html", {"forbund": access.forbund, "pack": pack})
    return pdf_response(html, _filename(pack, "pdf"))


@login_required
def pack_excel(request, slug: str, pk: int):
    """The pack as a workbook: all members on one sheet and a sheet per member."""
    _, _, _, pack = _pack(request, slug, pk)
    if (answer := ratelimit.refused(request, "excel")) is not None:
        return answer
    return xlsx_response(pack_workbook(pack), _filename(pack, "xlsx"))
