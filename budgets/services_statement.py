"""Writes to the rows a förbund adds to its resultat- and balansbudget (StatementNote): each
on a draft only (Plan.locked_draft), validated and recorded like the rest of the budget."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Max

from budgets.models import StatementNote
from finsam.audit import ActingUser, delete_recorded, save_recorded

if TYPE_CHECKING:
    from plans.models import Plan


@transaction.atomic
def statement_note_save(
    *, note: StatementNote, acting_user: ActingUser, data: Mapping[str, Any] | None = None
) -> StatementNote:
    """Add a row to a draft plan's statement, after its other rows, or save its changed fields."""
    plan = note.plan.locked_draft()
    if note.pk is None and not note.order:
        last = plan.statement_notes.filter(statement=note.statement).aggregate(m=Max("order"))
        note.order = (last["m"] or 0) + 10
    return save_recorded(
        instance=note,
        data=data,
        acting_user=acting_user,
        forbund=plan.forbund,
        what=lambda note, _: f"raden {note.label} i {note.get_statement_display().lower()}en",
        plan=plan,
    )


@transaction.atomic
def statement_note_delete(*, note: StatementNote, acting_user: ActingUser) -> None:
    plan = note.plan.locked_draft()
    delete_recorded(
        instance=note,
        acting_user=acting_user,
        forbund=plan.forbund,
        what=f"raden {note.label} ur {note.get_statement_display().lower()}en",
        changes={"label": [note.label, ""], "text": [note.text, ""]},
        plan=plan,
    )


def statement_notes_copy(*, source: Plan, target: Plan) -> None:
    """The rows of the source's statements, for a plan carried forward or revised (recorded
    with the new plan by plans.services.plan_create)."""
    StatementNote.objects.bulk_create(
        StatementNote(plan=target, statement=n.statement, label=n.label, text=n.text, order=n.order)
        for n in source.statement_notes.all()
    )
