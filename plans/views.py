"""Pages of the plans: the start page, the list, a new plan, a plan's overview and settings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from budgets.models import COMPARISON_KINDS
from budgets.selectors import plan_figures
from budgets.tables import KEY_FIGURE_ROWS, figure_rows
from finsam.models import Role
from finsam.nav import nav
from finsam.saving import save_form
from finsam.tenancy import get_forbund_for_user, get_plan_for_user, user_accesses
from plans import services, workflow
from plans.forms import AdoptForm, PlanForm, ReturnForm, ReviewForm
from plans.models import PdfKind, Plan
from plans.selectors import start_page, waiting_for
from plans.workflow import PlanHasErrors


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


def _plan_detail_page(request, access, plan, *, review_form=None, status=200):
    approvals = list(plan.approvals.filter(round=plan.submission_round).select_related("user"))
    mine = next((a for a in approvals if a.user_id == request.user.pk), None)
    approved, total, needed = workflow.quorum(plan)
    pdfs = list(plan.pdfs.all()[:5])
    figures = plan_figures(plan)
    threads = list(plan.comments.filter(parent__isnull=True).select_related("author", "section"))
    open_threads = [c for c in threads if c.resolved_at is None]
    returned = None
    if plan.is_editable and plan.submission_round:
        # The reason of the återremiss this draft is being worked on after.
        returned = next(
            (c for c in reversed(threads) if c.is_return and c.round == plan.submission_round),
            None,
        )
    since = None
    if plan.is_submitted and access.is_styrelse:
        since = workflow.changes_since_last_review(plan, request.user)
    return render(
        request,
        "plans/plan_detail.html",
        {
            "access": access,
            "forbund": access.forbund,
            "plan": plan,
            "figures": figures,
            "key_figure_rows": figure_rows(figures, KEY_FIGURE_ROWS),
            "approvals": approvals,
            "my_approval": mine,
            "quorum": {"approved": approved, "total": total, "needed": needed},
            "review_form": review_form
            or ReviewForm(initial={"decision": getattr(mine, "decision", None)}),
            "return_form": ReturnForm(),
            "may_adopt": workflow.may_record_adoption(request.user, plan),
            "versions": list(
                Plan.objects.for_forbund(access.forbund).filter(budget_year=plan.budget_year)
            ),
            "pdfs": pdfs,
            "open_threads": open_threads,
            "returned": returned,
            "since": since,
            "adopted_pdf": next((p for p in pdfs if p.kind == PdfKind.ANTAGEN), None)
            or plan.pdfs.filter(kind=PdfKind.ANTAGEN).first(),
        },
        status=status,
    )


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


# --- Workflow -----------------------------------------------------------------------------------


def _workflow_error(request, error, slug, pk):
    if isinstance(error, PlanHasErrors):
        messages.error(
            request,
            "Planen har fel som måste rättas först: " + " ".join(error.messages),
        )
    else:
        messages.error(request, " ".join(error.messages))
    return redirect("plan_detail", slug=slug, pk=pk)


@require_POST
@login_required
def plan_submit(request, slug: str, pk: int):
    access, plan = get_plan_for_user(request, slug, pk, need="manage")
    try:
        workflow.plan_submit(plan=plan, acting_user=request.user)
    except ValidationError as error:
        return _workflow_error(request, error, slug, pk)
    messages.success(request, "Planen är inlämnad till styrelsen för granskning.")
    return redirect("plan_detail", slug=slug, pk=pk)


@require_POST
@login_required
def plan_return(request, slug: str, pk: int):
    access, plan = get_plan_for_user(request, slug, pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["reason"][0])
        return redirect("plan_detail", slug=slug, pk=pk)
    try:
        workflow.plan_return(
            plan=plan, acting_user=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        return _workflow_error(request, error, slug, pk)
    messages.success(request, "Planen är återremitterad och är ett utkast igen.")
    return redirect("plan_detail", slug=slug, pk=pk)


@require_POST
@login_required
@nav("oversikt")
def plan_review(request, slug: str, pk: int):
    access, plan = get_plan_for_user(request, slug, pk, need="review")
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            workflow.plan_review(
                plan=plan,
                acting_user=request.user,
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            return _workflow_error(request, error, slug, pk)
        messages.success(request, "Ditt ställningstagande är registrerat.")
        return redirect("plan_detail", slug=slug, pk=pk)
    return _plan_detail_page(request, access, plan, review_form=form, status=400)


@login_required
@nav("oversikt")
def plan_adopt(request, slug: str, pk: int):
    access, plan = get_plan_for_user(request, slug, pk)
    if not workflow.may_record_adoption(request.user, plan):
        raise PermissionDenied("Du får inte registrera styrelsens beslut i detta förbund.")
    if plan.is_adopted:
        messages.error(request, f"Planen är redan antagen ({plan.decision_text}).")
        return redirect("plan_detail", slug=slug, pk=pk)
    empty = [section.title for section in plan.sections.all() if section.is_empty]
    # The meeting may have been held before a new board took office: every role in office
    # since the plan was submitted is offered, and plan_adopt checks it against the date.
    ledamoter, ersattare = workflow.board_since(
        plan, workflow.submitted_on(plan) or timezone.localdate()
    )
    requests, threads = workflow.objections(plan)
    form = AdoptForm(
        request.POST or None,
        empty_sections=empty,
        ledamoter=ledamoter,
        ersattare=ersattare,
        objections=(len(requests), len(threads)),
        unusual_date=lambda day: workflow.meeting_date_unusual(plan, day),
    )
    if request.method == "POST" and form.is_valid():
        try:
            workflow.plan_adopt(plan=plan, acting_user=request.user, **form.decision())
        except ValidationError as error:
            if hasattr(error, "error_dict") and set(error.error_dict) <= set(form.fields):
                for field, errors in error.error_dict.items():
                    form.add_error(field, errors)
            else:
                form.add_error(None, error)
        else:
            messages.success(
                request,
                "Beslutet är registrerat. Planen är antagen och låst; den arkiverade pdf:en förbereds.",
            )
            return redirect("plan_detail", slug=slug, pk=pk)
    approved, total, needed = workflow.quorum(plan)
    return render(
        request,
        "plans/plan_adopt.html",
        {
            "access": access,
            "forbund": access.forbund,
            "plan": plan,
            "form": form,
            "quorum": {"approved": approved, "total": total, "needed": needed},
            "empty_sections": empty,
            "change_requests": requests,
            "open_threads": threads,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@login_required
def plan_revise(request, slug: str, pk: int):
    access, plan = get_plan_for_user(request, slug, pk, need="manage")
    try:
        new = services.plan_revise(plan=plan, acting_user=request.user)
    except ValidationError as error:
        return _workflow_error(request, error, slug, pk)
    messages.success(
        request, f"Version {new.version} är skapad som utkast. Den antagna planen är oförändrad."
    )
    return redirect("plan_detail", slug=slug, pk=new.pk)
