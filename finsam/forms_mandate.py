"""The form of a new mandate period: the period, each current seat's fate, chair and vice."""

from __future__ import annotations

import hashlib
import json

from django import forms
from django.utils import timezone

from finsam.mandate import (
    CONTINUES,
    EMPTY_SEAT,
    NEW_PERSON,
    MandateChoice,
    SeatChoice,
    next_mandate_period,
    seat_label,
)
from finsam.models import ROLE_DAYS, Membership, Seat
from finsam.saving import SafeFormMixin

DATE_ERRORS = {"invalid": "Ange ett datum som ÅÅÅÅ-MM-DD.", "required": "Ange ett datum."}
ACTIONS = [(CONTINUES, "Fortsätter"), (NEW_PERSON, "Ny person"), (EMPTY_SEAT, "Lämnas tom")]
NONE = ""


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MandateForm(SafeFormMixin, forms.Form):
    """One row of fields per seat (s<pk>_action, s<pk>_email); the preview's key says which
    choice was shown, so a confirmation of anything else is shown again first."""

    starts_on = forms.DateField(
        label="Den nya perioden börjar", widget=_date_input(), error_messages=DATE_ERRORS
    )
    ends_on = forms.DateField(label="och slutar", widget=_date_input(), error_messages=DATE_ERRORS)
    preview_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, seats: list[Membership], **kwargs):
        super().__init__(*args, **kwargs)
        self.seats = seats
        first, last = next_mandate_period(timezone.localdate())
        self.fields["starts_on"].initial = first
        self.fields["ends_on"].initial = last
        ledamot_seats = [(NONE, "Ingen vald")] + [
            (str(m.pk), seat_label(m)) for m in seats if m.seat == Seat.LEDAMOT
        ]
        for m in seats:
            now = (
                " (ordförande nu)"
                if m.is_chair
                else " (vice ordförande nu)"
                if m.is_vice_chair
                else ""
            )
            self.fields[f"s{m.pk}_action"] = forms.ChoiceField(
                label=f"{seat_label(m)}{now}",
                choices=ACTIONS,
                initial=CONTINUES,
                widget=forms.RadioSelect,
                error_messages={"required": "Välj fortsätter, ny person eller tom plats."},
            )
            self.fields[f"s{m.pk}_email"] = forms.CharField(
                label=f"Ny person efter {seat_label(m)}: e-postadress",
                required=False,
                max_length=254,
                help_text="Får en inbjudan till platsen för den nya perioden.",
            )
            self.fields[f"s{m.pk}_name"] = forms.CharField(
                label=f"Ny person efter {seat_label(m)}: namn",
                required=False,
                max_length=150,
            )
        current_chair = next((str(m.pk) for m in seats if m.is_chair), NONE)
        current_vice = next((str(m.pk) for m in seats if m.is_vice_chair), NONE)
        self.fields["chair"] = forms.ChoiceField(
            label="Ordförande i den nya perioden (den som har platsen då)",
            choices=ledamot_seats,
            required=False,
            initial=current_chair,
        )
        self.fields["vice_chair"] = forms.ChoiceField(
            label="Vice ordförande i den nya perioden",
            choices=ledamot_seats,
            required=False,
            initial=current_vice,
        )

    def seat_rows(self):
        """Each seat's fields together, for the template."""
        return [
            (m, self[f"s{m.pk}_action"], self[f"s{m.pk}_email"], self[f"s{m.pk}_name"])
            for m in self.seats
        ]

    def clean(self):
        cleaned = super().clean()
        for name in ("starts_on", "ends_on"):
            day = cleaned.get(name)
            if day is not None and not (ROLE_DAYS[0] <= day <= ROLE_DAYS[1]):
                self.add_error(name, f"Ange en dag mellan {ROLE_DAYS[0]:%Y} och {ROLE_DAYS[1]:%Y}.")
        for m in self.seats:
            if cleaned.get(f"s{m.pk}_action") == NEW_PERSON and not cleaned.get(f"s{m.pk}_email"):
                self.add_error(f"s{m.pk}_email", "Ange den nya personens e-postadress.")
        return cleaned

    def choice(self) -> MandateChoice:
        data = self.cleaned_data
        chair = data.get("chair") or None
        vice = data.get("vice_chair") or None
        return MandateChoice(
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            seats=tuple(
                SeatChoice(
                    membership=m,
                    action=data[f"s{m.pk}_action"],
                    email=(data.get(f"s{m.pk}_email") or "").strip().lower()
                    if data[f"s{m.pk}_action"] == NEW_PERSON
                    else "",
                    name=(data.get(f"s{m.pk}_name") or "").strip()
                    if data[f"s{m.pk}_action"] == NEW_PERSON
                    else "",
                )
                for m in self.seats
            ),
            chair=int(chair) if chair else None,
            vice_chair=int(vice) if vice else None,
        )

    def key(self) -> str:
        """A digest of the choice: the page shows it with the preview and confirms only it."""
        c = self.choice()
        shown = [
            str(c.starts_on),
            str(c.ends_on),
            [[s.membership.pk, s.action, s.email, s.name] for s in c.seats],
            c.chair,
            c.vice_chair,
        ]
        return hashlib.sha256(json.dumps(shown).encode()).hexdigest()
