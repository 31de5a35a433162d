"""Pages of the insatser: the list with money per year, an insats, its form, målgrupper, risks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from budgets.kept import after_autosave, kept, put_rows, rows_by_id, warmer
from budgets.selectors import plan_figures
from finsam.actions import run_and_return
from finsam.nav import nav
from finsam.saving import save_form
from finsam.tenancy import get_forbund_for_user, get_plan_for_user
from insatser import rules, selectors, services
from insatser.access import get_insats_for_user, get_malgrupp_for_user
from insatser.checks import risk_matrix
from insatser.forms import InsatsFilterForm, InsatsForm, MalgruppForm, year_forms
from insatser.models import Insats, Malgrupp
from insatser.models_mal import Indikator
from insatser.tables import KIND_GROUPS, malgrupp_table

if TYPE_CHECKING:
    from plans.models import Plan

KIND_ORDER = {kind: index for index, (kind, _) in enumerate(KIND_GROUPS)}


@login_required
def insatser_current(request, slug: str):
    """The förbund's insatser: those of its newest plan."""
    access = get_forbund_for_user(request, slug)
    plan = access.forbund.plans.first()  # newest budget year and version (Plan.Meta.ordering)
    if plan is None:
        messages.info(request, "Förbundet har ingen plan ännu; insatserna hör till en plan.")
        return redirect("plan_list", slug=slug)
    return redirect("insats_list", slug=slug, pk=plan.pk)


@login_required
@nav("insatser")
def insats_list(request, slug: str, pk: int):
    """The plan's insatser with filters, their money per year and the totals."""
    access, plan = get_plan_for_user(request, slug, pk)
    malgrupper = list(Malgrupp.objects.for_plan(plan))
    # The whole list is the same for every reader and kept (budgets.kept), with the members
    # it offers as owners: a kept list is read without the plan's figures. A filtered one is
    # made for its filter, from the figures.
    if request.GET:
        figures, whole = plan_figures(plan), None
        owners = _owners(figures)
    else:
        figures, whole = None, whole_list(plan)
        owners = whole.owners
    filters = InsatsFilterForm(request.GET or None, owners=owners, malgrupper=malgrupper)
    lookups = filters.filters()
    table = list_table(plan, figures, lookups) if lookups else whole or whole_list(plan)
    context = {
        "access": access,
        "forbund": access.forbund,
        "plan": plan,
        "filters": filters,
        "filtered": bool(lookups),
        "can_edit": access.is_kansli and plan.is_editable,
        "table": table.html,
    }
    return render(request, "insatser/insats_list.html", context)


def _owners(figures) -> list[tuple[int, str]]:
    return [(m.pk, m.name) for m in figures.members]


@dataclass(frozen=True)
class ListTable:
    """The whole insatser list's table as kept, for the figures of `mark`; the members it
    offers as owners (pk, name); and what it shows of the figures: each listed insats's money
    per year (by its id, in the list's order) and those a check names, so that after an
    autosave only the rows where these moved, and the sums, are written again."""

    mark: str
    html: SafeString
    owners: tuple[tuple[int, str], ...]
    money: dict[int, tuple]
    named: frozenset[int]


def whole_list(plan) -> ListTable:
    """The whole list, the same for every reader: kept (budgets.kept)."""
    # Kept under the count read by kept(): the figures are read after it.
    return kept(plan, LIST_PART, lambda: list_table(plan, plan_figures(plan), {}))


def list_table(plan, figures, lookups: dict) -> ListTable:
    """The insatser list's table for a filter (lookups, none for the whole list)."""
    insatser = _listed(plan, figures, lookups)
    listing = selectors.insats_list(figures, insatser)
    html = render_to_string(
        "insatser/includes/insats_table.html",
        {
            "plan": plan,
            "forbund": plan.forbund,
            "filtered": bool(lookups),
            "rows": listing.rows,
            "years": listing.years,
            "ncols": 6 + 2 * len(listing.years),
            "totals": listing.totals,
        },
    )
    return ListTable(
        mark=figures.mark,
        html=mark_safe(html),
        owners=tuple(_owners(figures)),
        money={row["insats"].pk: tuple(row["amounts"]) for row in listing.rows},
        named=frozenset(row["insats"].pk for row in listing.rows if row["risk_finding"]),
    )


LIST_PART = "insats-list"


def _listed(plan, figures, lookups: dict) -> list[Insats]:
    insatser = list(
        Insats.objects.for_plan(plan)
        .filter(**lookups)
        .select_related("agare")
        .prefetch_related("parter", "malgrupper")
    )
    insatser.sort(key=lambda i: (KIND_ORDER[i.kind], i.order, i.name))
    selectors.with_plan_members(insatser, figures.members_by_pk)
    return insatser


@after_autosave(LIST_PART)
def _list_after_save(plan, figures, before: ListTable, context: dict) -> ListTable | None:
    """The whole list after an autosave, from the list before it: an autosave changes only
    amounts, so only the rows whose money or check moved, and the sums, are written again."""
    years = [c.year for c in figures.plan_columns]
    money, named = selectors.list_figures(figures)
    after = {pk: tuple(money.get(pk) or selectors.no_money(years)) for pk in before.money}
    named = frozenset(named & after.keys())
    moved = {pk for pk in after if after[pk] != before.money[pk]} | (named ^ before.named)
    html = before.html
    if moved:
        listing = selectors.insats_list(figures, _listed(plan, figures, {"pk__in": moved}))
        if len(listing.rows) != len(moved):
            return None  # an insats is gone: the next reader renders the list
        shown = {"plan": plan, "forbund": plan.forbund, "unit": plan.amount_unit}
        rows = rows_by_id(
            "".join(
                render_to_string("insatser/includes/insats_table.html#row", {**shown, "row": row})
                for row in listing.rows
            )
        )
        html = put_rows(html, rows) if len(rows) == len(moved) else None
        start, end = (-1, -1) if html is None else (html.find("<tfoot>"), html.find("</tfoot>"))
        if start < 0 or end < 0:
            return None
        end += len("</tfoot>")
        foot = render_to_string(
            "insatser/includes/insats_table.html#foot",
            {**shown, "filtered": False, "totals": selectors.list_totals(after.values(), years)},
        ).strip()
        html = html[:start] + foot + html[end:]
    return ListTable(
        mark=figures.mark, html=mark_safe(html), owners=before.owners, money=after, named=named
    )


@warmer
def _warm_list(plan) -> ListTable:
    return whole_list(plan)


@login_required
@nav("insatser")
def insats_detail(request, slug: str, pk: int, insats_pk: int):
    """An insats: what it is, who runs it, its mål and outcomes, and its place in the budget."""
    access, plan, insats = get_insats_for_user(request, slug, pk, insats_pk)
    figures = plan_figures(plan)
    budget = selectors.insats_budget(figures, insats)
    mal = list(
        insats.mal.prefetch_related(
            Prefetch("indikatorer", queryset=Indikator.objects.prefetch_related("utfall"))
        )
    )
    members = figures.members_by_pk
    selectors.with_plan_members([insats], members)
    financing = list(insats.ar.select_related("medfinansiar"))
    for row in financing:
        if row.medfinansiar_id:
            row.medfinansiar = members.get(row.medfinansiar_id, row.medfinansiar)
    parter = insats.parter_shown
    return render(
        request,
        "insatser/insats_detail.html",
        {
            "access": access,
            "forbund": access.forbund,
            "plan": plan,
            "insats": insats,
            "parter": parter,
            "malgrupper": list(insats.malgrupper.all()),
            "tags": list(insats.agenda2030_tags.all()),
            "mal": mal,
            "financing": financing,
            "budget": budget,
            "warning": rules.too_few_members(insats.kind, insats.agare_id, [m.pk for m in parter]),
            # Its own and its line's: a grant in a year that counts it nowhere says so here.
            "findings": figures.findings_for(f"insats:{insats.pk}")
            + (figures.findings_for(f"line:{budget['line'].pk}") if budget else []),
            "can_edit": access.is_kansli and plan.is_editable,
            "can_follow_up": access.is_kansli,
        },
    )


def _insats_form_page(request, access, plan: Plan, insats: Insats | None):
    forbund = access.forbund
    instance = insats or Insats(plan=plan)
    data = request.POST if request.method == "POST" else None
    form = InsatsForm(data, instance=instance, plan=plan)
    money_forms = year_forms(data, plan=plan, insats=insats, unit=forbund.amount_unit)
    status = 200
    if request.method == "POST":
        valid = form.is_valid()
        valid = all([f.is_valid() for f in money_forms]) and valid
        if valid:
            response = save_form(
                request,
                form,
                lambda: services.insats_save(
                    insats=form.instance,
                    acting_user=request.user,
                    data=form.changes(),
                    money={f.year: f.money() for f in money_forms},
                ),
                done=lambda saved: f"Insatsen {saved.name} är sparad.",
                to=lambda saved: reverse("insats_detail", args=[forbund.slug, plan.pk, saved.pk]),
                already_to=reverse("insats_list", args=[forbund.slug, plan.pk]),
            )
            if response:
                for warning in (form.warning, form.period_warning):
                    if warning:
                        messages.warning(request, warning)
                return response
        status = 400
    return render(
        request,
        "insatser/insats_form.html",
        {
            "access": access,
            "forbund": forbund,
            "plan": plan,
            "insats": insats,
            "form": form,
            "money_forms": money_forms,
            "any_errors": bool(form.errors) or any(f.errors for f in money_forms),
        },
        status=status,
    )


@login_required
@nav("insatser")
def insats_create(request, slug: str, pk: int):
    access, plan = get_plan_for_user(request, slug, pk, need="edit")
    return _insats_form_page(request, access, plan, None)


@login_required
@nav("insatser")
def insats_edit(request, slug: str, pk: int, insats_pk: int):
    access, plan, insats = get_insats_for_user(request, slug, pk, insats_pk, need="edit")
    return _insats_form_page(request, access, plan, insats)


@require_POST
@login_required
def insats_delete(request, slug: str, pk: int, insats_pk: int):
    _, plan, insats = get_insats_for_user(request, slug, pk, insats_pk, need="edit")
    return run_and_return(
        request,
        lambda: services.insats_delete(insats=insats, acting_user=request.user),
        done=f"Insatsen {insats.name} och dess budgetrad är borttagna.",
        to=reverse("insats_list", args=[slug, pk]),
    )


# --- Målgrupper --------------------------------------------------------------------------------


@login_required
@nav("malgrupper")
def malgrupp_list(request, slug: str, pk: int):
    """The plan's prioritised målgrupper and the table målgrupp × insatser."""
    access, plan = get_plan_for_user(request, slug, pk)
    malgrupper = list(
        Malgrupp.objects.for_plan(plan).prefetch_related(
            Prefetch("insatser", queryset=Insats.objects.order_by("order", "name"))
        )
    )
    insatser = list(Insats.objects.for_plan(plan).active().prefetch_related("malgrupper"))
    return render(
        request,
        "insatser/malgrupp_list.html",
        {
            "access": access,
            "forbund": access.forbund,
            "plan": plan,
            "malgrupper": malgrupper,
            "table": malgrupp_table(malgrupper, insatser),
            "can_edit": access.is_kansli and plan.is_editable,
        },
    )


def _malgrupp_form_page(request, access, plan: Plan, malgrupp: Malgrupp | None):
    form = MalgruppForm(request.POST or None, instance=malgrupp, plan=plan)
    status = 200
    if request.method == "POST":
        listing = reverse("malgrupp_list", args=[plan.forbund.slug, plan.pk])
        if form.is_valid():
            response = save_form(
                request,
                form,
                lambda: services.malgrupp_save(
                    malgrupp=form.instance, acting_user=request.user, data=form.changes()
                ),
                done=lambda saved: f"Målgruppen {saved.name} är sparad.",
                to=lambda _: listing,
                already_to=listing,
            )
            if response:
                return response
        status = 400
    return render(
        request,
        "insatser/malgrupp_form.html",
        {
            "access": access,
            "forbund": access.forbund,
            "plan": plan,
            "form": form,
            "malgrupp": malgrupp,
        },
        status=status,
    )


@login_required
@nav("malgrupper")
def malgrupp_create(request, slug: str, pk: int):
    access, plan = get_plan_for_user(request, slug, pk, need="edit")
    return _malgrupp_form_page(request, access, plan, None)


@login_required
@nav("malgrupper")
def malgrupp_edit(request, slug: str, pk: int, malgrupp_pk: int):
    access, plan, malgrupp = get_malgrupp_for_user(request, slug, pk, malgrupp_pk)
    return _malgrupp_form_page(request, access, plan, malgrupp)


@require_POST
@login_required
def malgrupp_delete(request, slug: str, pk: int, malgrupp_pk: int):
    _, _, malgrupp = get_malgrupp_for_user(request, slug, pk, malgrupp_pk)
    return run_and_return(
        request,
        lambda: services.malgrupp_delete(malgrupp=malgrupp, acting_user=request.user),
        done=f"Målgruppen {malgrupp.name} är borttagen.",
        to=reverse("malgrupp_list", args=[slug, pk]),
    )


# --- Risk and effekt ---------------------------------------------------------------------------


@login_required
@nav("risker")
def risk_matrix_page(request, slug: str, pk: int):
    """Every active insats placed by risk and effekt; high risk with low effect stands out."""
    access, plan = get_plan_for_user(request, slug, pk)
    matrix = risk_matrix(i.risk_item() for i in Insats.objects.for_plan(plan))
    return render(
        request,
        "insatser/risk_matrix.html",
        {
            "access": access,
            "forbund": access.forbund,
            "plan": plan,
            "matrix": matrix,
            "labels": dict(rules.LEVEL_CHOICES),
            "levels": rules.LEVEL_CHOICES,
        },
    )
