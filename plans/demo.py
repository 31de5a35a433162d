"""Loads the whole demo: the three seed förbund (finsam/demo.py), each förbund's budget groups
and plan with its budget (budgets/demo.py), insatser (insatser/demo.py), and Göteborg's real
adoption, which goes through the workflow (submitted by the kansli, approved and recorded by the
ordförande), as it did in life.

Idempotent: a förbund that already has a plan for the seed's budget year keeps it as it is.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from budgets.demo import load_budget, load_budget_groups
from budgets.models import StatementNote
from budgets.services_statement import statement_note_save
from finsam.demo import DEMO_SLUGS, load_admin, load_forbund, read_fixture
from finsam.models import Forbund
from insatser.demo import load_insatser
from plans import services, workflow
from plans.models import ArshjulEvent, Decision, Plan, PlanStatus, Section


@transaction.atomic
def load_demo() -> list[Forbund]:
    load_admin()
    loaded = []
    for slug in DEMO_SLUGS:
        data = read_fixture(slug)
        forbund = load_forbund(data)
        load_budget_groups(forbund, data)
        plan = load_plan(forbund, data)
        if plan is not None:
            # Each insats takes over a budget line loaded above (fixtures/<slug>-insatser.json).
            load_insatser(plan)
            adopt_demo_plan(plan, data)
        loaded.append(forbund)
    return loaded


def _seed_plan(forbund: Forbund, budget_year: int) -> Plan | None:
    return (
        Plan.objects.for_forbund(forbund)
        .filter(budget_year=budget_year)
        .order_by("-version")
        .first()
    )


def load_plan(forbund: Forbund, data: dict) -> Plan | None:
    """The fixture's plan, created through the services unless the förbund has it already."""
    spec = data.get("plan")
    if spec is None:
        return None
    existing = _seed_plan(forbund, spec["budget_year"])
    if existing is not None:
        return existing
    plan = services.plan_create(
        forbund=forbund,
        acting_user=None,
        budget_year=spec["budget_year"],
        plan_years=spec["plan_years"],
        comparison=spec.get("comparison_columns", ()),
        plan_year_heading=spec.get("plan_year_heading", "Plan"),
        opening_equity=Decimal(spec["opening_equity"]),
        under_use_percent=Decimal(spec["under_use_percent"]),
    )
    if spec.get("deficit_reason"):
        plan = services.plan_update(
            plan=plan, acting_user=None, data={"deficit_reason": spec["deficit_reason"]}
        )
    if "toc_depth" in spec or "number_chapters" in spec:
        plan = services.plan_update(
            plan=plan,
            acting_user=None,
            data={
                "toc_depth": spec.get("toc_depth", plan.toc_depth),
                "number_chapters": spec.get("number_chapters", plan.number_chapters),
            },
        )
    plan = load_budget(plan, spec)
    for row in spec.get("statement_notes", ()):
        statement_note_save(
            note=StatementNote(
                plan=plan, statement=row["statement"], label=row["label"], text=row["text"]
            ),
            acting_user=None,
        )
    load_document(plan, spec)
    return plan


def load_document(plan: Plan, spec: dict) -> None:
    """The seed's own sections (in the simple markup, plans/markup.py) and årshjul, in place of
    the default outline, through the same services the kansli uses."""
    if "sections" in spec:
        for section in plan.sections.all():
            services.section_delete(section=section, acting_user=None)
        for order, row in enumerate(spec["sections"], start=1):
            services.section_save(
                section=Section(plan=plan, title=row["title"], kind=row["kind"], order=order * 10),
                acting_user=None,
                data={"body": row.get("body", ""), "intro": row.get("intro", "")},
            )
    if "arshjul" in spec:
        for event in plan.arshjul.all():
            services.arshjul_event_delete(event=event, acting_user=None)
        for row in spec["arshjul"]:
            services.arshjul_event_save(
                event=ArshjulEvent(
                    plan=plan,
                    date=date.fromisoformat(row["date"]),
                    month_only=row.get("month_only", False),
                    kind=row["kind"],
                    title=row["title"],
                ),
                acting_user=None,
            )


def adopt_demo_plan(plan: Plan, data: dict) -> Plan:
    """Record the fixture's adoption of a seed plan, if it states one and the plan is untouched."""
    decision = data.get("plan", {}).get("adopted")
    if not decision or plan.status != PlanStatus.UTKAST or plan.version != 1:
        return plan  # not adopted in life, adopted already, or revised by someone trying the demo
    users = get_user_model().objects
    kansli = users.get(username=f"kansli-{plan.forbund.slug}")
    chair = users.get(username=f"ordforande-{plan.forbund.slug}")
    workflow.plan_submit(plan=plan, acting_user=kansli)
    workflow.plan_review(plan=plan, acting_user=chair, decision=Decision.GODKAND)
    ledamoter, _ = workflow.board(plan)
    return workflow.plan_adopt(
        plan=plan,
        acting_user=chair,
        meeting_date=date.fromisoformat(decision["meeting_date"]),
        paragraph=decision["paragraph"],
        diarienummer=decision.get("diarienummer", ""),
        present=[m.pk for m in ledamoter],  # the demo's board, all at the meeting
    )
