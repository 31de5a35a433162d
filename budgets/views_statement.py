"""The rows a förbund adds to its resultat- and balansbudget ("Ansvarsförbindelser: Inga")."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from budgets.forms import StatementNoteForm
from budgets.services_statement import statement_note_delete, statement_note_save
from budgets.tables import own_statement_rows
from finsam.actions import run_and_return
from finsam.nav import nav
from finsam.tenancy import get_plan_for_user


@login_required
@nav("budget")
def statement_notes(request, slug: str, pk: int):
    """The plan's own statement rows; the kansli adds and removes them in a draft."""
    need = "edit" if request.method == "POST" else "view"
    access, plan = get_plan_for_user(request, slug, pk, need=need)
    form = StatementNoteForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            statement_note_save(note=form.instance, acting_user=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Raden {form.instance.label} är tillagd.")
            return redirect("statement_notes", slug=slug, pk=pk)
    return render(
        request,
        "budgets/statement_notes.html",
        {
            "access": access,
            "forbund": access.forbund,
            "plan": plan,
            "own": own_statement_rows(plan),
            "form": form,
            "editable": access.is_kansli and plan.is_editable,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@login_required
def statement_note_remove(request, slug: str, pk: int, note_pk: int):
    access, plan = get_plan_for_user(request, slug, pk, need="edit")
    note = get_object_or_404(plan.statement_notes, pk=note_pk)
    return run_and_return(
        request,
        lambda: statement_note_delete(note=note, acting_user=request.user),
        done=f"Raden {note.label} är borttagen.",
        to=reverse("statement_notes", args=[slug, pk]),
    )
