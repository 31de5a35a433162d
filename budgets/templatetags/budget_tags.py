"""{% budget_table_body %}: the budget table's rows, written in Python (budgets/table_html.py);
{% own_statement_rows plan as own %}: the rows a förbund adds to its statements."""

from __future__ import annotations

from django import template

from budgets.table_html import budget_body
from budgets.tables import own_statement_rows as own_rows

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
        document=bool(context.get("document")),
    )


@register.simple_tag
def own_statement_rows(plan):
    return own_rows(plan)
