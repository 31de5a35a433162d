"""What the budget editor shows that depends only on a plan's figures, kept rendered.

The editor's table (5 000 inputs at 800 lines, 20 000 at 3 200), its panels and its line of
checks are the same for every reader of the same figures who sees the same variant (editable
or not, kansli or not). They are rendered once and kept as HTML under the figures' own key (the
plan, its lock version, the förbund's count of changes and the day: see
budgets.selectors.plan_figures), in this process (finsam.cache.memo) and in the cache the
processes share. A warm editor is then a lookup and a join, and another process reads a few
strings, never the figures themselves. Any change to what the figures depend on is counted, so
a kept part is never stale: a new count is a new key.

A page that shows a form bound to a post (a wrong cell, a conflict) is not kept: it is built
from the figures and the form as before (budgets.views.budget_editor).
"""

from __future__ import annotations

from dataclasses import dataclass

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
from finsam.cache import memo


@dataclass(frozen=True)
class EditorParts:
    """The editor's figures as HTML: the table with its footnotes, the line of checks and the
    panels (summary, targets, charts and Kontroller); mark names the figures they show."""

    mark: str
    table: SafeString
    checks_line: SafeString
    panels: SafeString


def _key(plan, count: int, today, editable: bool, kansli: bool) -> str:
    return (
        f"editor-parts:{KEY_VERSION}:{plan.pk}:{plan.lock_version}:{count}:{today}:"
        f"{int(editable)}{int(kansli)}"
    )


def editor_parts(plan, *, forbund, editable: bool, kansli: bool) -> EditorParts:
    """The editor's parts for the plan's figures now: kept, or rendered and kept."""
    today = timezone.localdate()
    count = change_count(plan)
    key = _key(plan, count, today, editable, kansli) if count is not None else None
    if key is not None:
        kept = memo.get(key)
        if kept is None:
            kept = cache.get(key)
            if kept is not None:
                memo.set(key, kept)
        if kept is not None:
            return kept
    parts = render_editor_parts(plan, forbund=forbund, editable=editable, kansli=kansli)
    if key is not None and parts.mark:
        memo.set(key, parts)
        cache.set(key, parts, FIGURES_CACHE_SECONDS)
    return parts


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
        "access": _Reader(kansli),
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
class _Reader:
    # What the kept parts may know of the reader: only whether they are kansli (the
    # findings link to where a figure is fixed for them), which is part of the key.
    is_kansli: bool
