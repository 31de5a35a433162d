"""What budgets asks of a change to a förbund's settings (finsam.signals.forbund_changing)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.dispatch import receiver

from budgets.models import BudgetYear
from finsam.signals import forbund_changing


@receiver(forbund_changing, dispatch_uid="budgets.rounding_unit")
def refuse_rounding_a_draft_cannot_keep(sender, *, forbund, data, **kwargs) -> None:
    """A new rounding unit must divide every medlemsbidrag of the förbund's draft plans."""
    if "rounding_unit" not in data:
        return
    unit = data["rounding_unit"]
    drafts = [plan.pk for plan in forbund.plans.all() if plan.is_editable]
    amounts = BudgetYear.objects.filter(plan__in=drafts).values_list("medlemsbidrag", flat=True)
    if any(amount % unit for amount in amounts):
        raise ValidationError(
            {
                "rounding_unit": f"Medlemsbidraget i en plan under arbete går inte jämnt upp i "
                f"{unit} kr. Ändra beloppen först."
            }
        )
