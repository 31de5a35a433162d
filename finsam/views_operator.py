"""The operator's pages (staff only): the installation's förbund, and a new förbund set up
without the Django admin (the same service as manage.py create_forbund)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from finsam.forms_operator import ForbundSetupForm
from finsam.models import Forbund, Invitation
from finsam.nav import nav
from finsam.operator import SetupError, forbund_setup
from finsam.saving import save_form


def _staff_only(request) -> None:
    # The operator's pages do not exist for anyone else, as another förbund's pages do not.
    if not request.user.is_staff:
        raise Http404("Sidan finns inte.")


@login_required
@nav("drift")
def forbund_list(request):
    _staff_only(request)
    forbund = list(
        Forbund.objects.annotate(people=Count("memberships__user", distinct=True))
        .prefetch_related(
            Prefetch(
                "invitations",
                queryset=Invitation.objects.open().order_by("email"),
                to_attr="open_invitations",
            )
        )
        .order_by("name")
    )
    return render(request, "finsam/operator/forbund_list.html", {"forbund_list": forbund})


@login_required
@nav("drift")
def forbund_new(request):
    _staff_only(request)
    form = ForbundSetupForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        listing = reverse("operator_forbund_list")
        try:
            response = save_form(
                request,
                form,
                lambda: forbund_setup(
                    data=form.setup_data, acting_user=request.user, lines=form.setup_lines
                ),
                done=lambda forbund: (
                    f"{forbund.name} är skapat, och kansliet har fått en inbjudan."
                ),
                to=lambda _: listing,
                already_to=listing,
            )
        except SetupError as error:
            form.show_problems(error)
            response = None
        if response:
            return response
    return render(
        request,
        "finsam/operator/forbund_form.html",
        {"form": form, "title": "Nytt förbund"},
    )
