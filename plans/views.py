"""Pages of the plans: the list, a new plan, a plan's overview and its settings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from budgets import services as budget_services
from budgets.selectors import plan_figures
from finsam.audit import snapshot
from finsam.tenancy import get_forbund_for_user
from plans.access import get_plan_for_user
from plans.forms import PlanForm
from plans.models import Plan


@login_required
def plan_list(request, slug: str):
    access = get_forbund_for_user(request, slug)
    plans = Plan.objects.for_forbund(access.forbund)
    return render(
        request,
        "plans/plan_list.html",
        {"access": access, "forbund": access.forbund, "plans": plans},
    )


@login_required
def plan_create(request, slug: str):
    access = get_forbund_for_user(request, slug, need="edit")
    forbund = access.forbund
    form = PlanForm(request.POST or None, forbund=forbund, unit=forbund.amount_unit, creating=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        plan = budget_services.plan_create(
            forbund=forbund,
            acting_user=request.user,
            budget_year=data["budget_year"],
            plan_years=data["plan_years"],
            show_comparison=data["show_comparison"],
            opening_equity=data["opening_equity"] or 0,
            under_use_percent=data["under_use_percent"],
        )
        messages.success(request, f"{plan.title} är skapad.")
        return redirect("budget_editor", slug=slug, pk=plan.pk)
    return render(
        request, "plans/plan_form.html", {"access": access, "forbund": forbund, "form": form}
    )


@login_required
def plan_detail(request, slug: str, pk: int):
    access, plan = get_plan_for_user(request, slug, pk)
    figures = plan_figures(plan)
    return render(
        request,
        "plans/plan_detail.html",
        {"access": access, "forbund": access.forbund, "plan": plan, "figures": figures},
    )


@login_required
def plan_edit(request, slug: str, pk: int):
    access, plan = get_plan_for_user(request, slug, pk, need="edit")
    if not plan.is_editable:
        messages.error(request, "Planen är inte ett utkast och kan inte ändras.")
        return redirect("plan_detail", slug=slug, pk=pk)
    before = snapshot(plan, budget_services.PLAN_FIELDS)
    form = PlanForm(
        request.POST or None,
        instance=plan,
        forbund=access.forbund,
        unit=access.forbund.amount_unit,
        creating=False,
    )
    if request.method == "POST" and form.is_valid():
        try:
            budget_services.plan_update(plan=form.instance, acting_user=request.user, before=before)
        except budget_services.PlanLocked as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, "Planens inställningar är sparade.")
        return redirect("plan_detail", slug=slug, pk=pk)
    return render(
        request,
        "plans/plan_form.html",
        {"access": access, "forbund": access.forbund, "form": form, "plan": plan},
    )
