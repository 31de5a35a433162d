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
from plans.models import Plan
from plans.services import plan_create_from
from plans.signals import carry_opening_asked


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
    opening_equity, opening_said = None, ""
    if year in previous.next_budget_years:
        # What plan_create_from will set: the follow-up's figure where it knows one (the
        # bokslut or the latest prognos of the year before), else the plan's roll-forward.
        answers = carry_opening_asked.send(sender=Plan, forbund=access.forbund, year=year - 1)
        known = [answer for _, answer in answers if answer is not None]
        if known:
            opening_equity, opening_said = known[0]
        else:
            opening_equity = plan_figures(previous).result.year(year - 1).ub
            opening_said = f"utgående {year - 1} i {previous.title}"
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
            "opening_equity": opening_equity,
            "opening_said": opening_said,
            "malgrupper": previous.malgrupper.count(),
            "lines": previous.budget_lines.exclude(insats__in=left).count(),
        },
        status=status,
    )
