"""Pages of the core: the förbund page, its settings, members and log."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from finsam import services
from finsam.audit import VERSION, events_page
from finsam.forms import ForbundForm, FordelningstalFormSet, MedlemForm
from finsam.log_filter import LogFilterForm
from finsam.logo import LOGO_MAX_BYTES, stored_logo
from finsam.models import AuditEvent, Fordelningstal, Medlem, Membership, Role
from finsam.nav import nav
from finsam.saving import save_form
from finsam.tenancy import get_forbund_for_user, get_medlem_for_user
from finsam.uploads import limit_uploads


@login_required
@nav("forbund")
def forbund_detail(request, slug: str):
    # A former board member who reads what they decided lands here too, under the banner
    # that says so (templates/includes/role_period.html).
    access = get_forbund_for_user(request, slug, decided=True)
    forbund = access.forbund
    medlemmar = list(
        Medlem.objects.for_forbund(forbund).prefetch_related(
            Prefetch("fordelningstal", queryset=Fordelningstal.objects.order_by("-year"))
        )
    )
    # The roles held today, and apart from them the board of a coming period (past roles are
    # on the people page, under Tidigare).
    people = list(
        Membership.objects.for_forbund(forbund)
        .not_ended()
        .select_related("user", "medlem")
        .order_by("-is_chair", "-is_vice_chair", "seat", "user__last_name", "user__first_name")
    )
    coming = [m for m in people if m.starts_on and m.starts_on > timezone.localdate()]
    people = [m for m in people if m not in coming]
    context = {
        "access": access,
        "forbund": forbund,
        "medlemmar": medlemmar,
        "problems": forbund.member_set_problems(medlemmar),
        "styrelse": [m for m in people if m.role == Role.STYRELSE],
        "kansli": [m for m in people if m.role == Role.KANSLI],
        "revisorer": [m for m in people if m.role == Role.REVISOR],
        "coming": coming,
    }
    return render(request, "finsam/forbund_detail.html", context)


@login_required
@nav("forbund")
@csrf_exempt  # the logo's size limit must be set before the CSRF check reads the body
def forbund_edit(request, slug: str):
    too_large = limit_uploads(request, max_bytes=LOGO_MAX_BYTES)
    return _forbund_edit(request, slug, too_large)


@csrf_protect
def _forbund_edit(request, slug: str, too_large: set[str]):
    access = get_forbund_for_user(request, slug, need="edit")
    forbund = access.forbund
    form = ForbundForm(
        request.POST or None, request.FILES or None, instance=forbund, files_too_large=too_large
    )
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        detail = reverse("forbund_detail", args=[forbund.slug])
        response = save_form(
            request,
            form,
            lambda: services.forbund_update(
                forbund=forbund, acting_user=request.user, data=changes
            ),
            done=lambda _: _forbund_saved_message(changes),
            to=lambda _: detail,
            already_to=detail,
        )
        if response:
            return response
    return render(
        request, "finsam/forbund_form.html", {"access": access, "forbund": forbund, "form": form}
    )


def _forbund_saved_message(changes: dict) -> str:
    others = set(changes) - {"logo", VERSION}
    if "logo" not in changes:
        return "Förbundets uppgifter är sparade."
    if changes["logo"]:
        return (
            "Förbundets uppgifter och logotypen är sparade." if others else "Logotypen är sparad."
        )
    return (
        "Förbundets uppgifter är sparade och logotypen borttagen."
        if others
        else ("Logotypen är borttagen.")
    )


@login_required
def forbund_logo(request, slug: str):
    """The förbund's logo for its own people (the settings page shows it): checked and encoded
    again as the PDF embeds it, so a stored file that is no logo is not served."""
    forbund = get_forbund_for_user(request, slug).forbund
    logo = stored_logo(forbund.logo.name)
    if logo is None:
        raise Http404("Förbundet har ingen logotyp.")
    mime, data = logo
    response = HttpResponse(data, content_type=mime)
    response["Cache-Control"] = "private, no-cache"
    return response


def _medlem_form_page(request, access, medlem: Medlem | None):
    forbund = access.forbund
    instance = medlem or Medlem(forbund=forbund)
    data = request.POST if request.method == "POST" else None
    form = MedlemForm(data, instance=instance, forbund=forbund)
    formset = FordelningstalFormSet(data, instance=instance, prefix="fordelning")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        rows = [
            f.instance
            for f in formset.forms
            if f.has_changed() and not f.cleaned_data.get("DELETE")
        ]
        members = reverse("forbund_detail", args=[forbund.slug]) + "#medlemmar"
        response = save_form(
            request,
            form,
            lambda: services.medlem_save(
                medlem=form.instance,
                acting_user=request.user,
                data=form.changes(),
                fordelningstal=rows,
                removed=[f.instance for f in formset.deleted_forms],
            ),
            done=lambda medlem: f"Medlemmen {medlem.name} är sparad.",
            to=lambda _: members,
            already_to=members,
        )
        if response:
            return response
    return render(
        request,
        "finsam/medlem_form.html",
        {"access": access, "forbund": forbund, "form": form, "formset": formset, "medlem": medlem},
    )


@login_required
@nav("forbund")
def medlem_create(request, slug: str):
    access = get_forbund_for_user(request, slug, need="edit")
    return _medlem_form_page(request, access, None)


@login_required
@nav("forbund")
def medlem_edit(request, slug: str, pk: int):
    access, medlem = get_medlem_for_user(request, slug, pk, need="edit")
    return _medlem_form_page(request, access, medlem)


@login_required
@nav("logg")
def forbund_log(request, slug: str):
    """Every recorded change in the förbund, newest first; filtered by plan, person and kind."""
    access = get_forbund_for_user(request, slug)
    filters = LogFilterForm(request.GET, forbund=access.forbund)
    events = events_page(
        filters.filter(AuditEvent.objects.filter(forbund=access.forbund)),
        request.GET.get("sida"),
        unit=access.forbund.amount_unit,
    )
    return render(
        request,
        "finsam/forbund_log.html",
        {
            "access": access,
            "forbund": access.forbund,
            "events": events,
            "filters": filters,
            "query": filters.query(),
        },
    )


@login_required
def my_settings(request):
    """A person's own settings: e-mail about plans, per förbund where they have a role."""
    memberships = list(
        Membership.objects.filter(user=request.user)
        .select_related("forbund")
        .order_by("forbund__name", "role")
    )
    if request.method == "POST":
        wanted = {int(pk) for pk in request.POST.getlist("epost") if pk.isdigit()}
        changed = services.notification_settings_set(
            user=request.user, memberships=memberships, wanted=wanted
        )
        messages.success(request, "Inställningarna är sparade." if changed else "Inget ändrades.")
        return redirect("my_settings")
    return render(request, "finsam/my_settings.html", {"memberships": memberships})


@login_required
def my_security(request):
    """A person's own security: the second factor, their sessions (device, address, last used;
    log out everywhere else) and the latest logins and changes to their account."""
    from allauth.mfa.models import Authenticator
    from allauth.usersessions.models import UserSession

    from finsam.accounts import device_label, record_account_event, second_factor_required

    if request.method == "POST" and request.POST.get("action") == "logout_others":
        others = UserSession.objects.filter(user=request.user).exclude(
            session_key=request.session.session_key
        )
        ended = 0
        for session in others:
            session.end()
            ended += 1
        record_account_event(
            request.user,
            "account.logout_others",
            "Loggade ut på alla andra enheter"
            + (f" ({'en inloggning' if ended == 1 else f'{ended} inloggningar'})" if ended else ""),
            request,
        )
        messages.success(
            request,
            "Du är utloggad på alla andra enheter."
            if ended
            else "Du var inte inloggad någon annanstans.",
        )
        return redirect("my_security")
    sessions = sorted(
        UserSession.objects.purge_and_list(request.user),
        key=lambda s: s.last_seen_at or s.created_at,
        reverse=True,
    )
    for session in sessions:
        session.device = device_label(session.user_agent)
    factors = list(Authenticator.objects.filter(user=request.user).order_by("type"))
    events = list(
        AuditEvent.objects.filter(
            Q(actor=request.user) | Q(object_type="auth.user", object_id=str(request.user.pk)),
            action__startswith="account.",
        )
        .order_by("-at", "-id")
        .values("at", "summary", "changes")[:20]
    )
    shown = events
    return render(
        request,
        "finsam/my_security.html",
        {
            "sessions": sessions,
            "current_key": request.session.session_key,
            "factors": factors,
            "required": second_factor_required(request.user),
            "providers": bool(
                settings.SOCIALACCOUNT_PROVIDERS.get("openid_connect", {}).get("APPS")
            ),
            "events": shown[:20],
        },
    )


def health(request):
    """For a load balancer and the benchmark's floor: the app answers. No session, no query."""
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links; send them to the static icon."""
    return redirect(static("favicon.svg"), permanent=True)


def health_db(request):
    """The app answers and reaches its database (503 when it cannot)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse(
            "databasen svarar inte\n", status=503, content_type="text/plain; charset=utf-8"
        )
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")
