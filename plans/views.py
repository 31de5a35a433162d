"""Pages of the plans: the start page, the list, a new plan, a plan's overview and settings."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from budgets.kept import Reader, after_autosave_per_reader, kept, warmer
from budgets.models import COMPARISON_KINDS
from budgets.selectors import plan_figures
from budgets.tables import KEY_FIGURE_ROWS, figure_rows
from finsam.models import Role
from finsam.nav import nav
from finsam.saving import save_form
from finsam.tenancy import get_forbund_for_user, get_plan_for_user, user_accesses
from plans import services, views_review
from plans.forms import PlanForm
from plans.models import PdfKind, Plan
from plans.selectors import start_page, waiting_for


@login_required
def start(request):
    """The user's förbund and roles, each with its current plan and what comes next."""
    today = timezone.localdate()
    accesses = user_accesses(request)
    # What waits on a person comes from the roles held today; a coming role reads the plans,
    # a former board member only the list of what they decided (the template says so).
    memberships = [m for a in accesses for m in a.current]
    page = start_page({a.forbund.pk for a in accesses if a.can("view")}, today=today)
    return render(
        request,
        "plans/start.html",
        {
            "current_plans": page.current_plans,
            "upcoming": page.upcoming,
            "waiting": waiting_for(request.user, memberships, today=today),
            "kansli_in": {m.forbund_id for m in memberships if m.role == Role.KANSLI},
            "revisor_in": {m.forbund_id for m in memberships if m.role == Role.REVISOR},
            "today": today,
        },
    )


@login_required
@nav("planer")
def plan_list(request, slug: str):
    access = get_forbund_for_user(request, slug, decided=True)
    plans = access.plans(Plan.objects.for_forbund(access.forbund))
    return render(
        request,
        "plans/plan_list.html",
        {"access": access, "forbund": access.forbund, "plans": plans},
    )


@login_required
@nav("planer")
def plan_create(request, slug: str):
    access = get_forbund_for_user(request, slug, need="edit")
    forbund = access.forbund
    # The start page links a year whose plan is due but not begun: ?budget_year=2028.
    asked = request.GET.get("budget_year", "")
    form = PlanForm(
        request.POST or None,
        forbund=forbund,
        unit=forbund.amount_unit,
        creating=True,
        initial={"budget_year": int(asked)}
        if asked.isascii() and asked.isdigit() and len(asked) == 4
        else {},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        response = save_form(
            request,
            form,
            lambda: services.plan_create(
                forbund=forbund,
                acting_user=request.user,
                budget_year=data["budget_year"],
                plan_years=data["plan_years"],
                comparison=[kind for kind in COMPARISON_KINDS if data[f"compare_{kind}"]],
                plan_year_heading=data["plan_year_heading"],
                opening_equity=data["opening_equity"] or 0,
                under_use_percent=data["under_use_percent"],
            ),
            done=lambda plan: f"{plan.title} är skapad.",
            to=lambda plan: reverse("budget_editor", args=[slug, plan.pk]),
            already_to=reverse("plan_list", args=[slug]),
        )
        if response:
            return response
    return render(
        request, "plans/plan_form.html", {"access": access, "forbund": forbund, "form": form}
    )


@login_required
@nav("oversikt")
def plan_detail(request, slug: str, pk: int):
    """The plan's overview and workflow: status, key figures, review, adoption, PDF."""
    access, plan = get_plan_for_user(request, slug, pk)
    return _plan_detail_page(request, access, plan)


def _plan_detail_page(request, access, plan, *, review_form=None, return_form=None, status=200):
    pdfs = list(plan.pdfs.all()[:5])
    return render(
        request,
        "plans/plan_detail.html",
        {
            "access": access,
            "forbund": access.forbund,
            "plan": plan,
            "shown": figures_shown(plan, kansli=access.is_kansli),
            **views_review.review_context(
                request, access, plan, review_form=review_form, return_form=return_form
            ),
            "versions": list(
                Plan.objects.for_forbund(access.forbund).filter(budget_year=plan.budget_year)
            ),
            "pdfs": pdfs,
            "adopted_pdf": next((p for p in pdfs if p.kind == PdfKind.ANTAGEN), None)
            or plan.pdfs.filter(kind=PdfKind.ANTAGEN).first(),
        },
        status=status,
    )


@dataclass(frozen=True)
class FiguresShown:
    """What the plan's page shows of its figures (those of `mark`), kept (budgets.kept):
    whether a check says fel, the key figures and Kontroller (whose links are kansli's)."""

    mark: str
    has_errors: bool
    key_figures: SafeString
    findings: SafeString


def _shown_part(kansli: bool) -> str:
    return f"plan-page-{int(kansli)}"


def figures_shown(plan, *, kansli: bool) -> FiguresShown:
    return kept(plan, _shown_part(kansli), lambda: render_shown(plan, plan_figures(plan), kansli))


def render_shown(plan, figures, kansli: bool) -> FiguresShown:
    context = {
        "plan": plan,
        "figures": figures,
        "access": Reader(kansli),
        "key_figure_rows": figure_rows(figures, KEY_FIGURE_ROWS),
    }
    return FiguresShown(
        mark=figures.mark,
        has_errors=figures.has_errors,
        key_figures=mark_safe(render_to_string("plans/plan_detail.html#key_figures", context)),
        findings=mark_safe(render_to_string("includes/findings.html", context)),
    )


@after_autosave_per_reader(_shown_part)
def _shown_after_save(plan, figures, before, context, *, kansli: bool) -> FiguresShown:
    return render_shown(plan, figures, kansli)  # written anew from the figures


@warmer
def _warm_shown(plan) -> FiguresShown:
    return figures_shown(plan, kansli=True)


@login_required
@nav("oversikt")
def plan_edit(request, slug: str, pk: int):
    access, plan = get_plan_for_user(request, slug, pk, need="edit")
    form = PlanForm(
        request.POST or None,
        instance=plan,
        forbund=access.forbund,
        unit=access.forbund.amount_unit,
        creating=False,
    )
    if request.method == "POST" and form.is_valid():
        detail = reverse("plan_detail", args=[slug, pk])
        response = save_form(
            request,
            form,
            lambda: services.plan_update(plan=plan, acting_user=request.user, data=form.changes()),
            done=lambda _: "Planens inställningar är sparade.",
            to=lambda _: detail,
            already_to=detail,
        )
        if response:
            return response
    return render(
        request,
        "plans/plan_form.html",
        {"access": access, "forbund": access.forbund, "form": form, "plan": plan},
    )


# --- Workflow (plans.views_review: the same pages for every reviewed document) --------------

PLAN_PAGES = views_review.Pages(
    lookup=lambda request, need, slug, pk: get_plan_for_user(request, slug, pk, need=need),
    detail="plan_detail",
    comments_page=lambda plan: reverse("plan_document", args=[plan.forbund.slug, plan.pk]),
    empty_sections=lambda plan: [s.title for s in plan.sections.all() if s.is_empty],
)


@require_POST
@login_required
def plan_submit(request, slug: str, pk: int):
    return views_review.submit(PLAN_PAGES, request, slug=slug, pk=pk)


@require_POST
@login_required
def plan_return(request, slug: str, pk: int):
    return views_review.send_back(PLAN_PAGES, request, _plan_detail_page, slug=slug, pk=pk)


@require_POST
@login_required
@nav("oversikt")
def plan_review(request, slug: str, pk: int):
    return views_review.review(PLAN_PAGES, request, _plan_detail_page, slug=slug, pk=pk)


@login_required
@nav("oversikt")
def plan_adopt(request, slug: str, pk: int):
    return views_review.adopt(PLAN_PAGES, request, slug=slug, pk=pk)


@require_POST
@login_required
def plan_revise(request, slug: str, pk: int):
    access, plan = get_plan_for_user(request, slug, pk, need="manage")
    try:
        new = services.plan_revise(plan=plan, acting_user=request.user)
    except ValidationError as error:
        return views_review.error_redirect(
            request, plan, error, "plan_detail", {"slug": slug, "pk": pk}
        )
    messages.success(
        request, f"Version {new.version} är skapad som utkast. Den antagna planen är oförändrad."
    )
    return redirect("plan_detail", slug=slug, pk=new.pk)
