"""Forms for mål with their indikatorer, and for the outcomes recorded against them."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory

from finsam.fields import DecimalField
from finsam.forms import OwnedModelForm
from finsam.saving import SafeFormMixin
from insatser import rules
from insatser.forms import PERCENT_ERRORS
from insatser.models import Insats
from insatser.models_mal import Indikator, Mal
from insatser.services_mal import Outcome

if TYPE_CHECKING:
    from plans.models import Plan


class MalForm(SafeFormMixin, OwnedModelForm):
    class Meta:
        model = Mal
        fields = ["level", "text", "order"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"order": {"invalid": "Ange ordningen som ett heltal."}}

    def __init__(self, *args, plan: Plan, insats: Insats | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
        self.instance.insats = insats
        self.fields["order"].required = False
        if insats is not None:
            self.instance.level = rules.INSATSMAL
            del self.fields["level"]
        else:
            self.fields["level"].choices = [
                c for c in rules.MAL_LEVEL_CHOICES if c[0] in rules.PLAN_LEVELS
            ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("order") is None:
            cleaned["order"] = self.instance.order or 0
        return cleaned


YES_NO = [("", "–"), ("ja", "Ja"), ("nej", "Nej")]


def _yes_no(value: str) -> bool | None:
    return {"ja": True, "nej": False}.get(value)


class IndikatorForm(forms.ModelForm):
    target_yes = forms.TypedChoiceField(
        label="Målvärde ja/nej", choices=YES_NO, coerce=_yes_no, required=False, empty_value=None
    )

    class Meta:
        model = Indikator
        fields = [
            "description",
            "kind",
            "direction",
            "target_value",
            "target_yes",
            "target_text",
            "source",
            "source_text",
        ]
        field_classes = {"target_value": DecimalField}
        error_messages = {
            "target_value": {
                "invalid": "Ange målvärdet som ett tal, t.ex. 40.",
                "max_digits": "Målvärdet är för stort.",
                "max_decimal_places": "Ange högst två decimaler.",
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_value"].help_text = "För andel (0–100 %) och antal (heltal)."
        if self.instance.pk and self.instance.target_yes is not None:
            self.initial["target_yes"] = "ja" if self.instance.target_yes else "nej"


class BaseIndikatorFormSet(BaseInlineFormSet):
    def indikatorer(self) -> list[Indikator]:
        return [
            f.instance
            for f in self.forms
            if f.has_changed() or f.instance.pk
            if not self._should_delete_form(f)
        ]


IndikatorFormSet = inlineformset_factory(
    Mal, Indikator, form=IndikatorForm, formset=BaseIndikatorFormSet, extra=1, can_delete=True
)


class UtfallForm(forms.Form):
    """Outcomes of a mål's indikatorer, one field per indikator and plan year."""

    def __init__(self, *args, mal: Mal, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.rows: list[tuple[Indikator, list[str]]] = []
        existing = {
            (u.indikator_id, u.year): u for i in mal.indikatorer.all() for u in i.utfall.all()
        }
        for indikator in mal.indikatorer.all():
            names = []
            for year in years:
                name = f"u-{indikator.pk}-{year}"
                label = f"{indikator.description}, utfall {year}"
                self.fields[name] = self._field(indikator, label)
                row = existing.get((indikator.pk, year))
                if row is not None:
                    self.initial[name] = self._initial(indikator, row)
                names.append(name)
            self.rows.append((indikator, names))

    @property
    def bound_rows(self):
        """(indikator, its bound fields in year order), for the table."""
        return [(indikator, [self[name] for name in names]) for indikator, names in self.rows]

    @staticmethod
    def _field(indikator: Indikator, label: str) -> forms.Field:
        if indikator.kind == rules.ANDEL:
            return DecimalField(
                label=label,
                required=False,
                min_value=0,
                max_value=100,
                max_digits=5,
                decimal_places=2,
                error_messages=PERCENT_ERRORS,
            )
        if indikator.kind == rules.ANTAL:
            return forms.IntegerField(
                label=label,
                required=False,
                min_value=0,
                error_messages={
                    "invalid": rules.COUNT_MESSAGE,
                    "min_value": rules.COUNT_MESSAGE,
                },
            )
        if indikator.kind == rules.JANEJ:
            return forms.TypedChoiceField(
                label=label, choices=YES_NO, coerce=_yes_no, required=False, empty_value=None
            )
        return forms.CharField(label=label, required=False, max_length=300)

    @staticmethod
    def _initial(indikator: Indikator, row):
        if indikator.kind == rules.JANEJ:
            return "" if row.value_yes is None else ("ja" if row.value_yes else "nej")
        if indikator.kind == rules.TEXT:
            return row.value_text
        return row.value

    def outcomes(self) -> dict[tuple[int, int], Outcome]:
        out = {}
        for indikator, names in self.rows:
            for name in names:
                year = int(name.rsplit("-", 1)[1])
                value = self.cleaned_data.get(name)
                if indikator.kind == rules.JANEJ:
                    outcome = Outcome(value_yes=value)
                elif indikator.kind == rules.TEXT:
                    outcome = Outcome(value_text=value or "")
                else:
                    outcome = Outcome(value=None if value is None else Decimal(value))
                out[(indikator.pk, year)] = outcome
        return out
