"""The förbund's people page (kansli only), its forms, and taking an invitation by its link."""

from __future__ import annotations

from urllib.parse import quote

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from finsam import oidc
from finsam import people as services
from finsam.accounts import note_second_factor
from finsam.actions import run_and_return
from finsam.forms_people import (
    EndForm,
    InvitationForm,
    MembershipForm,
    NewAccountForm,
    RemoveForm,
    mandate_period,
)
from finsam.models import Invitation, Membership, Role, Seat
from finsam.nav import nav
from finsam.saving import save_form
from finsam.tenancy import get_forbund_for_user

# Whoever manages the people: the kansli.
NEED = "edit"


def _people_url(forbund) -> str:
    return reverse("people", args=[forbund.slug])


def _board_order(m: Membership) -> tuple:
    return (
        not m.is_chair,
        not m.is_vice_chair,
        m.seat != Seat.LEDAMOT,
        m.user.last_name,
        m.user.first_name,
    )


@login_required
@nav("personer")
def people(request, slug: str):
    """Kansli, Styrelse, Revisorer as they are today; Kommande, Inbjudna and Tidigare."""
    access = get_forbund_for_user(request, slug, need=NEED)
    forbund = access.forbund
    today = timezone.localdate()
    # One query for the roles (with person and medlem), one for the open invitations.
    roles = list(
        Membership.objects.for_forbund(forbund)
        .select_related("user", "medlem")
        .order_by("user__last_name", "user__first_name", "starts_on")
    )
    current = [m for m in roles if m.is_active_on(today)]
    # One query: who has a second factor (an app or a key), for the kansli to see who lacks
    # one where the förbund requires it, and whose to reset.
    with_factor = set(
        Authenticator.objects.filter(
            user_id__in={m.user_id for m in roles},
            type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN],
        ).values_list("user_id", flat=True)
    )
    required = set(forbund.mfa_required_for)
    for m in roles:
        m.has_factor = m.user_id in with_factor
        m.factor_required = bool(forbund.access_groups(m) & required)
    invitations = list(
        Invitation.objects.for_forbund(forbund).open().select_related("medlem", "created_by")
    )
    context = {
        "access": access,
        "forbund": forbund,
        "kansli": [m for m in current if m.role == Role.KANSLI],
        "styrelse": sorted((m for m in current if m.role == Role.STYRELSE), key=_board_order),
        "revisorer": [m for m in current if m.role == Role.REVISOR],
        "coming": sorted(
            (m for m in roles if m.starts_on and m.starts_on > today), key=lambda m: m.starts_on
        ),
        "ended": sorted(
            (m for m in roles if m.ends_on and m.ends_on < today),
            key=lambda m: m.ends_on,
            reverse=True,
        ),
        "invitations": invitations,
        "now": timezone.now(),
    }
    return render(request, "finsam/people/people.html", context)


@login_required
@nav("personer")
def invite(request, slug: str):
    access = get_forbund_for_user(request, slug, need=NEED)
    forbund = access.forbund
    initial = {}
    role = request.GET.get("roll")
    if role in Role.values:
        initial["role"] = role
        if role == Role.STYRELSE:
            initial["seat"] = Seat.LEDAMOT
            initial["starts_on"], initial["ends_on"] = mandate_period(timezone.localdate())
    form = InvitationForm(request.POST or None, forbund=forbund, initial=initial)
    if request.method == "POST" and form.is_valid():
        url = _people_url(forbund)
        response = save_form(
            request,
            form,
            lambda: services.invitation_create(
                forbund=forbund, acting_user=request.user, **form.service_kwargs()
            ),
            done=lambda inv: f"En inbjudan är skickad till {inv.email}.",
            to=lambda _: url + "#inbjudna",
            already_to=url,
        )
        if response:
            return response
    return render(
        request,
        "finsam/people/form.html",
        {
            "access": access,
            "forbund": forbund,
            "form": form,
            "title": f"Bjud in till {forbund.name}",
            "submit": "Skicka inbjudan",
        },
    )


@require_POST
@login_required
def invitation_action(request, slug: str, pk: int, action: str):
    access = get_forbund_for_user(request, slug, need=NEED)
    invitation = get_object_or_404(Invitation.objects.for_forbund(access.forbund), pk=pk)
    to = _people_url(access.forbund) + "#inbjudna"
    if action == "skicka-igen":
        return run_and_return(
            request,
            lambda: services.invitation_resend(invitation=invitation, acting_user=request.user),
            done=f"Inbjudan till {invitation.email} är skickad igen; den tidigare länken gäller "
            "inte längre.",
            to=to,
        )
    if action == "dra-tillbaka":
        return run_and_return(
            request,
            lambda: services.invitation_withdraw(invitation=invitation, acting_user=request.user),
            done=f"Inbjudan till {invitation.email} är tillbakadragen.",
            to=to,
        )
    raise Http404("Ingen sådan åtgärd.")


def _membership(request, slug: str, pk: int):
    access = get_forbund_for_user(request, slug, need=NEED)
    membership = get_object_or_404(
        Membership.objects.for_forbund(access.forbund).select_related("user", "medlem"), pk=pk
    )
    membership.forbund = access.forbund
    return access, membership


@login_required
@nav("personer")
def membership_edit(request, slug: str, pk: int):
    access, membership = _membership(request, slug, pk)
    form = MembershipForm(request.POST or None, instance=membership)
    if request.method == "POST" and form.is_valid():
        url = _people_url(access.forbund)
        response = save_form(
            request,
            form,
            lambda: services.membership_update(
                membership=membership, data=form.changes(), acting_user=request.user
            ),
            done=lambda m: f"Rollen för {services.person_name(m.user)} är sparad.",
            to=lambda _: url,
            already_to=url,
        )
        if response:
            return response
    who = services.person_name(membership.user)
    return render(
        request,
        "finsam/people/form.html",
        {
            "access": access,
            "forbund": access.forbund,
            "form": form,
            "title": f"Ändra rollen för {who} ({membership.role_label.lower()})",
            "submit": "Spara",
        },
    )


@login_required
@nav("personer")
def membership_end(request, slug: str, pk: int):
    access, membership = _membership(request, slug, pk)
    form = EndForm(request.POST or None, initial={"ends_on": timezone.localdate()})
    url = _people_url(access.forbund)
    if request.method == "POST" and form.is_valid():
        response = save_form(
            request,
            form,
            lambda: services.membership_end(
                membership=membership,
                ends_on=form.cleaned_data["ends_on"],
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
            ),
            done=lambda m: f"Rollen för {services.person_name(m.user)} är avslutad.",
            to=lambda _: url + "#tidigare",
            already_to=url,
        )
        if response:
            return response
    who = services.person_name(membership.user)
    return render(
        request,
        "finsam/people/form.html",
        {
            "access": access,
            "forbund": access.forbund,
            "form": form,
            "title": f"Avsluta rollen för {who} ({membership.role_label.lower()})",
            "submit": "Avsluta rollen",
        },
    )


@login_required
@nav("personer")
def person_remove(request, slug: str, user_id: int):
    access = get_forbund_for_user(request, slug, need=NEED)
    roles = list(
        Membership.objects.for_forbund(access.forbund)
        .filter(user_id=user_id)
        .select_related("user")
    )
    if not roles:
        raise Http404("Personen har ingen roll i förbundet.")
    user = roles[0].user
    form = RemoveForm(request.POST or None)
    url = _people_url(access.forbund)
    if request.method == "POST" and form.is_valid():
        response = save_form(
            request,
            form,
            lambda: services.person_remove(
                forbund=access.forbund,
                user=user,
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
            ),
            done=lambda _: f"{services.person_name(user)} är borttagen ur {access.forbund.name}.",
            to=lambda _: url + "#tidigare",
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
            "title": f"Ta bort {services.person_name(user)} ur förbundet",
            "submit": "Ta bort ur förbundet",
        },
    )


def invitation_accept(request, token: str):
    """Take an invitation by its link; no login needed for a new person."""
    try:
        invitation = services.invitation_for_token(token)
    except services.InvitationRefused as refused:
        return render(
            request,
            "finsam/people/invitation.html",
            {"refused": refused.messages[0]},
            status=404 if refused.code == "unknown" else 410,
        )
    context = {"invitation": invitation, "forbund": invitation.forbund}
    user = request.user
    if user.is_authenticated:
        if not services.address_matches(user, invitation.email):
            return render(
                request, "finsam/people/invitation.html", {**context, "other_address": True}
            )
        if request.method == "POST":
            return _accepted(request, token, user=user)
        return render(request, "finsam/people/invitation.html", {**context, "confirm": True})
    if services.account_for(invitation.email) is not None:
        login_url = f"{resolve_url(settings.LOGIN_URL)}?next={quote(request.path)}"
        return render(request, "finsam/people/invitation.html", {**context, "login_url": login_url})
    providers = [
        {"id": p.app.provider_id, "name": p.app.name, "genitive": oidc.genitive(p.app.name)}
        for p in oidc.providers_for_email(request, invitation.email)
    ]
    if request.method == "POST" and "provider" in request.POST:
        started = oidc.invitation_login_start(
            request, token=token, invitation=invitation, provider_id=request.POST["provider"]
        )
        if started is not None:
            return started
        messages.error(request, "Den inloggningen gäller inte den här inbjudan.")
        return redirect("invitation_accept", token=token)
    form = NewAccountForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        return _accepted(
            request,
            token,
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            password=form.cleaned_data["password1"],
        )
    return render(
        request,
        "finsam/people/invitation.html",
        {**context, "form": form, "providers": providers},
    )


def _accepted(request, token: str, **kwargs):
    try:
        membership = services.invitation_accept(token=token, **kwargs)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("invitation_accept", token=token)
    if "user" in kwargs:
        # A new role may be one the förbund requires a second factor of; login notes it for
        # a new account, this for one already logged in.
        note_second_factor(request, membership.user)
    else:
        login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(
        request,
        f"Välkommen! Du är nu {membership.role_label.lower()} i {membership.forbund.name}.",
    )
    return redirect("forbund_detail", slug=membership.forbund.slug)
