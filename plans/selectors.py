"""Reads of plans that span förbund: what the start page shows a person."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Exists, OuterRef, Q

from budgets.checks import adoption_deadline, due_budget_years
from finsam.models import Role, Seat
from plans.models import Approval, ArshjulEvent, Comment, Plan, PlanStatus

UPCOMING_SHOWN = 4
NEWLY_ADOPTED_DAYS = 45


@dataclass(frozen=True)
class Upcoming:
    """A date on the start page: an årshjul event, or the last day to adopt a plan that is due.

    A deadline names the plan it concerns, or, when no plan for the year has been begun, the
    plan the kansli can carry forward into it (none: a new plan from scratch)."""

    when: date
    what: str
    plan: Plan | None = None
    missing_year: int | None = None
    create_from: Plan | None = None


@dataclass(frozen=True)
class StartPage:
    """Per förbund (by id): its current plan, and what comes next in it."""

    current_plans: dict[int, Plan]
    upcoming: dict[int, list[Upcoming]]
    # What waits for this person, per förbund: (what, the plan it concerns).
    waiting: dict[int, list[tuple[str, Plan]]] = field(default_factory=dict)


def start_page(forbund_ids: Iterable[int], *, today: date) -> StartPage:
    """Each förbund's current plan, and the next dates of its årshjul with the adoption deadlines.

    The current plan is the newest budget year's newest version. What comes next: the current
    plans' årshjul from today, and the last day to adopt each plan that is due
    (budgets.checks.due_budget_years): late ones stay listed until they are adopted, and a year
    whose plan has not been begun is listed as such.
    """
    plans_of: dict[int, list[Plan]] = {}
    for plan in Plan.objects.filter(forbund_id__in=set(forbund_ids)).order_by(
        "-budget_year", "-version"
    ):
        plans_of.setdefault(plan.forbund_id, []).append(plan)
    current = {forbund_id: plans[0] for forbund_id, plans in plans_of.items()}
    forbund_of_plan = {plan.pk: forbund_id for forbund_id, plan in current.items()}
    upcoming: dict[int, list[Upcoming]] = {}
    events = ArshjulEvent.objects.filter(plan__in=list(forbund_of_plan), date__gte=today)
    for event in events.order_by("date"):
        upcoming.setdefault(forbund_of_plan[event.plan_id], []).append(
            Upcoming(event.date, event.title)
        )
    for forbund_id, plans in plans_of.items():
        newest: dict[int, Plan] = {}
        for plan in plans:
            newest.setdefault(plan.budget_year, plan)
        adopted = {plan.budget_year for plan in plans if plan.is_adopted}
        dates: list[Upcoming] = []
        for year in due_budget_years(today=today, planned=set(newest), adopted=adopted):
            plan = newest.get(year)
            if plan is not None:
                dates.append(
                    Upcoming(
                        plan.adoption_deadline, f"Sista dag att anta {plan.title.lower()}", plan
                    )
                )
                continue
            source = newest.get(year - 1)
            dates.append(
                Upcoming(
                    adoption_deadline(year),
                    f"Sista dag att anta verksamhetsplan och budget {year}",
                    missing_year=year,
                    create_from=source if source and year in source.next_budget_years else None,
                )
            )
        # Every deadline is shown; the årshjul fills the rest.
        events = upcoming.get(forbund_id, [])[: max(0, UPCOMING_SHOWN - len(dates))]
        upcoming[forbund_id] = sorted(dates + events, key=lambda u: u.when)
    return StartPage(current_plans=current, upcoming=upcoming)


def waiting_for(user, memberships, *, today: date) -> dict[int, list[tuple[str, Plan]]]:
    """What waits for a person in each förbund, by role, in a fixed number of queries:
    kansli: plans returned with requested changes, and unresolved comment threads;
    styrelse: submitted plans an ordinarie ledamot has not yet taken a position on (an
    ersättare: submitted plans to read and comment); revisor: newly adopted plans."""
    roles: dict[int, set[str]] = {}
    for m in memberships:
        roles.setdefault(m.forbund_id, set()).add(
            "ledamot" if m.role == Role.STYRELSE and m.seat == Seat.LEDAMOT else m.role
        )
    by_role = {
        role: [f for f, rs in roles.items() if role in rs]
        for role in (Role.KANSLI, "ledamot", Role.STYRELSE, Role.REVISOR)
    }
    waiting: dict[int, list[tuple[str, Plan]]] = {}

    def add(plan: Plan, text: str) -> None:
        waiting.setdefault(plan.forbund_id, []).append((text, plan))

    if by_role[Role.KANSLI]:
        returned = Comment.objects.filter(
            plan=OuterRef("pk"), is_return=True, round=OuterRef("submission_round")
        )
        plans = (
            Plan.objects.filter(forbund_id__in=by_role[Role.KANSLI])
            .exclude(status=PlanStatus.ANTAGEN)
            .annotate(
                returned=Exists(returned),
                open_threads=Count(
                    "comments",
                    filter=Q(comments__parent__isnull=True, comments__resolved_at__isnull=True),
                ),
            )
        )
        for plan in plans:
            if plan.is_editable and plan.submission_round and plan.returned:
                add(plan, "återremitterad med begärda ändringar")
            if plan.open_threads:
                add(plan, f"{plan.open_threads} olösta kommentarer")
    reviewers = by_role["ledamot"]
    deputies = [f for f in by_role[Role.STYRELSE] if f not in reviewers]
    if reviewers or deputies:
        mine = Approval.objects.filter(
            plan=OuterRef("pk"), user=user, round=OuterRef("submission_round")
        )
        for plan in Plan.objects.filter(
            forbund_id__in=reviewers + deputies, status=PlanStatus.INLAMNAD
        ).annotate(taken=Exists(mine)):
            if plan.forbund_id in reviewers and not plan.taken:
                add(plan, "väntar på ditt ställningstagande")
            elif plan.forbund_id in deputies:
                add(plan, "inlämnad till styrelsen")
    if by_role[Role.REVISOR]:
        since = today - timedelta(days=NEWLY_ADOPTED_DAYS)
        for plan in Plan.objects.filter(
            forbund_id__in=by_role[Role.REVISOR],
            status=PlanStatus.ANTAGEN,
            adopted_at__date__gte=since,
        ):
            add(plan, f"nyligen antagen ({plan.meeting_date:%Y-%m-%d})")
    return waiting
