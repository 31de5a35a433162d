"""{% budget_table_body %}: the budget table's rows, written in Python (budgets/table_html.py)."""

from __future__ import annotations

from django import template

from budgets.table_html import budget_body

register = template.Library()


@register.simple_tag(takes_context=True)
def budget_table_body(context, oob=False):
    plan = context["plan"]
    forbund = context.get("forbund")
    return budget_body(
        context["rows"],
        unit=plan.amount_unit,
        ncols=len(context["figures"].columns),
        editable=bool(context.get("editable")),
        finding_refs=context.get("finding_refs") or (),
        slug=getattr(forbund, "slug", ""),
        plan_pk=plan.pk,
        oob=oob,
    )
