"""Forms for insatser, their money per year, målgrupper and Agenda 2030 (mål: forms_mal.py).

Only the plan's förbund's members and the plan's målgrupper are offered, so another förbund's
member cannot even be chosen; every message is Swedish and stands beside its field.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django import forms

from budgets.checks import period_outside_message, period_outside_years
from budgets.models import BudgetAmount, ColumnKind, Level
from finsam.fields import AmountField, DecimalField, ModelMultipleChoiceField
from finsam.forms import OwnedModelForm
from finsam.models import Medlem
from finsam.money import format_typed_percent
from finsam.saving import SafeFormMixin
from insatser import rules
from insatser.models import Insats, Malgrupp
from insatser.services import YearMoney
from insatser.validators import DATE_MAX, DATE_MIN

if TYPE_CHECKING:
    from plans.models import Plan

# min and max guide the browser's date picker; the model says why a date outside is refused.
DATE = forms.DateInput(
    attrs={"type": "date", "min": DATE_MIN.isoformat(), "max": DATE_MAX.isoformat()},
    format="%Y-%m-%d",
)
MEMBER_CHOICE_MESSAGE = "Välj en av förbundets medlemmar."
PERCENT_ERRORS = {
    "invalid": "Ange en procentsats, t.ex. 47.",
    "min_value": rules.PERCENT_MESSAGE,
    "max_value": rules.PERCENT_MESSAGE,
    "max_digits": rules.PERCENT_MESSAGE,
    "max_decimal_places": "Ange högst två decimaler.",
}


def _members(plan: Plan):
    return Medlem.objects.for_forbund(plan.forbund)


class MemberChoice(forms.ModelChoiceField):
    default_error_messages = {"invalid_choice": MEMBER_CHOICE_MESSAGE}


class InsatsForm(SafeFormMixin, OwnedModelForm):
    struktur_percent = forms.IntegerField(
        label="Andel struktur (%)",
        required=False,
        min_value=0,
        max_value=100,
        error_messages={
            "invalid": "Ange andelen i hela procent.",
            # Django formats these with the limit: a percent sign is written %%.
            "min_value": rules.MIX_MESSAGE.replace("%", "%%"),
            "max_value": rules.MIX_MESSAGE.replace("%", "%%"),
        },
    )
    agenda2030 = forms.TypedMultipleChoiceField(
        label="Agenda 2030-mål",
        choices=rules.AGENDA_2030_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Valfritt: de globala mål som insatsen bidrar till.",
    )
    gender_balance = forms.BooleanField(
        label="Följ upp jämn könsfördelning (40–60 %)",
        required=False,
        help_text="Lägger till standardindikatorn: det minst företrädda könet utgör minst 40 % av "
        "deltagarna (mäts i SUS).",
    )

    class Meta:
        model = Insats
        fields = [
            "name",
            "description",
            "kind",
            "individ_percent",
            "struktur_percent",
            "status",
            "agare",
            "parter",
            "malgrupper",
            "age_min",
            "age_max",
            "start",
            "end",
            "decision_date",
            "decision_paragraph",
            "contact_name",
            "contact_email",
            "contact_phone",
            "risk",
            "risk_comment",
            "effekt",
            "effekt_comment",
            "agenda2030",
            "gender_balance",
            "order",
        ]
        field_classes = {
            "agare": MemberChoice,
            "parter": ModelMultipleChoiceField,
            "malgrupper": ModelMultipleChoiceField,
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "risk_comment": forms.Textarea(attrs={"rows": 2}),
            "effekt_comment": forms.Textarea(attrs={"rows": 2}),
            "start": DATE,
            "end": DATE,
            "decision_date": DATE,
            "parter": forms.CheckboxSelectMultiple,
            "malgrupper": forms.CheckboxSelectMultiple,
        }
        error_messages = {
            "start": {"invalid": "Ange ett datum, t.ex. 2027-01-01."},
            "end": {"invalid": "Ange ett datum, t.ex. 2029-12-31."},
            "decision_date": {"invalid": "Ange ett datum, t.ex. 2026-11-27."},
            "age_min": {"invalid": "Ange åldern i hela år."},
            "age_max": {"invalid": "Ange åldern i hela år."},
            "individ_percent": {"invalid": "Ange andelen i hela procent."},
            "contact_email": {"invalid": "Ange en e-postadress, t.ex. namn@kommun.se."},
            "order": {"invalid": "Ange ordningen som ett heltal."},
        }

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
        members = _members(plan)
        self.fields["agare"].queryset = members
        self.fields["parter"].queryset = members
        self.fields["parter"].error_messages["invalid_choice"] = MEMBER_CHOICE_MESSAGE
        self.fields[
            "parter"
        ].help_text = "Individinriktade insatser ska involvera minst två medlemmar."
        self.fields["malgrupper"].queryset = Malgrupp.objects.for_plan(plan)
        self.fields["malgrupper"].error_messages["invalid_choice"] = (
            "Välj bland planens målgrupper."
        )
        self.fields["individ_percent"].help_text = "Bara för blandade insatser."
        self.fields["struktur_percent"].help_text = "Bara för blandade insatser; tillsammans 100 %."
        self.fields["order"].required = False
        for name in ("risk", "effekt"):
            self.fields[name].choices = [("", "Inte bedömd"), *rules.LEVEL_CHOICES]
        if self.instance.pk:
            self.fields["struktur_percent"].initial = self.instance.struktur_percent
            self.fields["agenda2030"].initial = [
                t.goal for t in self.instance.agenda2030_tags.all()
            ]
            self.fields["gender_balance"].initial = self.instance.mal.filter(
                standard=rules.KONSFORDELNING
            ).exists()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == rules.BLANDAD:
            if "individ_percent" in self.errors or "struktur_percent" in self.errors:
                return cleaned
            problems = rules.mix_problems(
                rules.BLANDAD,
                cleaned.get("individ_percent"),
                cleaned.get("struktur_percent"),
                both_asked=True,
            )
            for field, message in problems.items():
                self.add_error(field, message)
        else:
            cleaned["individ_percent"] = None
            self.instance.individ_percent = None
        if cleaned.get("order") is None:
            cleaned["order"] = self.instance.order or 0
        return cleaned

    @property
    def period_warning(self) -> str | None:
        """The period has no day in the plan's years: saved, but said beside the dates (and
        listed under Kontroller, budgets.checks.check_insats_periods)."""
        if self.is_bound:
            if not self.is_valid():
                return None  # the dates' own messages come first
            data = self.cleaned_data
            name, start, end = data.get("name", ""), data.get("start"), data.get("end")
        else:
            name, start, end = self.instance.name, self.instance.start, self.instance.end
        years = self.instance.plan.years
        if start is None or not period_outside_years(start, end, years):
            return None
        return period_outside_message(name, start, end, years)

    @property
    def warning(self) -> str | None:
        data = self.cleaned_data
        return rules.too_few_members(
            data.get("kind", ""),
            data["agare"].pk if data.get("agare") else None,
            [m.pk for m in data.get("parter", [])],
        )


class InsatsYearForm(forms.Form):
    """One year of an insats: what is granted, and other financing (information only)."""

    def __init__(self, *args, year: int, plan: Plan, unit: str, level: str = Level.RADER, **kwargs):
        super().__init__(*args, prefix=f"ar{year}", **kwargs)
        self.year = year
        # The insats's line is a detail line: it counts only in a year budgeted line by line
        # (budgets.calc.counts_at), so elsewhere the form says the amount reaches no total.
        help_text = {
            Level.GRUPPER: f"{year} budgeteras per grupp: beloppet räknas inte i budgeten, där "
            "gruppens summarad gäller. Budgetera året rad för rad under Budgetår för att det "
            "ska räknas.",
            Level.RESULTAT: f"{year} budgeteras bara som resultatbudget: beloppet räknas inte i "
            "budgeten.",
        }.get(
            level,
            "Budgeterat räknas fram: beviljat minus planens underutnyttjande "
            f"({format_typed_percent(plan.under_use_percent)}).",
        )
        self.fields["beviljat"] = AmountField(
            unit=unit, required=False, label=f"Beviljat {year}", help_text=help_text
        )
        self.fields["esf_percent"] = DecimalField(
            label=f"ESF-finansiering {year} (%)",
            required=False,
            min_value=0,
            max_value=100,
            max_digits=5,
            decimal_places=2,
            error_messages=PERCENT_ERRORS,
        )
        self.fields["esf_amount"] = AmountField(
            unit=unit, required=False, label=f"eller ESF-finansiering {year} (belopp)"
        )
        self.fields["medfinansiar"] = MemberChoice(
            queryset=_members(plan), required=False, label=f"Medfinansierande medlem {year}"
        )
        self.fields["medfinansiering"] = AmountField(
            unit=unit, required=False, label=f"Medfinansiering {year} (belopp)"
        )
        self.fields["planned_participants"] = forms.IntegerField(
            label=f"Planerat antal deltagare {year}",
            required=False,
            min_value=0,
            max_value=1_000_000,
            error_messages={
                "invalid": "Ange antalet deltagare som ett heltal.",
                "min_value": "Antalet deltagare kan inte vara negativt.",
                "max_value": "Ange högst 1 000 000 deltagare.",
            },
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("esf_percent") is not None and cleaned.get("esf_amount") is not None:
            self.add_error(
                "esf_amount", "Ange ESF-finansieringen antingen i procent eller som belopp."
            )
        who, amount = cleaned.get("medfinansiar"), cleaned.get("medfinansiering")
        if who is None and amount is not None and "medfinansiar" not in self.errors:
            self.add_error("medfinansiar", "Ange vilken medlem som medfinansierar.")
        if who is not None and amount is None and "medfinansiering" not in self.errors:
            self.add_error("medfinansiering", "Ange medfinansieringens belopp.")
        return cleaned

    def money(self) -> YearMoney:
        data = self.cleaned_data
        return YearMoney(
            beviljat=data.get("beviljat") or Decimal(0),
            esf_percent=data.get("esf_percent"),
            esf_amount=data.get("esf_amount"),
            medfinansiar=data.get("medfinansiar"),
            medfinansiering=data.get("medfinansiering"),
            planned_participants=data.get("planned_participants"),
        )


def year_forms(data, *, plan: Plan, insats: Insats | None, unit: str) -> list[InsatsYearForm]:
    """A money form per plan year, filled from the insats's budget line and financing."""
    granted: dict[int, Decimal] = {}
    financing = {}
    if insats is not None and insats.pk:
        granted = {
            a.year: a.amount.amount
            for a in BudgetAmount.objects.filter(line__insats=insats, column=ColumnKind.BUDGET)
        }
        financing = {row.year: row for row in insats.ar.all()}
    levels = dict(plan.year_rows.filter(column=ColumnKind.BUDGET).values_list("year", "level"))
    forms_ = []
    for year in plan.years:
        row = financing.get(year)
        initial = {"beviljat": granted.get(year, Decimal(0))}
        if row is not None:
            initial.update(
                esf_percent=row.esf_percent,
                esf_amount=row.esf_amount.amount if row.esf_amount is not None else None,
                medfinansiar=row.medfinansiar_id,
                medfinansiering=row.medfinansiering.amount
                if row.medfinansiering is not None
                else None,
                planned_participants=row.planned_participants,
            )
        forms_.append(
            InsatsYearForm(
                data,
                year=year,
                plan=plan,
                unit=unit,
                level=levels.get(year, Level.RADER),
                initial=initial,
            )
        )
    return forms_


class InsatsFilterForm(forms.Form):
    """The insatser list's filters; every choice is optional."""

    kind = forms.ChoiceField(label="Slag", required=False)
    status = forms.ChoiceField(label="Status", required=False)
    agare = forms.TypedChoiceField(
        label="Insatsägare", required=False, coerce=int, empty_value=None
    )
    malgrupp = forms.TypedChoiceField(
        label="Målgrupp", required=False, coerce=int, empty_value=None
    )

    def __init__(self, data, *, owners, malgrupper):
        super().__init__(data)
        self.fields["kind"].choices = [("", "Alla slag"), *rules.KIND_CHOICES]
        self.fields["status"].choices = [("", "Alla"), *rules.STATUS_CHOICES]
        self.fields["agare"].choices = [("", "Alla ägare"), *owners]
        self.fields["malgrupp"].choices = [
            ("", "Alla målgrupper"),
            *((m.pk, m.name) for m in malgrupper),
        ]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        lookups = {
            "kind": data.get("kind") or None,
            "status": data.get("status") or None,
            "agare_id": data.get("agare"),
            "malgrupper": data.get("malgrupp"),
        }
        return {key: value for key, value in lookups.items() if value is not None}


class MalgruppForm(SafeFormMixin, OwnedModelForm):
    class Meta:
        model = Malgrupp
        fields = ["name", "description", "order"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"order": {"invalid": "Ange ordningen som ett heltal."}}

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
        self.fields["order"].required = False

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("order") is None:
            cleaned["order"] = self.instance.order or 0
        return cleaned


class Agenda2030Form(forms.Form):
    goals = forms.TypedMultipleChoiceField(
        label="Planens Agenda 2030-mål",
        choices=rules.AGENDA_2030_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
