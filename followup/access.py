"""Looking up the year's follow-up for the user: through their förbund, with their role.

Utfall, the konto map and prognoses are the kansli's to write ("manage") and the styrelse's and
revisorer's to read ("view"); another förbund's year answers 404, like a year with no adopted
plan.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from finsam.tenancy import Access, get_forbund_for_user
from followup.models import Prognos
from followup.selectors import followed_plan
from plans.models import Plan


def get_year_for_user(
    request: HttpRequest, slug: str, year: int, need: str = "view"
) -> tuple[Access, Plan]:
    """The förbund's adopted plan for the year (the latest adopted version) with the user's
    access: 404 when the förbund has none or is not the user's, 403 when the role does not meet
    the need."""
    access = get_forbund_for_user(request, slug, need=need)
    plan = followed_plan(access.forbund, year)
    if plan is None or not access.plans().filter(pk=plan.pk).exists():
        raise Http404("Förbundet har ingen antagen plan för året.")
    plan.forbund = access.forbund
    return access, plan


def get_prognos_for_user(
    request: HttpRequest, slug: str, year: int, pk: int, need: str = "view"
) -> tuple[Access, Plan, Prognos]:
    access, plan = get_year_for_user(request, slug, year, need=need)
    prognos = get_object_or_404(Prognos, forbund=access.forbund, year=year, pk=pk)
    prognos.forbund = access.forbund
    return access, plan, prognos
