"""Pages of the goals: the plan's own mål, an insats's mål, their indikatorer and outcomes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from finsam.actions import run_and_return
from finsam.nav import nav
from finsam.saving import save_form
from finsam.tenancy import get_plan_for_user
from insatser import rules, services, services_mal
from insatser.access import get_insats_for_user, get_mal_for_user
from insatser.forms import Agenda2030Form
from insatser.forms_mal import IndikatorFormSet, MalForm, UtfallForm
from insatser.models_mal import Indikator, Mal

if TYPE_CHECKING:
    from plans.models import Plan


def _mal_queryset():
    return Mal.objects.prefetch_related(
        Prefetch("indikatorer", queryset=Indikator.objects.prefetch_related("utfall"))
    )


def _back(plan: Plan, insats) -> tuple[str, dict]:
    """Where a mål's pages lead back to: its insats, or the plan's goals."""
    kwargs = {"slug": plan.forbund.slug, "pk": plan.pk}
    if insats is not None:
        return "insats_detail", {**kwargs, "insats_pk": insats.pk}
    return "plan_mal", kwargs


@login_required
@nav("mal")
def plan_mal(request, slug: str, pk: int):
    """The plan's verksamhetsmål and mål för god ekonomisk hushållning, and its Agenda 2030 goals."""
    access, plan = get_plan_for_user(request, slug, pk)
    mal = list(_mal_queryset().for_plan(plan).plan_level())
    tags = list(plan.agenda2030_tags.filter(insats__isnull=True))
    levels = [
        (label, [m for m in mal if m.level == level])
        for level, label in rules.MAL_LEVEL_CHOICES
        if level in rules.PLAN_LEVELS
    ]
    editable = access.is_kansli and plan.is_editable
    return render(
        request,
        "insatser/plan_mal.html",
        {
            "access": access,
            "forbund": access.forbund,
            "plan": plan,
            "levels": levels,
            "tags": tags,
            "agenda_form": Agenda2030Form(initial={"goals": [t.goal for t in tags]})
            if editable
            else None,
            "can_edit": editable,
            "can_follow_up": access.is_kansli,
        },
    )


@require_POST
@login_required
def plan_agenda2030(request, slug: str, pk: int):
    access, plan = get_plan_for_user(request, slug, pk, need="edit")
    form = Agenda2030Form(request.POST)
    if form.is_valid():
        services.plan_agenda2030_set(
            plan=plan, acting_user=request.user, goals=form.cleaned_data["goals"]
        )
        messages.success(request, "Planens Agenda 2030-mål är sparade.")
    else:
        messages.error(request, "Välj bland Agenda 2030-målen 1–17.")
    return redirect("plan_mal", slug=slug, pk=pk)


def _mal_form_page(request, access, plan: Plan, *, mal: Mal | None, insats=None):
    if mal is not None:
        insats = mal.insats
    back_name, back_kwargs = _back(plan, insats)
    if mal is not None and mal.standard:
        messages.info(request, "Standardmålet om jämn könsfördelning slås på och av på insatsen.")
        return redirect(back_name, **back_kwargs)
    instance = mal or Mal(plan=plan, insats=insats)
    data = request.POST if request.method == "POST" else None
    form = MalForm(data, instance=instance, plan=plan, insats=insats)
    formset = IndikatorFormSet(data, instance=instance, prefix="ind")
    status = 200
    if request.method == "POST":
        form_ok = form.is_valid()
        formset_ok = formset.is_valid()
        if form_ok and formset_ok:
            back = reverse(back_name, kwargs=back_kwargs)
            response = save_form(
                request,
                form,
                lambda: services_mal.mal_save(
                    mal=form.instance,
                    acting_user=request.user,
                    indikatorer=formset.indikatorer(),
                    removed=[f.instance for f in formset.deleted_forms],
                    data=form.changes(),
                ),
                done=lambda _: "Målet är sparat.",
                to=lambda _: back,
                already_to=back,
            )
            if response:
                return response
        status = 400
    return render(
        request,
        "insatser/mal_form.html",
        {
            "access": access,
            "forbund": access.forbund,
            "plan": plan,
            "insats": insats,
            "mal": mal,
            "form": form,
            "formset": formset,
            "back_url": reverse(back_name, kwargs=back_kwargs),
        },
        status=status,
    )


@login_required
@nav("mal")
def mal_create(request, slug: str, pk: int):
    access, plan = get_plan_for_user(request, slug, pk, need="edit")
    return _mal_form_page(request, access, plan, mal=None)


@login_required
@nav("insatser")
def insats_mal_create(request, slug: str, pk: int, insats_pk: int):
    access, plan, insats = get_insats_for_user(request, slug, pk, insats_pk, need="edit")
    return _mal_form_page(request, access, plan, mal=None, insats=insats)


@login_required
@nav("mal")
def mal_edit(request, slug: str, pk: int, mal_pk: int):
    access, plan, mal = get_mal_for_user(request, slug, pk, mal_pk)
    return _mal_form_page(request, access, plan, mal=mal)


@require_POST
@login_required
def mal_delete(request, slug: str, pk: int, mal_pk: int):
    _, plan, mal = get_mal_for_user(request, slug, pk, mal_pk)
    back_name, back_kwargs = _back(plan, mal.insats)
    return run_and_return(
        request,
        lambda: services_mal.mal_delete(mal=mal, acting_user=request.user),
        done="Målet är borttaget.",
        to=reverse(back_name, kwargs=back_kwargs),
    )


@login_required
@nav("mal")
def mal_utfall(request, slug: str, pk: int, mal_pk: int):
    """Outcomes per year of a mål's indikatorer: follow-up, also of an adopted plan."""
    # Follow-up goes on after adoption: the kansli records outcomes in any plan.
    access, plan, mal = get_mal_for_user(request, slug, pk, mal_pk, need="manage")
    mal = _mal_queryset().select_related("insats").get(pk=mal.pk)
    mal.plan = plan
    back_name, back_kwargs = _back(plan, mal.insats)
    form = UtfallForm(request.POST or None, mal=mal, years=plan.years)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                changed = services_mal.utfall_set(
                    mal=mal, acting_user=request.user, outcomes=form.outcomes()
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"Sparade {changed} ändrade utfall.")
                return redirect(back_name, **back_kwargs)
        status = 400
    return render(
        request,
        "insatser/utfall_form.html",
        {
            "access": access,
            "forbund": access.forbund,
            "plan": plan,
            "mal": mal,
            "form": form,
            "years": plan.years,
            "back_url": reverse(back_name, kwargs=back_kwargs),
        },
        status=status,
    )
