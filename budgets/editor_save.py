"""The budget editor's save, in one place: what a post of the grid saves, and what the answer
carries.

A post is cleaned by the grid form and saved by budgets.services.budget_figures_set. The
autosave (htmx) saves the cells that are right even while another is wrong: a wrong cell shows
its message beside itself and blocks no other. The full form (no JavaScript) saves all or
nothing, as every form does. The answer is then one of three:

- a page without JavaScript is sent back to the editor with a message (the view redirects);
- an autosave from a page that shows the figures the save was made over (the page's mark), when
  the save was the one change since, gets only what it changed: the rows of the cells sent and
  of every line whose figures moved, the sums, member parts, checks and panels
  (templates/budgets/editor_changes.html, swapped by id);
- anything else gets the whole editor: a wrong cell, a conflict with a colleague's save, a
  colleague's change in between, a page from another day.

After a conflict each cell a colleague saved holds their figure (and says so to the next save),
with the user's beside it and a button to keep it (BudgetGridForm.take_conflict): no later save
of the page sends the user's figure unless they choose it for that cell.

The figures after a save are computed from those before it when nothing else changed
(budgets.selectors.figures_after_save); tests/budgets/test_cell_save.py holds that the page after
the partial answer equals a reload.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError

from budgets.forms import BudgetGridForm
from budgets.selectors import PlanFigures, figures_after_save, plan_figures, saved_alone
from budgets.services import budget_figures_set
from budgets.tables import changed_lines
from finsam.audit import EditConflict, shown_time

if TYPE_CHECKING:
    from plans.models import Plan


@dataclass
class GridSave:
    """What a post of the grid did and what to show for it.

    saved: the number of amounts saved (0 when all were stored already), None when the post
    saved nothing (refused, a conflict, or every cell wrong). only_lines: the lines whose rows
    the answer carries when it carries only what the save changed; None for the whole editor.
    """

    form: BudgetGridForm
    figures: PlanFigures
    saved: int | None
    status: int
    only_lines: set[int] | None = None

    @property
    def announcement(self) -> str:
        """What the save did, in a sentence for the editor's live region (read out by screen
        readers, shown above the table): what was saved, and each cell that could not be."""
        form = self.form
        if getattr(form, "conflict", None):
            return "Inget sparades: en kollega har sparat andra belopp i samma rutor."
        if form.non_field_errors():
            return "Inget sparades: " + " ".join(form.non_field_errors())
        said = []
        if self.saved:
            said.append(f"Sparade {self.saved} belopp.")
        errors = [
            f"{form.label(name)}: {errors[0]}"
            for name, errors in form.errors.items()
            if form.has_cell(name)
        ]
        if errors:
            said.append(f"Kunde inte spara {'; '.join(errors)}")
        if not said:
            said.append("Alla ändringar är sparade.")  # nothing new came: all was saved before
        return " ".join(said)


def grid_save(
    *,
    plan: Plan,
    acting_user,
    figures: PlanFigures,
    data,
    autosave: bool,
    page_mark: str | None,
) -> GridSave:
    """Save a post of the editor's grid over `figures` (what the page was computed from).

    autosave: the post came from the editor's autosave (htmx), which saves the cells that are
    right beside a wrong one. page_mark: the figures mark the sending page shows, when it asks
    for only what the save changes (else None: the whole editor).
    """
    form = BudgetGridForm(figures, data)
    partial = autosave and not form.is_valid() and not form.non_field_errors()
    if not (form.is_valid() or (partial and (form.amounts or form.medlemsbidrag))):
        return GridSave(form, figures, None, 200 if autosave else 400)
    try:
        saved = budget_figures_set(
            plan=plan,
            acting_user=acting_user,
            amounts=form.amounts,
            medlemsbidrag=form.medlemsbidrag,
            shown=form.shown_values,
        )
    except EditConflict as conflict:
        form.conflict = conflict
        # Not "send again to keep yours": sending the page again keeps the colleague's figures.
        when = f" {shown_time(conflict.at)}" if conflict.at else ""
        form.add_error(
            None,
            f"{conflict.by} ändrade beloppen{when}, efter att du öppnade sidan. Inget av det du "
            "skickade sparades. Rutorna visar nu det sparade, med ditt värde bredvid.",
        )
        figures = plan_figures(plan)  # the colleague's figures, around the user's inputs
        form.take_conflict(figures)
        return GridSave(form, figures, None, 400)
    except ValidationError as error:
        form.add_error(None, error)
        return GridSave(form, figures, None, 400)
    if not autosave:
        return GridSave(form, figures, saved, 302)
    before = figures
    figures = figures_after_save(
        plan, before, amounts=form.amounts, medlemsbidrag=form.medlemsbidrag, saved=saved
    )
    if partial:
        form.take_stored(figures)  # the wrong cell keeps its text and its message
        return GridSave(form, figures, saved, 200)
    only_lines = None
    if page_mark and page_mark == before.mark and saved_alone(before, figures.count, saved):
        only_lines = changed_lines(before, figures) | {
            key[1] for key in map(form.cell_key, form.sent) if key[0] == "a"
        }
    return GridSave(BudgetGridForm(figures), figures, saved, 200, only_lines)
