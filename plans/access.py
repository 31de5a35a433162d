"""Looking up a plan for the user: another förbund's plan answers 404, a wrong role 403."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import redirect

from budgets.services import PlanLocked, ensure_editable
from finsam.tenancy import Access, get_forbund_for_user
from plans.models import Plan


def get_plan_for_user(
    request: HttpRequest, slug: str, pk: int, need: str = "view"
) -> tuple[Access, Plan]:
    access = get_forbund_for_user(request, slug, need="view")
    try:
        plan = Plan.objects.for_forbund(access.forbund).select_related("forbund").get(pk=pk)
    except Plan.DoesNotExist as exc:
        raise Http404("Planen finns inte.") from exc
    plan.forbund = access.forbund  # the same object, so its fields are read once
    if not access.can(need):
        raise PermissionDenied("Din roll i förbundet ger inte behörighet till detta.")
    return access, plan


def locked_response(request: HttpRequest, plan: Plan, error, to: str = "plan_detail"):
    """The answer to a change a plan refused: its reason as a message, back to a plan page."""
    messages.error(request, error.messages[0])
    return redirect(to, slug=plan.forbund.slug, pk=plan.pk)


def refuse_unless_draft(request: HttpRequest, plan: Plan, to: str = "plan_detail"):
    """None for a draft; for any other plan the answer that nothing was saved, and why."""
    try:
        ensure_editable(plan)
    except PlanLocked as error:
        return locked_response(request, plan, error, to)
    return None
