"""What followup answers when plans carries a plan forward (plans.signals.plan_carried_forward)."""

from __future__ import annotations

from django.dispatch import receiver

from followup.carry import plan_carried
from plans.signals import plan_carried_forward


@receiver(plan_carried_forward, dispatch_uid="followup.plan_carried")
def open_on_the_follow_up(sender, *, plan, previous, acting_user, **kwargs) -> None:
    """The new plan opens with the year before as the follow-up knows it."""
    plan_carried(plan=plan, previous=previous, acting_user=acting_user)
