"""The plan as a document: the context that the document page and the PDF both render.

Generated sections read the same computed figures as every other page (budgets.selectors), and
the insatser app's part (insatser.document: insatser, mål, målgrupper).
"""

from __future__ import annotations

import base64

from django.utils.formats import date_format

from budgets.selectors import plan_figures
from budgets.tables import budget_context
from finsam.logo import stored_logo
from insatser.document import document_context as insatser_context
from plans.models import Plan


def logo_data_uri(plan: Plan) -> str:
    """The logo as a data: URI, so the PDF renderer reads no file outside static/ (pdf.py).

    Checked again and encoded again from its pixels (finsam.logo): a stored file may have come
    some other way than the form, such as a restored backup. One that is no logo is left out.
    """
    logo = stored_logo(plan.logo_name)
    if logo is None:
        return ""
    mime, image = logo
    return f"data:{mime};base64,{base64.b64encode(image).decode()}"


def version_history(plan: Plan) -> list[str]:
    """For a revised plan: each version of its budget year up to this one, with its decision
    ("Version 1: antagen av styrelsen den 27 november 2020, §108"). Empty for a first version."""
    if plan.version == 1:
        return []
    versions = Plan.objects.filter(
        forbund_id=plan.forbund_id, budget_year=plan.budget_year, version__lte=plan.version
    ).order_by("version")
    lines = []
    for version in versions:
        if version.pk == plan.pk:
            decided = plan.decision_text or "ännu inte antagen"
            replaced = plan.revises
            text = f"Version {plan.version} (denna): reviderad, {decided[:1].lower()}{decided[1:]}"
            if replaced is not None:
                text += f"; ersätter version {replaced.version}"
                if replaced.meeting_date:
                    text += f" antagen {date_format(replaced.meeting_date, 'j F Y')}"
                    if replaced.paragraph:
                        text += f", {replaced.paragraph}"
            lines.append(text + ".")
        else:
            decided = version.decision_text or version.get_status_display().lower()
            lines.append(f"Version {version.version}: {decided[:1].lower()}{decided[1:]}.")
    return lines


def document_context(plan: Plan) -> dict:
    """Sections, årshjul, the budget, the insatser with their mål, for one plan."""
    figures = plan_figures(plan)
    return {
        "plan": plan,
        "logo_src": logo_data_uri(plan),
        "version_history": version_history(plan),
        "forbund": plan.forbund,
        "sections": list(plan.sections.all()),
        "arshjul": list(plan.arshjul.all()),
        **budget_context(figures),
        **insatser_context(plan, members=figures.members_by_pk),
    }
