"""Looking up insatser, målgrupper and mål for the user, always through their plan.

Another förbund's plan (and so anything in it) answers 404; a role that may not act answers 403;
"edit" of anything in a plan that is not a draft is refused by the plan lookup.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from finsam.tenancy import Access, get_plan_for_user
from insatser.models import Insats, Malgrupp
from insatser.models_mal import Mal

if TYPE_CHECKING:
    from plans.models import Plan


def get_insats_for_user(
    request: HttpRequest, slug: str, plan_pk: int, pk: int, need: str = "view"
) -> tuple[Access, Plan, Insats]:
    access, plan = get_plan_for_user(request, slug, plan_pk, need=need)
    insats = get_object_or_404(Insats.objects.select_related("agare"), plan=plan, pk=pk)
    insats.plan = plan
    return access, plan, insats


def get_malgrupp_for_user(
    request: HttpRequest, slug: str, plan_pk: int, pk: int, need: str = "edit"
) -> tuple[Access, Plan, Malgrupp]:
    access, plan = get_plan_for_user(request, slug, plan_pk, need=need)
    malgrupp = get_object_or_404(Malgrupp, plan=plan, pk=pk)
    malgrupp.plan = plan
    return access, plan, malgrupp


def get_mal_for_user(
    request: HttpRequest, slug: str, plan_pk: int, pk: int, need: str = "edit"
) -> tuple[Access, Plan, Mal]:
    access, plan = get_plan_for_user(request, slug, plan_pk, need=need)
    mal = get_object_or_404(Mal.objects.select_related("insats"), plan=plan, pk=pk)
    mal.plan = plan
    if mal.insats is not None:
        mal.insats.plan = plan
    return access, plan, mal
