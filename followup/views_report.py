"""The delårsrapporter of a followed year: the report's page (its text and its figures, live
while it is a draft, frozen once submitted). The kansli writes; the styrelse reviews and adopts;
a former board member reads the adopted ones; another förbund's report answers 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from finsam.nav import nav
from followup.access import get_year_for_user
from followup.models import Delarsrapport
from followup.reports import report_tables, shown_data


def get_report_for_user(request, slug: str, year: int, pk: int, need: str = "view"):
    """The förbund's report of the year with the user's access; one whose board role has ended
    reads only adopted reports (as only decided plans); another förbund's answers 404."""
    access, plan = get_year_for_user(request, slug, year, need=need)
    report = get_object_or_404(
        Delarsrapport.objects.select_related("plan", "prognos"),
        forbund=access.forbund,
        year=year,
        pk=pk,
    )
    if access.reads_decided_only and not report.is_adopted:
        raise Http404("Delårsrapporten är inte antagen.")
    report.forbund = access.forbund
    return access, plan, report


@login_required
@nav("uppfoljning")
def report_page(request, slug: str, year: int, pk: int):
    access, plan, report = get_report_for_user(request, slug, year, pk)
    data = shown_data(report)
    return render(
        request,
        "followup/delarsrapport.html",
        {
            "access": access,
            "forbund": access.forbund,
            "plan": plan,
            "year": year,
            "unit": data["unit"],
            "heading": report.title,
            "report": report,
            "data": data,
            "sections": list(report.sections.all()),
            **report_tables(data),
        },
    )
