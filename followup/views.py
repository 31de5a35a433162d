"""Pages of the year after adoption: the years followed, a year's follow-up, its prognoses, and
the förbund's follow-up settings. Imports, the konto map and the grid: followup.views_import."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Max, prefetch_related_objects
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from budgets.selectors import plan_figures
from finsam.actions import run_and_return
from finsam.audit import VERSION, EditConflict
from finsam.nav import nav
from finsam.saving import UNREADABLE_MESSAGE, save_form
from finsam.tenancy import get_forbund_for_user
from followup import services
from followup.access import get_prognos_for_user, get_year_for_user
from followup.forms_prognos import (
    ProfileForm,
    PrognosCreateForm,
    PrognosLinesForm,
    PrognosReportForm,
    SettingsForm,
)
from followup.models import AccountOutcome, LineOutcome, MonthProfile, Prognos
from followup.page import follow_up_page
from followup.report import (
    month_label,
    prognos_rows,
    prognos_summary,
    prognos_totals,
    unexplained_labels,
)
from followup.selectors import (
    follow_up,
    followed_plan,
    line_refs,
    settings_for,
)

MONTH_PARAM = "manad"


def _context(access, plan, **extra) -> dict:
    return {
        "access": access,
        "forbund": access.forbund,
        "plan": plan,
        "year": plan.budget_year,
        "unit": plan.amount_unit,
        **extra,
    }


@login_required
@nav("uppfoljning")
def year_list(request, slug: str):
    """The years with an adopted plan, latest first, with how far each is followed."""
    access = get_forbund_for_user(request, slug, need="view")
    forbund = access.forbund
    # 1 the adopted plans' years, 2–3 the last month with utfall per year (konton, lines),
    # 4 the prognoses.
    years = sorted(
        set(access.plans().adopted().values_list("budget_year", flat=True)), reverse=True
    )
    last = {}
    for model in (AccountOutcome, LineOutcome):
        for row in (
            model.objects.filter(forbund=forbund, year__in=years)
            .values("year")
            .annotate(last=Max("month"))
        ):
            last[row["year"]] = max(last.get(row["year"], 0), row["last"])
    latest = {}
    for prognos in Prognos.objects.filter(forbund=forbund, year__in=years):
        latest[prognos.year] = prognos  # ordered by year, month, made: the last one stays
    rows = [
        {
            "year": year,
            "utfall": month_label(year, last.get(year, 0)),
            "prognos": latest.get(year),
        }
        for year in years
    ]
    return render(
        request,
        "followup/year_list.html",
        {"access": access, "forbund": forbund, "rows": rows},
    )


def _month(request, default: int | None) -> int | None:
    """?manad=N (0–12); anything else is said and ignored."""
    text = request.GET.get(MONTH_PARAM)
    if text is None or text == "":
        return default
    if text.isdigit() and 0 <= int(text) <= 12:
        return int(text)
    messages.error(request, "Månaden ska vara ett tal 0–12; sidan visar den senaste månaden.")
    return default


@login_required
@nav("uppfoljning")
def follow_up_view(request, slug: str, year: int):
    """The year's follow-up: per line, group and insats budget, utfall, prognos and deviation;
    members' parts and eget kapital, budget against forecast."""
    access, plan = get_year_for_user(request, slug, year, need="view")
    page = follow_up_page(plan, month=_month(request, None))
    return render(
        request,
        "followup/follow_up.html",
        _context(
            access,
            plan,
            heading=f"Uppföljning {year}",
            page=page,
            report=page.report,
            rows_table=page.rows_table,
            groups_table=page.groups_table,
            insatser_table=page.insatser_table,
            groups_months=page.groups_months,
            equity_svg=page.equity_svg,
            months=range(1, 13),
        ),
    )


@login_required
@nav("uppfoljning")
def prognos_list(request, slug: str, year: int):
    """The year's prognoses, oldest first: how the forecast moved."""
    access, plan = get_year_for_user(request, slug, year, need="view")
    follow = follow_up(plan)
    prefetch_related_objects(follow.prognoses, "lines")
    summaries = [(p, prognos_summary(follow, p)) for p in follow.prognoses]
    return render(
        request,
        "followup/prognos_list.html",
        _context(access, plan, heading=f"Prognoser {year}", follow=follow, summaries=summaries),
    )


@login_required
@nav("uppfoljning")
def prognos_create(request, slug: str, year: int):
    """A new prognos after a month, each line pre-filled by the method chosen for it."""
    access, plan = get_year_for_user(request, slug, year, need="manage")
    follow = follow_up(plan)
    form = PrognosCreateForm(
        request.POST or None, refs=follow.refs, initial={"month": follow.month or 1}
    )
    if request.method == "POST" and form.is_valid():
        month = form.cleaned_data["month"]
        response = save_form(
            request,
            form,
            lambda: services.prognos_create(
                forbund=access.forbund,
                year=year,
                month=month,
                follow=follow_up(plan, month=month),
                methods=form.methods(),
                acting_user=request.user,
                note=form.cleaned_data["note"],
            ),
            done=lambda saved: f"Prognosen {saved.as_of_label} är gjord. Gå igenom raderna.",
            to=lambda saved: reverse("prognos_detail", args=[slug, year, saved.pk]),
            already_to=reverse("prognos_list", args=[slug, year]),
        )
        if response:
            return response
    return render(
        request,
        "followup/prognos_create.html",
        _context(access, plan, heading=f"Ny prognos {year}", form=form, follow=follow),
    )


@login_required
@nav("uppfoljning")
def prognos_detail(request, slug: str, year: int, pk: int):
    """One prognos: the kansli edits a prognos not yet reported; a reported one, and everyone
    else, reads it."""
    need = "manage" if request.method == "POST" else "view"
    access, plan, prognos = get_prognos_for_user(request, slug, year, pk, need=need)
    follow = follow_up(plan, month=prognos.month)
    rows = prognos_rows(follow, prognos)
    editable = access.is_kansli and not prognos.is_locked
    if request.method == "POST" and prognos.is_locked:
        messages.error(
            request,
            f"Prognosen {prognos.as_of_label} är rapporterad till styrelsen och ändras inte. "
            "Gör en ny prognos.",
        )
        return redirect("prognos_detail", slug=slug, year=year, pk=pk)
    form = PrognosLinesForm(
        request.POST or None, rows=rows, version=prognos.lock_version, unit=plan.amount_unit
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.prognos_lines_set(
                prognos=prognos,
                values=form.values(),
                lock_version=form.cleaned_data[VERSION],
                acting_user=request.user,
                labels={r.ref.key: r.ref.label for r in rows},
            )
        except (EditConflict, ValidationError) as error:
            form.add_error(None, error)
            status = 409
        else:
            messages.success(
                request,
                f"Sparade {changed} ändrad{'e' if changed != 1 else ''} "
                f"rad{'er' if changed != 1 else ''} i prognosen."
                if changed
                else "Inget var ändrat; prognosen är redan sparad.",
            )
            return redirect("prognos_detail", slug=slug, year=year, pk=pk)
    elif request.method == "POST":
        if VERSION in form.errors:  # a hidden field has no place to show its message
            form.add_error(None, UNREADABLE_MESSAGE)
        status = 400
    return render(
        request,
        "followup/prognos_detail.html",
        _context(
            access,
            plan,
            heading=f"Prognos {prognos.as_of_label}",
            prognos=prognos,
            summary=prognos_summary(follow, prognos),
            rows=rows,
            totals=prognos_totals(follow, prognos, rows),
            form=form,
            editable=editable,
            missing=unexplained_labels(rows),
            report_form=PrognosReportForm(),
            settings=follow.settings,
        ),
        status=status,
    )


@require_POST
@login_required
def prognos_report(request, slug: str, year: int, pk: int):
    """Mark the prognos reported to the board at a meeting: it is locked from then on."""
    access, plan, prognos = get_prognos_for_user(request, slug, year, pk, need="manage")
    form = PrognosReportForm(request.POST)
    to = reverse("prognos_detail", args=[slug, year, pk])
    if not form.is_valid():
        messages.error(request, "Ange styrelsemötets datum (ÅÅÅÅ-MM-DD); inget ändrades.")
        return redirect(to)
    return run_and_return(
        request,
        lambda: services.prognos_report(
            plan=plan,
            prognos=prognos,
            meeting_date=form.cleaned_data["meeting_date"],
            paragraph=form.cleaned_data["paragraph"],
            acting_user=request.user,
        ),
        done=f"Prognosen {prognos.as_of_label} är rapporterad till styrelsen och låst.",
        to=to,
    )


@login_required
@nav("uppfoljning")
def followup_settings(request, slug: str):
    """The förbund's thresholds, how the budget is spread over the months, and the month
    profiles of the lines of its latest adopted plan."""
    access = get_forbund_for_user(request, slug, need="manage")
    forbund = access.forbund
    current = settings_for(forbund)
    year = max(access.plans().adopted().values_list("budget_year", flat=True), default=None)
    plan = followed_plan(forbund, year) if year else None
    refs = line_refs(plan_figures(plan)) if plan else []
    profiles = {(p.group_id, p.line_name): p for p in MonthProfile.objects.filter(forbund=forbund)}
    post = request.POST if request.method == "POST" else None
    form = SettingsForm(post, instance=current)
    profile_form = ProfileForm(post, refs=refs, profiles=profiles, prefix="m")
    if post is not None and form.is_valid() and profile_form.is_valid():
        labels = {r.key: r.label for r in refs}

        def save():
            saved = services.followup_settings_set(
                forbund=forbund, data=form.changes(), acting_user=request.user
            )
            services.month_profiles_set(
                forbund=forbund,
                profiles=profile_form.profiles(),
                acting_user=request.user,
                labels=labels,
            )
            return saved

        response = save_form(
            request,
            form,
            save,
            done=lambda saved: "Inställningarna för uppföljning är sparade.",
            to=lambda saved: reverse("followup_settings", args=[slug]),
            already_to=reverse("followup_settings", args=[slug]),
        )
        if response:
            return response
    return render(
        request,
        "followup/settings.html",
        {
            "access": access,
            "forbund": forbund,
            "year": year,
            "form": form,
            "profile_form": profile_form,
            "title": "Inställningar för uppföljning",
        },
    )
