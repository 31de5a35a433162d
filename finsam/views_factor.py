"""The kansli resets a person's second factor (a lost phone or key), in the log."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from finsam import people as services
from finsam.forms_people import SecondFactorResetForm
from finsam.models import Membership
from finsam.nav import nav
from finsam.saving import save_form
from finsam.tenancy import get_forbund_for_user


@login_required
@nav("personer")
def second_factor_reset(request, slug: str, user_id: int):
    access = get_forbund_for_user(request, slug, need="edit")
    # A person with a role today or to come: a past member is no longer the kansli's.
    role = (
        Membership.objects.for_forbund(access.forbund)
        .filter(user_id=user_id)
        .not_ended()
        .select_related("user")
        .first()
    )
    if role is None:
        raise Http404("Personen har ingen roll i förbundet.")
    user = role.user
    form = SecondFactorResetForm(request.POST or None)
    url = reverse("people", args=[access.forbund.slug])
    if request.method == "POST" and form.is_valid():
        response = save_form(
            request,
            form,
            lambda: services.second_factor_reset(
                forbund=access.forbund,
                user=user,
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
            ),
            done=lambda _: f"Tvåstegsverifieringen för {services.person_name(user)} är återställd.",
            to=lambda _: url,
            already_to=url,
        )
        if response:
            return response
    return render(
        request,
        "finsam/people/form.html",
        {
            "access": access,
            "forbund": access.forbund,
            "form": form,
            "title": f"Återställ tvåstegsverifieringen för {services.person_name(user)}",
            "submit": "Återställ",
        },
    )
