"""Forms of the people page: inviting, changing a role, ending it, removing a person, and the
new person's account when an invitation is taken. Swedish messages beside each field."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.utils import timezone

from finsam.models import Forbund, Invitation, Medlem, Membership, Role
from finsam.saving import SafeFormMixin

DATE_WIDGET = {"type": "date"}
DATE_ERRORS = {"invalid": "Ange ett datum som ÅÅÅÅ-MM-DD."}


def mandate_period(day: date) -> tuple[date, date]:
    """The four-year mandate period the day falls in: from 1 January of a year after an
    election year (2023, 2027, …: years ≡ 3 mod 4) to 31 December three years later."""
    first = day.year - (day.year - 3) % 4
    return date(first, 1, 1), date(first + 3, 12, 31)


def _date_widget():
    return forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d")


class InvitationForm(SafeFormMixin, forms.ModelForm):
    """The role an address is invited to; the model checks it by the Membership's rules."""

    class Meta:
        model = Invitation
        fields = [
            "email",
            "name",
            "role",
            "seat",
            "is_chair",
            "is_vice_chair",
            "medlem",
            "title",
            "starts_on",
            "ends_on",
        ]
        widgets = {"starts_on": _date_widget(), "ends_on": _date_widget()}
        error_messages = {
            "email": {
                "required": "Ange e-postadressen.",
                "invalid": "Ange en giltig e-postadress, t.ex. namn@exempel.se.",
            },
            "role": {"required": "Välj en roll."},
            "starts_on": DATE_ERRORS,
            "ends_on": DATE_ERRORS,
        }
        help_texts = {
            "seat": "Bara för styrelsen: ordinarie ledamot (röstar) eller ersättare.",
            "title": "T.ex. förbundschef, utvecklingsledare.",
            "starts_on": "För styrelsen: lämnas tomma gäller den nuvarande mandatperioden.",
        }

    def __init__(self, *args, forbund: Forbund, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.forbund = forbund
        self.fields["medlem"].queryset = Medlem.objects.for_forbund(forbund)
        self.fields["medlem"].empty_label = "–"
        self.fields["seat"].choices = [("", "–"), *self.fields["seat"].choices[1:]]

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("role") == Role.STYRELSE
            and not cleaned.get("starts_on")
            and not cleaned.get("ends_on")
            and "starts_on" not in self.errors
            and "ends_on" not in self.errors
        ):
            cleaned["starts_on"], cleaned["ends_on"] = mandate_period(timezone.localdate())
        return cleaned

    def service_kwargs(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields} | {
            "seat": self.cleaned_data.get("seat") or "",
            "title": self.cleaned_data.get("title") or "",
        }


class MembershipForm(SafeFormMixin, forms.ModelForm):
    """A role's seat, chair, vice chair, medlem, title and period."""

    class Meta:
        model = Membership
        fields = ["seat", "is_chair", "is_vice_chair", "medlem", "title", "starts_on", "ends_on"]
        widgets = {"starts_on": _date_widget(), "ends_on": _date_widget()}
        error_messages = {"starts_on": DATE_ERRORS, "ends_on": DATE_ERRORS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["medlem"].queryset = Medlem.objects.for_forbund(self.instance.forbund)
        self.fields["medlem"].empty_label = "–"
        if self.instance.role != Role.STYRELSE:
            for name in ("seat", "is_chair", "is_vice_chair"):
                del self.fields[name]


class EndForm(SafeFormMixin, forms.Form):
    ends_on = forms.DateField(
        label="Sista dag i rollen",
        widget=_date_widget(),
        error_messages={"required": "Ange sista dagen.", **DATE_ERRORS},
        help_text="Personen har rollen hela den dagen; välj gårdagen för att den ska upphöra nu.",
    )
    reason = forms.CharField(
        label="Skäl",
        max_length=300,
        error_messages={
            "required": "Ange skälet till att rollen avslutas.",
            "max_length": "Skriv skälet med högst 300 tecken.",
        },
        help_text="T.ex. ”Ny tjänst hos medlemmen” eller ”Avgått på egen begäran”.",
    )


class RemoveForm(SafeFormMixin, forms.Form):
    reason = forms.CharField(
        label="Skäl",
        max_length=300,
        error_messages={
            "required": "Ange skälet till att personen tas bort.",
            "max_length": "Skriv skälet med högst 300 tecken.",
        },
        help_text="Personens nuvarande roller avslutas i dag och kommande roller tas bort.",
    )


class NewAccountForm(forms.Form):
    """A new person's name and password, checked by Django's password validators."""

    first_name = forms.CharField(
        label="Förnamn", max_length=150, error_messages={"required": "Ange ditt förnamn."}
    )
    last_name = forms.CharField(
        label="Efternamn", max_length=150, error_messages={"required": "Ange ditt efternamn."}
    )
    password1 = forms.CharField(
        label="Lösenord",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Välj ett lösenord."},
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Lösenordet igen",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Skriv lösenordet en gång till."},
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "Lösenorden är inte lika.")
        elif first:
            user = get_user_model()(
                username=self.email,
                email=self.email,
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(first, user)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class SecondFactorResetForm(SafeFormMixin, forms.Form):
    reason = forms.CharField(
        label="Skäl",
        max_length=300,
        error_messages={
            "required": "Ange skälet, t.ex. att personen har tappat sin telefon.",
            "max_length": "Skriv skälet med högst 300 tecken.",
        },
        help_text="Personens app och säkerhetsnycklar tas bort och hen loggas ut överallt. "
        "Vid nästa inloggning lägger hen till en ny.",
    )
