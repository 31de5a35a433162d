"""What followup answers when plans carries a plan forward (plans.signals.plan_carried_forward)."""

from __future__ import annotations

from django.dispatch import receiver

from budgets.signals import plan_findings_asked
from followup.carry import bokslut_findings, opening_source, plan_carried
from plans.signals import carry_opening_asked, plan_carried_forward


@receiver(plan_carried_forward, dispatch_uid="followup.plan_carried")
def open_on_the_follow_up(sender, *, plan, previous, acting_user, **kwargs) -> None:
    """The new plan opens with the year before as the follow-up knows it."""
    plan_carried(plan=plan, previous=previous, acting_user=acting_user)


@receiver(carry_opening_asked, dispatch_uid="followup.carry_opening")
def opening_as_the_follow_up_knows_it(sender, *, forbund, year, **kwargs):
    """What a plan carried forward now would open with: the bokslut or the latest prognos."""
    source = opening_source(forbund, year)
    return None if source is None else (source.ub, source.said)


@receiver(plan_findings_asked, dispatch_uid="followup.bokslut_findings")
def findings_of_the_follow_up(sender, *, plan, unit, **kwargs):
    """A later plan's stated opening eget kapital against the bokslut (carry.bokslut_findings)."""
    return bokslut_findings(plan, unit)
