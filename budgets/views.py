"""Pages of the budget: the editor, lines, year settings, statements, offers, categories."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import reswap

from budgets import calc, services
from budgets.access import get_category_for_user, get_group_for_user, get_line_for_user
from budgets.editor_save import grid_save
from budgets.forms import (
    BudgetCategoryForm,
    BudgetGroupForm,
    BudgetLineForm,
    BudgetYearForm,
    OfferForm,
)
from budgets.kept import editor_parts, keep_after_save, statements_body
from budgets.models import BudgetGroup, ColumnKind
from budgets.selectors import calc_key, column_labels, plan_figures, split_members
from budgets.tables import attach_fields, budget_context
from finsam.actions import run_and_return
from finsam.audit import EditConflict
from finsam.members import AF, KIND_LABELS
from finsam.nav import nav
from finsam.saving import save_form
from finsam.tenancy import get_forbund_for_user, get_plan_for_user


def _need(request) -> str:
    # The page is for everyone to read; a POST changes the plan.
    return "edit" if request.method == "POST" else "view"


@login_required
@nav("budget")
def budget_editor(request, slug: str, pk: int):
    """All years side by side; kansli edits a draft in place, everyone else reads. A post
    saves the grid (budgets.editor_save, which decides what the answer carries)."""
    access, plan = get_plan_for_user(request, slug, pk, need=_need(request))
    if request.method != "POST":
        return _editor_page(request, access, plan)
    done = grid_save(
        plan=plan,
        acting_user=request.user,
        figures=plan_figures(plan),
        data=request.POST,
        autosave=bool(request.htmx),
        # The page names the figures it shows when it can take only what a save changes.
        page_mark=request.POST.get("figurer")
        if request.headers.get("Finsam-Svar") == "andringar"
        else None,
    )
    if done.status == 302:
        messages.success(request, f"Sparade {done.saved} ändrade belopp.")
        return redirect("budget_editor", slug=slug, pk=pk)
    form, figures = done.form, done.figures
    context = {
        "access": access,
        "forbund": access.forbund,
        "plan": plan,
        "form": form,
        "editable": access.is_kansli and plan.is_editable,
        "announce": done.announcement if request.htmx else "",
        "saved_others": bool(done.saved),  # the right cells saved beside a wrong one
        "mark": figures.mark,
        **budget_context(figures, only_lines=done.only_lines),
    }
    attach_fields(context["rows"], form)
    if done.only_lines is not None:
        response = render(request, "budgets/editor_changes.html", context)
        if done.saved and figures.count is not None:  # one change more: kept for the next
            keep_after_save(plan, figures=figures, context=context, before_count=figures.count - 1)
        return reswap(response, "none")
    template = "budgets/editor.html#editor" if request.htmx else "budgets/editor.html"
    return render(request, template, context, status=done.status)


def _editor_page(request, access, plan):
    # A read of the editor: the figures' parts as kept (budgets.kept), with this request's own
    # header, form token and messages around them.
    editable = access.is_kansli and plan.is_editable
    parts = editor_parts(plan, editable=editable, kansli=access.is_kansli)
    context = {
        "access": access,
        "forbund": access.forbund,
        "plan": plan,
        "editable": editable,
        "parts": parts,
        "mark": parts.mark,
    }
    template = "budgets/editor.html#editor" if request.htmx else "budgets/editor.html"
    return render(request, template, context)


def _line_form_page(request, access, plan, line=None):
    # An existing line's form carries a footnote field for each of its amounts.
    columns = column_labels(plan, services.year_columns(plan)) if line is not None else ()
    form = BudgetLineForm(
        request.POST or None, instance=line, forbund=access.forbund, columns=columns
    )

    @transaction.atomic
    def update():
        saved = services.budget_line_update(
            line=line, acting_user=request.user, data=form.changes()
        )
        services.budget_amount_notes_set(
            line=saved, acting_user=request.user, notes=form.amount_notes()
        )
        return saved

    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        editor = reverse("budget_editor", args=[access.forbund.slug, plan.pk])
        response = save_form(
            request,
            form,
            (lambda: services.budget_line_create(plan=plan, acting_user=request.user, **data))
            if line is None
            else update,
            done=lambda saved: f"Budgetraden {saved.name} är sparad.",
            # A new line: land on its row, where editor.js puts the focus in its first cell.
            to=lambda saved: editor if line else f"{editor}#rad-line-{saved.pk}",
            already_to=editor,
        )
        if response:
            return response
    return render(
        request,
        "budgets/line_form.html",
        {"access": access, "forbund": access.forbund, "plan": plan, "form": form, "line": line},
    )


@login_required
@nav("budget")
def line_create(request, slug: str, pk: int):
    access, plan = get_plan_for_user(request, slug, pk, need="edit")
    return _line_form_page(request, access, plan)


@login_required
@nav("budget")
def line_edit(request, slug: str, pk: int, line_pk: int):
    access, plan, line = get_line_for_user(request, slug, pk, line_pk, need="edit")
    if line.insats_id:
        messages.info(request, "Raden är en insats: ändra den här, så följer budgetraden med.")
        return redirect("insats_edit", slug=slug, pk=pk, insats_pk=line.insats_id)
    return _line_form_page(request, access, plan, line)


@require_POST
@login_required
def line_delete(request, slug: str, pk: int, line_pk: int):
    _, plan, line = get_line_for_user(request, slug, pk, line_pk, need="edit")
    return run_and_return(
        request,
        lambda: services.budget_line_delete(line=line, acting_user=request.user),
        done=f"Budgetraden {line.name} är borttagen.",
        to=reverse("budget_editor", args=[slug, pk]),
    )


@login_required
@nav("mal_balans")
def budget_years(request, slug: str, pk: int):
    """Targets and balance inputs per year (and the comparison columns' IB)."""
    access, plan = get_plan_for_user(request, slug, pk, need=_need(request))
    editable = access.is_kansli and plan.is_editable
    rows = list(plan.year_rows.all())
    rows.sort(key=lambda r: (r.year, r.column))
    unit = access.forbund.amount_unit
    data = request.POST if request.method == "POST" else None
    forms = [BudgetYearForm(data, instance=r, prefix=f"y{r.pk}", unit=unit) for r in rows]
    for row in rows:
        row.plan = plan
    if request.method == "POST" and all(f.is_valid() for f in forms):
        try:
            services.budget_years_update(
                plan=plan,
                acting_user=request.user,
                rows={f.instance.pk: f.changes() for f in forms},
            )
        except EditConflict as conflict:
            next(f for f in forms if f.instance.pk == conflict.pk).show_conflict(conflict)
        except ValidationError as error:
            messages.error(request, "; ".join(error.messages))
        else:
            # Back to the form, not to Rapporter: the kansli confirms and adjusts year by year.
            messages.success(request, "Sparat.")
            return redirect("budget_years", slug=slug, pk=pk)
    return render(
        request,
        "budgets/years_form.html",
        {
            "access": access,
            "forbund": access.forbund,
            "plan": plan,
            "forms": forms,
            "editable": editable,
            "any_errors": any(f.errors for f in forms),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@nav("rapporter")
def budget_statements(request, slug: str, pk: int):
    """Resultatbudget, balansbudget, member contributions and targets, year by year."""
    access, plan = get_plan_for_user(request, slug, pk)
    body = statements_body(plan, kansli=access.is_kansli)
    return render(
        request,
        "budgets/statements.html",
        {"access": access, "forbund": access.forbund, "plan": plan, "body": body},
    )


@login_required
@nav("erbjudanden")
def budget_offers(request, slug: str, pk: int):
    """From each member's offer, the total the fixed split allows and who binds it."""
    access, plan = get_plan_for_user(request, slug, pk)
    forbund = access.forbund
    members = list(forbund.medlemmar.all())
    offering = [m for m in members if m.kind != AF]
    form = OfferForm(
        request.POST or None, members=offering, years=plan.years, unit=forbund.amount_unit
    )
    result = error = None
    year = None
    if request.method == "POST" and form.is_valid():
        year = form.cleaned_data["year"]
        try:
            result = calc.total_from_offers(
                form.offers(),
                split_members(forbund, members, year),
                unit=forbund.rounding_unit,
                region_has_kommun_role=forbund.region_has_kommun_role,
            )
        except calc.SplitError as exc:
            error = str(exc)
        if result and request.POST.get("apply") and access.is_kansli:
            services.budget_figures_set(
                plan=plan,
                acting_user=request.user,
                medlemsbidrag={(year, ColumnKind.BUDGET): result.total},
            )
            messages.success(request, f"Medlemsbidraget för {year} är satt utifrån erbjudandena.")
            return redirect("budget_editor", slug=slug, pk=pk)
    by_key = {calc_key(m): m for m in members}
    return render(
        request,
        "budgets/offers.html",
        {
            "access": access,
            "forbund": forbund,
            "plan": plan,
            "form": form,
            "result": result,
            "error": error,
            "year": year,
            "binding": by_key.get(result.binding_key) if result else None,
            "result_rows": [
                (
                    m,
                    KIND_LABELS[m.kind],
                    form.offers().get(calc_key(m)),
                    result.capacity.get(calc_key(m)),
                    result.parts.get(calc_key(m)),
                )
                for m in members
            ]
            if result
            else [],
            "can_apply": access.is_kansli and plan.is_editable,
        },
        status=400 if request.method == "POST" and not form.is_valid() else 200,
    )


@login_required
@nav("kategorier")
def categories(request, slug: str):
    """The förbund's budget groups and categories; kansli adds and edits them."""
    access = get_forbund_for_user(request, slug)
    forbund = access.forbund
    group_form = BudgetGroupForm(forbund=forbund, prefix="g")
    category_form = BudgetCategoryForm(forbund=forbund, prefix="c")
    status = 200
    if request.method == "POST":
        if not access.is_kansli:
            raise PermissionDenied("Bara kansliet ändrar budgetkategorierna.")
        which = request.POST.get("which")
        if which == "defaults":
            services.budget_groups_default(forbund=forbund, acting_user=request.user)
            return redirect("budget_categories", slug=slug)
        form = (
            BudgetGroupForm(request.POST, forbund=forbund, prefix="g")
            if which == "group"
            else BudgetCategoryForm(request.POST, forbund=forbund, prefix="c")
        )
        if form.is_valid():
            _saved(
                request,
                services.budget_structure_save(
                    obj=form.instance, acting_user=request.user, data=form.changes()
                ),
            )
            return redirect("budget_categories", slug=slug)
        status = 400
        if which == "group":
            group_form = form
        else:
            category_form = form
    groups = BudgetGroup.objects.for_forbund(forbund).prefetch_related("categories")
    return render(
        request,
        "budgets/categories.html",
        {
            "access": access,
            "forbund": forbund,
            "groups": groups,
            "group_form": group_form,
            "category_form": category_form,
        },
        status=status,
    )


def _saved(request, obj) -> None:
    messages.success(request, f"{obj._meta.verbose_name.capitalize()} {obj} är sparad.")


@login_required
@nav("kategorier")
def group_edit(request, slug: str, group_pk: int):
    access, group = get_group_for_user(request, slug, group_pk)
    form = BudgetGroupForm(request.POST or None, instance=group, forbund=access.forbund)
    if request.method == "POST" and form.is_valid():
        try:
            _saved(
                request,
                services.budget_structure_save(
                    obj=form.instance,
                    acting_user=request.user,
                    data=form.changes(),
                ),
            )
        except (IntegrityError, ValidationError):
            form.add_error("name", "Det finns redan en grupp med detta namn.")
        else:
            return redirect("budget_categories", slug=slug)
    return render(
        request,
        "budgets/simple_form.html",
        {
            "access": access,
            "forbund": access.forbund,
            "form": form,
            "title": f"Ändra gruppen {group}",
        },
    )


@login_required
@nav("kategorier")
def category_edit(request, slug: str, category_pk: int):
    access, category = get_category_for_user(request, slug, category_pk)
    form = BudgetCategoryForm(request.POST or None, instance=category, forbund=access.forbund)
    if request.method == "POST":
        if request.POST.get("delete"):
            try:
                services.budget_category_delete(category=category, acting_user=request.user)
            except ProtectedError:
                messages.error(request, "Kategorin används av budgetrader och kan inte tas bort.")
                return redirect("budget_category_edit", slug=slug, category_pk=category_pk)
            messages.success(request, f"Kategorin {category.name} är borttagen.")
            return redirect("budget_categories", slug=slug)
        if form.is_valid():
            _saved(
                request,
                services.budget_structure_save(
                    obj=form.instance,
                    acting_user=request.user,
                    data=form.changes(),
                ),
            )
            return redirect("budget_categories", slug=slug)
    return render(
        request,
        "budgets/simple_form.html",
        {
            "access": access,
            "forbund": access.forbund,
            "form": form,
            "title": f"Ändra kategorin {category.name}",
            "deletable": not category.lines.exists(),
        },
    )
