"""Året är bokslutat: the kansli declares the year's utfall complete (followup.carry.year_close),
and the page shows the bokslut and where a later plan states another opening eget kapital."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from finsam.actions import run_and_return
from finsam.nav import nav
from followup import carry
from followup.access import get_year_for_user
from followup.models import ClosedYear


@login_required
@nav("uppfoljning")
def year_close_page(request, slug: str, year: int):
    """The year's bokslut: done (its UB and the findings on later plans), or the kansli's button."""
    access, plan = get_year_for_user(request, slug, year, need="view")
    closed = (
        ClosedYear.objects.filter(forbund=access.forbund, year=year)
        .select_related("closed_by")
        .first()
    )
    return render(
        request,
        "followup/close.html",
        {
            "access": access,
            "forbund": access.forbund,
            "plan": plan,
            "year": year,
            "unit": plan.amount_unit,
            "heading": f"Bokslut {year}",
            "closed": closed,
            "findings": carry.opening_findings(access.forbund, year) if closed else [],
        },
    )


@require_POST
@login_required
def year_close(request, slug: str, year: int):
    access, _plan = get_year_for_user(request, slug, year, need="manage")
    return run_and_return(
        request,
        lambda: carry.year_close(forbund=access.forbund, year=year, acting_user=request.user),
        done=f"{year} är bokslutat. Planer under arbete för {year + 1} har fått bokslutets "
        "utgående eget kapital som ingående.",
        to=reverse("year_close_page", args=[slug, year]),
    )
