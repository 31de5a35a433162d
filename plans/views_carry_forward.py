"""The page that creates next year's plan from an existing one (plans.services.plan_create_from)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from budgets.selectors import plan_figures
from finsam.nav import nav
from finsam.tenancy import get_plan_for_user
from insatser.models import Insats
from plans.forms import PlanCreateFromForm
from plans.services import plan_create_from


@login_required
@nav("planer")
def plan_create_from_view(request, slug: str, pk: int):
    """What comes along and what stays behind, and the button that creates the plan."""
    access, previous = get_plan_for_user(request, slug, pk, need="manage")

    # A GET with a year previews that year; the POST creates the plan.
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = PlanCreateFromForm(data, previous=previous)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                plan = plan_create_from(
                    previous=previous,
                    acting_user=request.user,
                    budget_year=form.cleaned_data["budget_year"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"{plan.title} är skapad utifrån {previous.title}.")
                return redirect("plan_detail", slug=slug, pk=plan.pk)
        status = 400
    year = previous.budget_year + 1
    if form.is_bound and form.is_valid():
        year = form.cleaned_data["budget_year"]
    insatser = list(Insats.objects.for_plan(previous).order_by("name"))
    running = {i.pk for i in Insats.objects.for_plan(previous).running_into(year)}
    left = [i for i in insatser if i.pk not in running]
    figures = plan_figures(previous)
    return render(
        request,
        "plans/plan_create_from.html",
        {
            "access": access,
            "forbund": access.forbund,
            "previous": previous,
            "form": form,
            "year": year,
            "carried": [i for i in insatser if i.pk in running],
            "left": left,
            "opening_equity": figures.result.year(year - 1).ub
            if year in previous.next_budget_years
            else None,
            "malgrupper": previous.malgrupper.count(),
            "lines": previous.budget_lines.exclude(insats__in=left).count(),
        },
        status=status,
    )
