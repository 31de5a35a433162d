"""Looking up insatser, målgrupper and mål for the user, always through their plan.

Another förbund's plan (and so anything in it) answers 404; a role that may not act answers 403.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest

from finsam.tenancy import Access
from insatser.models import Insats, Mal, Malgrupp
from plans.access import get_plan_for_user
from plans.models import Plan


def get_insats_for_user(
    request: HttpRequest, slug: str, plan_pk: int, pk: int, need: str = "view"
) -> tuple[Access, Plan, Insats]:
    access, plan = get_plan_for_user(request, slug, plan_pk, need=need)
    try:
        insats = Insats.objects.select_related("agare").get(plan=plan, pk=pk)
    except Insats.DoesNotExist as exc:
        raise Http404("Insatsen finns inte.") from exc
    insats.plan = plan
    return access, plan, insats


def get_malgrupp_for_user(
    request: HttpRequest, slug: str, plan_pk: int, pk: int, need: str = "edit"
) -> tuple[Access, Plan, Malgrupp]:
    access, plan = get_plan_for_user(request, slug, plan_pk, need=need)
    try:
        malgrupp = Malgrupp.objects.get(plan=plan, pk=pk)
    except Malgrupp.DoesNotExist as exc:
        raise Http404("Målgruppen finns inte.") from exc
    malgrupp.plan = plan
    return access, plan, malgrupp


def get_mal_for_user(
    request: HttpRequest, slug: str, plan_pk: int, pk: int, need: str = "edit"
) -> tuple[Access, Plan, Mal]:
    access, plan = get_plan_for_user(request, slug, plan_pk, need=need)
    try:
        mal = Mal.objects.select_related("insats").get(plan=plan, pk=pk)
    except Mal.DoesNotExist as exc:
        raise Http404("Målet finns inte.") from exc
    mal.plan = plan
    if mal.insats is not None:
        mal.insats.plan = plan
    return access, plan, mal
