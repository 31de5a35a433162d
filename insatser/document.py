"""What the insatser app adds to the plan document and its PDF (plans.document calls it).

The generated sections "Målgrupper", "Inriktning och mål för perioden" and "Insatser" read
this context; the same tables stand on the insatser pages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Prefetch

from insatser import rules
from insatser.models import Agenda2030Tag, Insats, Malgrupp
from insatser.models_mal import Indikator, Mal
from insatser.selectors import with_plan_members
from insatser.tables import KIND_GROUPS, malgrupp_table

if TYPE_CHECKING:
    from finsam.models import Medlem
    from plans.models import Plan


def _mal():
    return Mal.objects.prefetch_related(
        Prefetch("indikatorer", queryset=Indikator.objects.order_by("order", "pk"))
    )


def document_context(plan: Plan, members: dict[int, Medlem]) -> dict:
    """Målgrupper with their table, the plan's mål, and the active insatser by kind; members
    are the plan's by id, as it shows them (PlanFigures.members_by_pk)."""
    malgrupper = list(Malgrupp.objects.for_plan(plan))
    insatser = list(
        Insats.objects.for_plan(plan)
        .active()
        .select_related("agare")
        .prefetch_related("parter", "malgrupper", "agenda2030_tags", Prefetch("mal", _mal()))
    )
    with_plan_members(insatser, members)
    plan_mal = list(_mal().for_plan(plan).plan_level())
    return {
        "doc_malgrupper": malgrupper,
        "doc_malgrupp_table": malgrupp_table(malgrupper, insatser),
        "doc_mal_levels": [
            (label, [m for m in plan_mal if m.level == level])
            for level, label in rules.MAL_LEVEL_CHOICES
            if level in rules.PLAN_LEVELS
        ],
        "doc_plan_tags": list(
            Agenda2030Tag.objects.filter(plan=plan, insats__isnull=True).order_by("goal")
        ),
        "doc_insats_groups": [
            (label, [i for i in insatser if i.kind == kind])
            for kind, label in KIND_GROUPS
            if any(i.kind == kind for i in insatser)
        ],
    }
