"""The demo's adopted plan: a seed plan whose decision the fixture records goes through the
workflow (submitted by the kansli, approved and recorded by the ordförande), as it did in life."""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model

from finsam.models import Forbund
from plans import services
from plans.models import UTKAST, Plan


def adopt_demo_plan(forbund: Forbund, data: dict) -> Plan | None:
    spec = data.get("plan", {})
    decision = spec.get("adopted")
    if not decision:
        return None
    plan = (
        Plan.objects.for_forbund(forbund)
        .filter(budget_year=spec["budget_year"])
        .order_by("-version")
        .first()
    )
    if plan is None or plan.status != UTKAST or plan.version != 1:
        return plan  # adopted already, or revised by someone trying the demo: leave it
    users = get_user_model().objects
    kansli = users.get(username=f"kansli-{forbund.slug}")
    chair = users.get(username=f"ordforande-{forbund.slug}")
    services.plan_submit(plan=plan, acting_user=kansli)
    services.plan_review(plan=plan, acting_user=chair, decision="godkand")
    return services.plan_adopt(
        plan=plan,
        acting_user=chair,
        meeting_date=date.fromisoformat(decision["meeting_date"]),
        paragraph=decision["paragraph"],
        diarienummer=decision.get("diarienummer", ""),
    )
