"""Forms for the förbund and its members, with Swedish messages beside each field."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms import BaseInlineFormSet, inlineformset_factory

from finsam.models import Forbund, Fordelningstal, Medlem


class OwnedModelForm(forms.ModelForm):
    """A model form for something owned by a förbund or a plan that the view sets, not the user.

    Django leaves fields that are not on the form out of its constraint checks, so "the förbund
    already has a member with this name" would only surface on save. The owner is put back into
    the checks, and a unique-per-owner message is shown beside the field it is about.
    """

    owner_fields = ("forbund", "plan")

    def _get_validation_exclusions(self):
        return set(super()._get_validation_exclusions()) - set(self.owner_fields)

    def _post_clean(self):
        super()._post_clean()
        beside: dict[str, str] = {}
        for constraint in self._meta.model._meta.constraints:
            fields = getattr(constraint, "fields", ())
            rest = [f for f in fields if f not in self.owner_fields]
            if len(rest) == 1 and len(fields) > 1 and rest[0] in self.fields:
                beside[str(constraint.violation_error_message)] = rest[0]
        non_field = self._errors.get(NON_FIELD_ERRORS)
        if not non_field:
            return
        moved = [message for message in non_field if message in beside]
        kept = [e for e in non_field.as_data() if not set(e.messages) & set(beside)]
        if kept:
            self._errors[NON_FIELD_ERRORS] = self.error_class(
                kept, error_class="nonfield", renderer=self.renderer
            )
        else:
            del self._errors[NON_FIELD_ERRORS]
        for message in moved:
            self.add_error(beside[message], message)


class ForbundForm(forms.ModelForm):
    class Meta:
        model = Forbund
        fields = [
            "name",
            "organisationsnummer",
            "vision",
            "founded",
            "amount_unit",
            "rounding_unit",
            "region_has_kommun_role",
            "adoption_requires_quorum",
            "adoption_recorder",
        ]
        widgets = {
            "vision": forms.Textarea(attrs={"rows": 3}),
            "founded": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def clean_region_has_kommun_role(self):
        value = self.cleaned_data["region_has_kommun_role"]
        if value and self.instance.pk and self.instance.medlemmar.filter(kind="kommun").exists():
            raise ValidationError(
                "Förbundet har kommuner som medlemmar. Ta bort dem innan regionen får kommunens roll."
            )
        return value


class MedlemForm(OwnedModelForm):
    class Meta:
        model = Medlem
        fields = ["name", "kind", "order"]

    def __init__(self, *args, forbund: Forbund, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.forbund = forbund
        self.fields["order"].help_text = "Lägre tal visas först."


class FordelningstalForm(forms.ModelForm):
    invanare = forms.IntegerField(
        label="Invånare 1 juli året före",
        required=False,
        min_value=0,
        error_messages={
            "min_value": "Antalet invånare kan inte vara negativt.",
            "invalid": "Ange antalet invånare som ett heltal.",
        },
    )
    avtalad_andel = forms.DecimalField(
        label="Avtalat fördelningstal",
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=4,
        error_messages={
            "min_value": "Fördelningstalet kan inte vara negativt.",
            "invalid": "Ange fördelningstalet som ett tal.",
        },
    )

    def clean(self):
        cleaned = super().clean()
        if self.errors.get("invanare") or self.errors.get("avtalad_andel"):
            return cleaned
        if cleaned.get("invanare") is None and cleaned.get("avtalad_andel") is None:
            self.add_error("invanare", "Ange invånare eller ett avtalat fördelningstal.")
        return cleaned

    class Meta:
        model = Fordelningstal
        fields = ["year", "invanare", "avtalad_andel"]
        error_messages = {"year": {"invalid": "Ange ett årtal."}}


class BaseFordelningstalFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        years: set[int] = set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            year = form.cleaned_data.get("year")
            if year is None:
                continue
            if year in years:
                form.add_error("year", "Året finns redan i en annan rad.")
            years.add(year)


FordelningstalFormSet = inlineformset_factory(
    Medlem,
    Fordelningstal,
    form=FordelningstalForm,
    formset=BaseFordelningstalFormSet,
    extra=2,
    can_delete=True,
)
