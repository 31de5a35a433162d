"""Reads of plans that span förbund: what the start page shows a person."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from plans.models import ArshjulEvent, Plan

UPCOMING_SHOWN = 4


@dataclass(frozen=True)
class StartPage:
    """Per förbund (by id): its current plan, and what comes next in it."""

    current_plans: dict[int, Plan]
    upcoming: dict[int, list[tuple[date, str]]]


def start_page(forbund_ids: Iterable[int], *, today: date) -> StartPage:
    """Each förbund's current plan, and the next dates of its årshjul with the adoption deadline.

    The current plan is the newest budget year's newest version. What comes next: the current
    plans' årshjul from today, and the adoption deadline of a plan not yet adopted.
    """
    current: dict[int, Plan] = {}
    for plan in Plan.objects.filter(forbund_id__in=set(forbund_ids)).order_by(
        "-budget_year", "-version"
    ):
        current.setdefault(plan.forbund_id, plan)
    forbund_of_plan = {plan.pk: forbund_id for forbund_id, plan in current.items()}
    upcoming: dict[int, list[tuple[date, str]]] = {}
    events = ArshjulEvent.objects.filter(plan__in=list(forbund_of_plan), date__gte=today)
    for event in events.order_by("date"):
        upcoming.setdefault(forbund_of_plan[event.plan_id], []).append((event.date, event.title))
    for forbund_id, plan in current.items():
        if not plan.is_adopted:
            upcoming.setdefault(forbund_id, []).append(
                (plan.adoption_deadline, f"Sista dag att anta {plan.title.lower()}")
            )
        upcoming[forbund_id] = sorted(upcoming.get(forbund_id, []))[:UPCOMING_SHOWN]
    return StartPage(current_plans=current, upcoming=upcoming)
