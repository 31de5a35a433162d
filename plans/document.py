"""The plan as a document: the context that the document page and the PDF both render.

Generated sections read the same computed figures as every other page (budgets.selectors); other
apps add what they generate through DOCUMENT_PROVIDERS (insatser adds insatser, mål, målgrupper).
"""

from __future__ import annotations

from collections.abc import Callable

from budgets.selectors import plan_figures
from budgets.tables import budget_context
from plans.models import Plan

# Callables plan -> dict, merged into the document context.
DOCUMENT_PROVIDERS: list[Callable[[Plan], dict]] = []


def document_context(plan: Plan) -> dict:
    """Sections, årshjul, the budget and whatever other apps generate, for one plan."""
    figures = plan_figures(plan)
    context = {
        "plan": plan,
        "forbund": plan.forbund,
        "sections": list(plan.sections.all()),
        "arshjul": list(plan.arshjul.all()),
        **budget_context(figures),
    }
    for provider in DOCUMENT_PROVIDERS:
        context.update(provider(plan))
    return context
