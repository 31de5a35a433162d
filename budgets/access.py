"""Looking up budget objects for the user, always through their plan or förbund."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from budgets.models import BudgetCategory, BudgetGroup, BudgetLine
from finsam.tenancy import Access, get_forbund_for_user
from plans.access import get_plan_for_user
from plans.models import Plan


def get_line_for_user(
    request: HttpRequest, slug: str, plan_pk: int, pk: int, need: str = "edit"
) -> tuple[Access, Plan, BudgetLine]:
    access, plan = get_plan_for_user(request, slug, plan_pk, need=need)
    try:
        line = BudgetLine.objects.select_related("category__group").get(plan=plan, pk=pk)
    except BudgetLine.DoesNotExist as exc:
        raise Http404("Budgetraden finns inte.") from exc
    line.plan = plan
    return access, plan, line


def get_group_for_user(request: HttpRequest, slug: str, pk: int, need: str = "edit"):
    access = get_forbund_for_user(request, slug, need=need)
    try:
        return access, BudgetGroup.objects.for_forbund(access.forbund).get(pk=pk)
    except BudgetGroup.DoesNotExist as exc:
        raise Http404("Gruppen finns inte.") from exc


def get_category_for_user(request: HttpRequest, slug: str, pk: int, need: str = "edit"):
    access = get_forbund_for_user(request, slug, need=need)
    try:
        category = BudgetCategory.objects.select_related("group").get(
            group__forbund=access.forbund, pk=pk
        )
    except BudgetCategory.DoesNotExist as exc:
        raise Http404("Kategorin finns inte.") from exc
    return access, category
