"""The plan as a document: the context that the document page and the PDF both render.

Generated sections read the same computed figures as every other page (budgets.selectors), and
the insatser app's part (insatser.document: insatser, mål, målgrupper).
"""

from __future__ import annotations

from budgets.selectors import plan_figures
from budgets.tables import budget_context
from insatser.document import document_context as insatser_context
from plans.models import Plan


def document_context(plan: Plan) -> dict:
    """Sections, årshjul, the budget, the insatser with their mål, for one plan."""
    figures = plan_figures(plan)
    return {
        "plan": plan,
        "forbund": plan.forbund,
        "sections": list(plan.sections.all()),
        "arshjul": list(plan.arshjul.all()),
        **budget_context(figures),
        **insatser_context(plan, members=figures.members_by_pk),
    }
