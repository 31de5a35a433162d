"""Where each plan check is fixed: a finding in Kontroller links to the page and the field.

The mapping goes from a finding's ref (and, where the ref does not say it, its code) to a URL name
and an anchor id that page renders: a year's medlemsbidrag to its cell in the editor, a target to
the field in the years form, fördelningstal to the member's form.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.urls import reverse

from budgets import checks
from budgets.forms import medlemsbidrag_name
from budgets.models import ColumnKind

if TYPE_CHECKING:
    from budgets.selectors import PlanFigures

# Refs fixed in a field of the years form (Budgetår): {ref: field name}.
YEAR_FIELDS = {
    "floor": "floor_amount",
    "individ": "min_individ_percent",
    "resultat": "deficit_reason",
    "ib": "stated_ib",
    "balans": "anlaggningstillgangar",
}
# Codes fixed on the members' page whatever their ref.
MEMBER_CODES = {"kommun-fordelning", "fordelningstal-forifyllt"}


@dataclass(frozen=True)
class ListedFinding:
    """A finding as Kontroller lists it: once for the years it is alike in, with its link."""

    finding: checks.Finding
    years: tuple[int, ...]
    url: str | None

    @property
    def severity(self) -> str:
        return self.finding.severity

    @property
    def message(self) -> str:
        return self.finding.message


def finding_url(figures: PlanFigures, finding: checks.Finding) -> str | None:
    """The page and the field where the finding is fixed, or None when no field fixes it (the
    adoption deadline)."""
    plan, ref, year = figures.plan, finding.ref, finding.year
    slug = plan.forbund.slug
    plan_args = {"slug": slug, "pk": plan.pk}
    rows = {c.year: c.entered for c in figures.plan_columns}
    if finding.code in MEMBER_CODES or ref == "members":
        return reverse("forbund_detail", kwargs={"slug": slug}) + "#medlemmar"
    if ref.startswith("member:"):
        pk = int(ref.removeprefix("member:"))
        return reverse("medlem_edit", kwargs={"slug": slug, "pk": pk}) + "#fordelningstal"
    if ref.startswith("insats:"):
        pk = int(ref.removeprefix("insats:"))
        field = "start" if finding.code == checks.INSATS_PERIOD else "risk"
        return reverse("insats_edit", kwargs={**plan_args, "insats_pk": pk}) + f"#id_{field}"
    editor = reverse("budget_editor", kwargs=plan_args)
    if ref.startswith("line:"):
        return f"{editor}#rad-line-{ref.removeprefix('line:')}"
    if ref == "medlemsbidrag" and year in rows:
        if finding.code == "ar-forifyllt":
            return (
                reverse("budget_years", kwargs=plan_args) + f"#id_y{rows[year].pk}-confirm_carried"
            )
        return f"{editor}#id_{medlemsbidrag_name(year, ColumnKind.BUDGET)}"
    if ref == "ub":
        return f"{editor}#rad-ub"
    if year in rows and (ref in YEAR_FIELDS or ref == "ceiling"):
        row = rows[year]
        if ref == "ceiling":
            field = "ceiling_amount" if row.ceiling_amount is not None else "ceiling_percent"
        else:
            field = YEAR_FIELDS[ref]
        return reverse("budget_years", kwargs=plan_args) + f"#id_y{row.pk}-{field}"
    return None


def listed_findings(figures: PlanFigures) -> list[ListedFinding]:
    """The plan's findings as Kontroller lists them, in the checks' order."""
    return [
        ListedFinding(finding, years, finding_url(figures, finding))
        for finding, years in checks.group_by_years(figures.findings)
    ]
