"""Forms for the förbund and its members, with Swedish messages beside each field."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.forms.renderers import TemplatesSetting
from django.urls import reverse

from finsam.fields import DecimalField
from finsam.logo import HELP_TEXT as LOGO_HELP_TEXT
from finsam.logo import TOO_LARGE as LOGO_TOO_LARGE
from finsam.models import AccessGroup, Forbund, Fordelningstal, Medlem
from finsam.money import format_plain
from finsam.saving import SafeFormMixin


class FormRenderer(TemplatesSetting):
    """Django's form rendering with our templates: an error summary, then each field with its
    label, help and errors linked for screen readers ({{ form }}, {{ field.as_field_group }})."""

    form_template_name = "includes/form.html"
    field_template_name = "includes/field.html"


class OwnedModelForm(forms.ModelForm):
    """A model form for something owned by a förbund or a plan that the view sets, not the user.

    Django leaves constraints over fields that are not on the form out of its checks, so "the
    förbund already has a member with this name" would only surface on save. validate_unique
    (ModelForm's public hook for this) checks the constraints that join the owner to the form's
    fields with the constraint's own validate(), and says what is wrong beside the field.
    """

    owner_fields = ("forbund", "plan")

    def validate_unique(self) -> None:
        super().validate_unique()
        model = type(self.instance)
        for constraint in self.instance._meta.constraints:
            fields = getattr(constraint, "fields", ())
            rest = [f for f in fields if f not in self.owner_fields]
            if len(rest) == len(fields) or not all(f in self.fields for f in rest):
                continue  # not owner-scoped, or Django checks it already
            if any(f in self.errors for f in rest):
                continue
            try:
                constraint.validate(model, self.instance)
            except ValidationError as error:
                self.add_error(rest[0] if len(rest) == 1 else None, error)


class LogoInput(forms.ClearableFileInput):
    """The logo's file input showing the current logo itself, as the förbund's logo page serves
    it (finsam.views.forbund_logo): Django's version links the file's storage address, which
    nothing serves."""

    template_name = "finsam/logo_input.html"
    clear_checkbox_label = "Ta bort logotypen"
    input_text = "Byt till"
    logo_url = ""
    logo_alt = ""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"].update(logo_url=self.logo_url, logo_alt=self.logo_alt)
        return context


class ForbundForm(SafeFormMixin, forms.ModelForm):
    class Meta:
        model = Forbund
        fields = [
            "name",
            "organisationsnummer",
            "vision",
            "logo",
            "founded",
            "amount_unit",
            "rounding_unit",
            "region_has_kommun_role",
            "kommun_parts",
            "adoption_requires_quorum",
            "adoption_recorder",
            "mfa_required_for",
            "code_login_for",
            "invitation_days",
            "past_board_keeps_read",
        ]
        # Django's ImageField would open the file with every Pillow reader before the model's
        # validator (finsam.logo), which reads only PNG and JPEG and says what is wrong.
        field_classes = {"logo": forms.FileField}
        widgets = {
            "vision": forms.Textarea(attrs={"rows": 3}),
            "founded": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "logo": LogoInput(attrs={"accept": "image/png,image/jpeg"}),
        }
        help_texts = {"logo": f"{LOGO_HELP_TEXT} Visas på planens titelsida."}

    # The förbund's access policy: which roles must have a second factor, which may log in
    # with a code by e-mail (finsam.accounts).
    mfa_required_for = forms.MultipleChoiceField(
        label="Tvåstegsverifiering krävs för",
        choices=AccessGroup.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=Forbund._meta.get_field("mfa_required_for").help_text,
    )
    code_login_for = forms.MultipleChoiceField(
        label="Inloggning med kod via e-post tillåts för",
        choices=AccessGroup.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=Forbund._meta.get_field("code_login_for").help_text,
    )

    def __init__(self, *args, files_too_large: set[str] = frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        # Fields whose upload was dropped while the request was read (finsam.uploads).
        self.files_too_large = files_too_large
        if self.instance.pk:
            widget = self.fields["logo"].widget
            widget.logo_url = reverse("forbund_logo", args=[self.instance.slug])
            widget.logo_alt = f"{self.instance.name}s nuvarande logotyp"

    def clean_logo(self):
        if "logo" in self.files_too_large:
            raise ValidationError(LOGO_TOO_LARGE, code="logo_size")
        logo = self.cleaned_data["logo"]
        # "Ta bort logotypen" cleans to False, which the model's field stores only through
        # ModelForm.save(); the service sets fields as they come, and "" is no file.
        return "" if logo is False else logo

    def clean_region_has_kommun_role(self):
        value = self.cleaned_data["region_has_kommun_role"]
        if value and self.instance.pk and self.instance.medlemmar.filter(kind="kommun").exists():
            raise ValidationError(
                "Förbundet har kommuner som medlemmar. Ta bort dem innan regionen får kommunens roll."
            )
        return value


class MedlemForm(SafeFormMixin, OwnedModelForm):
    class Meta:
        model = Medlem
        fields = ["name", "kind", "order"]

    def __init__(self, *args, forbund: Forbund, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.forbund = forbund
        self.fields["order"].help_text = "Lägre tal visas först."


class CountField(forms.IntegerField):
    """A count shown grouped ("118 400") in a text box, and read back with or without the
    spaces: a browser's number box would take no space, and sent back untouched, the figure
    must be the same one (else a carried fördelningstal would count as replaced)."""

    widget = forms.TextInput

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "numeric")

    def prepare_value(self, value):
        return format_plain(Decimal(value), 0) if isinstance(value, int) else value

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
        return super().to_python(value)


class ShareField(DecimalField):
    """An agreed fördelningstal shown with the decimals it has ("118 400", "0,25"), not the
    column's four ("118400,0000"); DecimalField reads it back the same."""

    def prepare_value(self, value):
        return format_plain(value, 4) if isinstance(value, Decimal) else value


class FordelningstalForm(forms.ModelForm):
    invanare = CountField(
        label="Invånare 1 juli året före",
        required=False,
        min_value=0,
        error_messages={
            "min_value": "Antalet invånare kan inte vara negativt.",
            "invalid": "Ange antalet invånare som ett heltal.",
        },
    )
    avtalad_andel = ShareField(
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.carried_from:
            self.fields["confirm_carried"] = forms.BooleanField(
                required=False,
                label="Bekräftat",
                help_text=f"Hämtat från {self.instance.carried_from}; bekräfta det eller ange "
                "årets eget tal.",
            )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("confirm_carried") or self.has_changed():
            # Confirmed, or replaced by the year's own figure: no longer carried.
            self.instance.carried_from = None
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
