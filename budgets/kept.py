"""What a plan's pages show that depends only on its figures and content, kept rendered.

The editor's table (5 000 inputs at 800 lines, 20 000 at 3 200), its panels and its line of
checks are the same for every reader of the same figures who sees the same variant (editable
or not, kansli or not); so are the reports page's tables, and, in other apps, the insatser
list, the plan's page's figures and the document's sections. They are rendered once and kept
as HTML under the figures' own key (the plan, its lock version, the förbund's count of changes
and the day: see budgets.selectors.plan_figures), in this process (finsam.cache.memo) and in
the cache the processes share. A warm page is then a lookup and a join, and another process
reads a few strings, never the figures themselves. Any change to what the figures depend on is
counted, so a kept part is never stale: a new count is a new key.

A part is rendered by its first reader (kept), or for the next reader after a change (warm),
or, after an autosave of amounts, made from the part kept for the figures just before it:
the changed rows put in place and the sums written anew (keep_after_save, after_autosave).

A page that shows a form bound to a post (a wrong cell, a conflict) is not kept: it is built
from the figures and the form as before (budgets.views.budget_editor).
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from budgets.selectors import (
    FIGURES_CACHE_SECONDS,
    KEY_VERSION,
    change_count,
    plan_figures,
)
from finsam.cache import after_answer, memo

T = TypeVar("T")
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EditorParts:
    """The editor's figures as HTML: the table with its footnotes, the line of checks and the
    panels (summary, targets, charts and Kontroller); mark names the figures they show."""

    mark: str
    table: SafeString
    checks_line: SafeString
    panels: SafeString


def kept(plan, part: str, render: Callable[[], T]) -> T:
    """What `render` makes of the plan now, kept under the plan's key and the name of the part
    (which must name every variant the part has, such as the reader's role): the förbund's
    count of changes and the day, as the figures are (budgets.selectors.plan_figures). Inside
    a transaction it is rendered and not kept, since what was counted may be rolled back."""
    count = change_count(plan)
    if count is None:
        return render()
    key = _key(plan, part, count)
    value = memo.get(key)
    if value is None:
        value = cache.get(key)
        if value is None:
            # What is kept under the count must be at least as new as the count: the plan and
            # its förbund, read before it, are read again (the figures read their own after).
            plan.refresh_from_db()
            plan.forbund.refresh_from_db()
            value = render()
            after_answer(lambda: cache.set(key, value, FIGURES_CACHE_SECONDS))
        memo.set(key, value)
    return value


def _key(plan, part: str, count: int, day=None) -> str:
    day = day or timezone.localdate()
    return f"{part}:{KEY_VERSION}:{plan.pk}:{plan.lock_version}:{count}:{day}"


def _editor_part(editable: bool, kansli: bool) -> str:
    return f"editor-parts-{int(editable)}{int(kansli)}"


def editor_parts(plan, *, editable: bool, kansli: bool) -> EditorParts:
    """The editor's parts for the plan's figures now: kept, or rendered and kept."""
    return kept(
        plan,
        _editor_part(editable, kansli),
        lambda: render_editor_parts(plan, forbund=plan.forbund, editable=editable, kansli=kansli),
    )


# A row of a table with an id, as written (budgets.table_html.budget_body, the insatser list).
ROW = re.compile(r'<tr id="([^"]+)"[^>]*>.*?</tr>\n', re.S)


def put_rows(table: str, rows: dict[str, str]) -> str | None:
    """The table with each row of `rows` (by its id, as ROW finds it) in place of the
    row of that id; None when one is not in the table. A few rows are sought in a table of
    thousands, not every row matched (a regular expression over 3.7 MB took 50 ms)."""
    spans = []
    for row_id, row in rows.items():
        start = table.find(f'<tr id="{row_id}"')
        if start < 0:
            return None
        match = ROW.match(table, start)
        if match is None or match.group(1) != row_id:
            return None
        spans.append((start, match.end(), row))
    out, at = [], 0
    for start, end, row in sorted(spans):
        out += [table[at:start], row]
        at = end
    out.append(table[at:])
    return "".join(out)


# The parts an autosave keeps for the figures after it (keep_after_save): the part's name, as
# given to kept(), and what makes it from the plan, the figures after the save, the part kept
# for the figures before it and the save's budget context (budgets.tables.budget_context with
# only the rows it changed); None: not kept, the next reader renders it. Every such part carries
# the mark of the figures it shows (PlanFigures.mark). budgets keeps the editor's and the
# reports page's; another app adds its own (after_autosave).
AfterAutosave = Callable[[object, object, object, dict], object | None]
AFTER_AUTOSAVE: list[tuple[str, AfterAutosave]] = []


def after_autosave(part: str, **fixed):
    """Register what makes `part` after an autosave (with `fixed` keyword arguments, such as
    the reader's variant the part's name says)."""

    def register(make: AfterAutosave) -> AfterAutosave:
        AFTER_AUTOSAVE.append((part, functools.partial(make, **fixed) if fixed else make))
        return make

    return register


def after_autosave_per_reader(part_of: Callable[[bool], str]):
    """Register what makes a part after an autosave for kansli and for every other reader:
    part_of(kansli) names the part, and the maker is called with kansli."""

    def register(make: AfterAutosave) -> AfterAutosave:
        for kansli in (True, False):
            after_autosave(part_of(kansli), kansli=kansli)(make)
        return make

    return register


def keep_after_save(plan, *, figures, context: dict, before_count: int) -> None:
    """After an autosave answered with only what it changed (budgets.views.budget_editor; the
    save was the one change since the figures before it, counted before_count), keep each part
    of the plan's pages that shows its figures for the figures after it (AFTER_AUTOSAVE), so
    that the next reader, in any process, reads it instead of rendering the page. A part is made
    from the part kept for the figures before, exactly those (its mark): a table gets the
    changed rows put in place, and what sums the figures is written anew. Done after the
    answer has gone. Nothing is kept when the part before is not (its reader renders it), a row
    is not found, or anything changed since the save: the next reader then renders the page."""
    if figures.count is None:
        return
    day, lock_version = figures.source.today, plan.lock_version
    before_mark = f"{before_count}-{day.isoformat()}"

    def keep(part: str, make: AfterAutosave) -> None:
        key = _key(plan, part, figures.count, day)
        if memo.get(key) is not None:
            return
        before_key = _key(plan, part, before_count, day)
        before = memo.get(before_key)
        if before is None:
            before = cache.get(before_key)
        if getattr(before, "mark", None) != before_mark:
            return  # not kept, or rendered from newer figures than its key says
        value = make(plan, figures, before, context)
        if value is not None:
            memo.set(key, value)
            cache.set(key, value, FIGURES_CACHE_SECONDS)

    def work() -> None:
        # What the parts show of the plan and its förbund, as of the save's count.
        plan.refresh_from_db()
        plan.forbund.refresh_from_db()
        if plan.lock_version != lock_version or change_count(plan) != figures.count:
            return
        for part, make in AFTER_AUTOSAVE:
            try:
                keep(part, make)
            except Exception:  # one part's failure leaves the others kept
                logger.exception("Delen %s hölls inte kvar efter autosparandet", part)

    after_answer(work)


def written_rows(plan, figures, context: dict, **how) -> dict[str, str]:
    """The save's rows (context["rows"]) as budget_body writes them (`how`: editable,
    document), by their ids, to be put in place (put_rows)."""
    from budgets.table_html import budget_body

    written = budget_body(
        context["rows"],
        unit=plan.amount_unit,
        ncols=len(figures.columns),
        finding_refs=context["finding_refs"],
        slug=plan.forbund.slug,
        plan_pk=plan.pk,
        **how,
    )
    return rows_by_id(written)


def rows_by_id(html: str) -> dict[str, str]:
    return {m.group(1): m.group(0) for m in ROW.finditer(html)}


@after_autosave(_editor_part(True, True))
def _editor_after_save(plan, figures, before: EditorParts, context: dict) -> EditorParts | None:
    table = put_rows(before.table, written_rows(plan, figures, context, editable=True))
    if table is None:
        return None
    parts_context = {**context, "editable": True, "access": Reader(True)}
    return EditorParts(
        mark=figures.mark,
        table=mark_safe(table),  # the kept table, rows written by budget_body
        checks_line=mark_safe(render_to_string("budgets/editor.html#checks_line", parts_context)),
        panels=mark_safe(render_to_string("budgets/editor.html#panels", parts_context)),
    )


def render_editor_parts(plan, *, forbund, editable: bool, kansli: bool) -> EditorParts:
    """Render the parts from the plan's figures and an unbound grid (never from the cache of
    parts: budgets.tables and the templates are the one way a budget table is written)."""
    from budgets.forms import BudgetGridForm
    from budgets.tables import attach_fields, budget_context

    figures = plan_figures(plan)
    context = {
        "plan": plan,
        "forbund": forbund,
        "editable": editable,
        "access": Reader(kansli),
        **budget_context(figures),
    }
    if editable:
        attach_fields(context["rows"], BudgetGridForm(figures))
    return EditorParts(
        mark=figures.mark,
        table=mark_safe(render_to_string("budgets/budget_table.html", context)),
        checks_line=mark_safe(render_to_string("budgets/editor.html#checks_line", context)),
        panels=mark_safe(render_to_string("budgets/editor.html#panels", context)),
    )


@dataclass(frozen=True)
class Reader:
    # What the kept parts may know of the reader: only whether they are kansli (the
    # findings link to where a figure is fixed for them), which is part of the key.
    is_kansli: bool


@dataclass(frozen=True)
class StatementParts:
    """The reports page as kept, for the figures of `mark`: the budget table (whose rows an
    autosave puts in place) and the rest, which sums the figures (resultat- och balansbudget,
    member parts, panels, findings)."""

    mark: str
    table: SafeString
    rest: SafeString


def _statements_part(kansli: bool) -> str:
    return f"statements-{int(kansli)}"


def statements_body(plan, *, kansli: bool) -> SafeString:
    """The reports page's tables (the budget, resultat- och balansbudget, member parts,
    panels), kept: the same for every reader of the figures, but for the findings' links,
    which are kansli's."""
    parts = kept(plan, _statements_part(kansli), lambda: render_statements(plan, kansli=kansli))
    return mark_safe(parts.table + parts.rest)


def render_statements(plan, *, kansli: bool) -> StatementParts:
    from budgets.tables import budget_context

    figures = plan_figures(plan)
    context = {
        "plan": plan,
        "forbund": plan.forbund,
        "access": Reader(kansli),
        "editable": False,
        **budget_context(figures),
    }
    return StatementParts(
        mark=figures.mark,
        table=mark_safe(render_to_string("budgets/statements.html#budget", context)),
        rest=_statements_rest(context),
    )


def _statements_rest(context: dict) -> SafeString:
    return mark_safe(render_to_string("budgets/statements.html#statements", context))


@after_autosave_per_reader(_statements_part)
def _statements_after_save(
    plan, figures, before: StatementParts, context: dict, *, kansli: bool
) -> StatementParts | None:
    table = put_rows(before.table, written_rows(plan, figures, context))
    if table is None:
        return None
    return StatementParts(
        mark=figures.mark,
        table=mark_safe(table),
        rest=_statements_rest({**context, "editable": False, "access": Reader(kansli)}),
    )


# What a change leaves rendered for the next reader (warm): each app that keeps a part of a
# plan's pages adds the part's renderer here (warmer), so a page read after any change of the
# plan, not only after the editor's own save, is as fast as a warm one.
WARMERS: list[Callable[[object], object]] = []


def warmer(render: Callable[[object], object]) -> Callable[[object], object]:
    WARMERS.append(render)
    return render


def warm(plan) -> None:
    """Render and keep every kept part of the plan's pages that its kansli reads, unless kept
    already (plans.middleware.WarmAfterChangeMiddleware calls it after a change's answer)."""
    if change_count(plan) is None:
        return  # inside a transaction nothing is kept
    for render in WARMERS:
        render(plan)


@warmer
def _editor(plan) -> object:
    return editor_parts(plan, editable=plan.is_editable, kansli=True)


@warmer
def _statements(plan) -> object:
    return statements_body(plan, kansli=True)
