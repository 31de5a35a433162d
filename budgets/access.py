"""Looking up budget objects for the user, always through their plan or förbund."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from budgets.models import BudgetCategory, BudgetGroup, BudgetLine
from finsam.tenancy import Access, get_forbund_for_user, get_plan_for_user

if TYPE_CHECKING:
    from plans.models import Plan


def get_line_for_user(
    request: HttpRequest, slug: str, plan_pk: int, pk: int, need: str = "edit"
) -> tuple[Access, Plan, BudgetLine]:
    access, plan = get_plan_for_user(request, slug, plan_pk, need=need)
    line = get_object_or_404(BudgetLine.objects.select_related("category__group"), plan=plan, pk=pk)
    line.plan = plan
    return access, plan, line


def get_group_for_user(
    request: HttpRequest, slug: str, pk: int, need: str = "edit"
) -> tuple[Access, BudgetGroup]:
    access = get_forbund_for_user(request, slug, need=need)
    return access, get_object_or_404(BudgetGroup.objects.for_forbund(access.forbund), pk=pk)


def get_category_for_user(
    request: HttpRequest, slug: str, pk: int, need: str = "edit"
) -> tuple[Access, BudgetCategory]:
    access = get_forbund_for_user(request, slug, need=need)
    category = get_object_or_404(
        BudgetCategory.objects.select_related("group"), group__forbund=access.forbund, pk=pk
    )
    return access, category
