"""Forms for creating a plan and editing its settings."""

from __future__ import annotations

from django import forms
from djmoney.money import Money

from finsam.fields import AmountField
from plans.models import Plan


class PlanForm(forms.ModelForm):
    opening_equity = AmountField(
        label="Ingående eget kapital budgetåret",
        allow_negative=True,
        required=False,
        help_text="Eget kapital vid ingången av budgetåret (balanserat resultat).",
    )

    class Meta:
        model = Plan
        fields = [
            "budget_year",
            "plan_years",
            "show_comparison",
            "under_use_percent",
            "deficit_reason",
        ]
        widgets = {"deficit_reason": forms.Textarea(attrs={"rows": 3})}
        error_messages = {
            "budget_year": {"invalid": "Ange budgetåret som ett årtal, t.ex. 2027."},
            "plan_years": {"invalid": "Ange antalet år som ett heltal."},
            "under_use_percent": {"invalid": "Ange en procentsats, t.ex. 5."},
        }

    def __init__(self, *args, forbund, unit: str, creating: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.forbund = forbund
        self.fields["opening_equity"].unit = unit
        if self.instance.pk:
            self.fields["opening_equity"].initial = self.instance.opening_equity.amount
            # The budget year is the plan's identity; a new year is a new plan.
            del self.fields["budget_year"]
        if creating:
            del self.fields["deficit_reason"]

    def clean(self):
        cleaned = super().clean()
        value = cleaned.get("opening_equity")
        if "opening_equity" not in self.errors:
            self.instance.opening_equity = Money(value or 0, "SEK")
        year = cleaned.get("budget_year")
        if (
            year
            and not self.instance.pk
            and Plan.objects.filter(forbund=self.instance.forbund, budget_year=year).exists()
        ):
            self.add_error(
                "budget_year",
                f"Förbundet har redan en plan för {year}. Öppna den, eller revidera den när den är antagen.",
            )
        return cleaned
