"""Ny mandatperiod: the kansli carries the board into a new period, what changes shown first."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import reverse

from finsam.forms_mandate import MandateForm
from finsam.mandate import board_seats, mandate_period_start, mandate_preview
from finsam.nav import nav
from finsam.saving import save_form
from finsam.tenancy import get_forbund_for_user


@login_required
@nav("personer")
def new_mandate_period(request, slug: str):
    """Step 1 (Granska) shows what changes; step 2 (Genomför) does it, if it is what was shown."""
    access = get_forbund_for_user(request, slug, need="edit")
    forbund = access.forbund
    form = MandateForm(request.POST or None, seats=board_seats(forbund))
    preview = None
    if request.method == "POST" and form.is_valid():
        key = form.key()
        confirmed = "genomfor" in request.POST and form.cleaned_data.get("preview_key") == key
        if confirmed:
            people_url = reverse("people", args=[forbund.slug])
            response = save_form(
                request,
                form,
                lambda: mandate_period_start(
                    forbund=forbund, choice=form.choice(), acting_user=request.user
                ),
                done=lambda _: (
                    "Den nya mandatperioden är förberedd: de nuvarande rollerna "
                    "slutar, de som fortsätter har sina nya roller och de nya har fått inbjudningar."
                ),
                to=lambda _: people_url,
                already_to=people_url,
            )
            if response:
                return response
        else:
            try:
                preview = mandate_preview(forbund=forbund, choice=form.choice())
            except ValidationError as error:
                form.add_error(None, error)
            else:
                form.data = form.data.copy()
                form.data["preview_key"] = key
    return render(
        request,
        "finsam/people/new_mandate_period.html",
        {"access": access, "forbund": forbund, "form": form, "preview": preview},
    )
