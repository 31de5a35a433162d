"""Accounts through django-allauth, fitted to a förbund's policy (docs/people.md).

No one signs up (a person comes in by an invitation, finsam.people); a one-time code by e-mail
is sent only to people whose roles all allow it (Forbund.code_login_for); a second factor is
required where any förbund of the person requires it for one of their roles
(Forbund.mfa_required_for, finsam.middleware.SecondFactorRequiredMiddleware). Every login,
failed login, code, reset and change of a second factor is written to the log with the
address and the browser it came from.
"""

from __future__ import annotations

import time
from functools import wraps

from allauth.account import signals as account_signals
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.utils import filter_users_by_email
from allauth.mfa import signals as mfa_signals
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from finsam.lockout import client_ip, lockout_response
from finsam.models import AuditEvent, Forbund, Membership

MFA_SESSION_KEY = "finsam_mfa_missing"
MFA_CHECKED_KEY = "finsam_mfa_checked"


def _policy_groups(memberships) -> list[tuple[Forbund, set[str]]]:
    """Each förbund of the person's current roles, with the policy groups those roles are in."""
    by_forbund: dict[int, tuple[Forbund, set[str]]] = {}
    for m in memberships:
        forbund, groups = by_forbund.setdefault(m.forbund_id, (m.forbund, set()))
        groups |= m.forbund.access_groups(m)
    return list(by_forbund.values())


def current_memberships(user) -> list[Membership]:
    """The roles the policy reads: those held today and those still to come (a board of the
    next period, invited in December, logs in before 1 January)."""
    return list(Membership.objects.filter(user=user).not_ended().select_related("forbund"))


def second_factor_required(user, memberships=None) -> bool:
    """Whether a förbund of the person requires a second factor of one of their roles."""
    memberships = current_memberships(user) if memberships is None else memberships
    return any(
        groups & set(forbund.mfa_required_for) for forbund, groups in _policy_groups(memberships)
    )


def has_second_factor(user) -> bool:
    return Authenticator.objects.filter(
        user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).exists()


def code_login_allowed(user) -> bool:
    """A code by e-mail only where every förbund allows it for every role the person holds
    there: the strictest policy wins. A person without a current role has none."""
    groups = _policy_groups(current_memberships(user))
    return bool(groups) and all(g <= set(forbund.code_login_for) for forbund, g in groups)


def note_second_factor(request: HttpRequest, user) -> None:
    """Remember in the session whether the person still owes a second factor (read on every
    request by SecondFactorRequiredMiddleware, so the check costs no query per page)."""
    missing = second_factor_required(user) and not has_second_factor(user)
    request.session[MFA_CHECKED_KEY] = int(time.time())
    if missing:
        request.session[MFA_SESSION_KEY] = True
    else:
        request.session.pop(MFA_SESSION_KEY, None)


def under_login_lock(view):
    """The login lockout (django-axes, finsam.lockout) on a page that sends something to an
    address: Glömt lösenord? and a code by e-mail. An address or a person locked out of the
    login is refused here too, with the same page, and nothing is sent."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST":
            typed = (request.POST.get("email") or "").strip()
            credentials = {"email": typed} if typed else None
            if not AxesProxyHandler.is_allowed(request, credentials):
                return lockout_response(request, credentials=credentials)
        return view(request, *args, **kwargs)

    return wrapper


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False  # invitations only (finsam.people)

    def get_client_ip(self, request: HttpRequest) -> str:
        return client_ip(request) or "0.0.0.0"

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # The page that asked for a code looks the same either way; only the mail differs.
        if template_prefix == "account/email/login_code" and not context.get("reauthentication"):
            user = context.get("user") or next(iter(filter_users_by_email(email)), None)
            if user is not None and not code_login_allowed(user):
                _record(
                    user,
                    "account.code_refused",
                    "Bad om en inloggningskod, men förbundet tillåter inte kod för rollen",
                    context.get("request"),
                )
                template_prefix = "account/email/login_code_not_allowed"
                context = {k: v for k, v in context.items() if k != "code"}
        super().send_mail(template_prefix, email, context)


class MFAAdapter(DefaultMFAAdapter):
    pass


_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("Mac OS X", "Mac"),
    ("CrOS", "Chromebook"),
    ("Linux", "Linux"),
)


def device_label(user_agent: str) -> str:
    """ "Firefox på Windows" from a browser's User-Agent, for a person to recognise their own
    devices; "Okänd webbläsare" when it names none we know."""
    agent = user_agent or ""
    browser = next((name for mark, name in _BROWSERS if mark in agent), "")
    system = next((name for mark, name in _SYSTEMS if mark in agent), "")
    if browser and system:
        return f"{browser} på {system}"
    return browser or system or "Okänd webbläsare"


def person_label(user) -> str:
    """How allauth names the person in its messages ("Du har loggat in som Anna Ek")."""
    return user.get_full_name() or user.get_username()


def record_account_event(user, action: str, summary: str, request: HttpRequest | None) -> None:
    """An event of the person's account from a view (finsam.views.my_security)."""
    _record(user, action, summary, request)


def _where(request: HttpRequest | None) -> dict[str, list]:
    if request is None:
        return {}
    agent = request.META.get("HTTP_USER_AGENT", "")[:200]
    return {"från": [None, client_ip(request) or "okänd adress"], "webbläsare": [None, agent]}


def _record(user, action: str, summary: str, request: HttpRequest | None, **changes) -> None:
    """One event about the person's account, outside any förbund's log of changes (a login
    changes nothing of a förbund's): the person reads it under Inloggning och säkerhet, the
    operator in the admin's log."""
    detail = _where(request) | {k: [None, v] for k, v in changes.items()}
    known = user is not None and user.pk is not None
    who = (user.get_full_name() or user.get_username()) if known else ""
    AuditEvent.objects.create(
        forbund=None,
        actor=user if known else None,
        action=action,
        object_type="auth.user",
        object_id=str(user.pk) if known else "",
        object_repr=who[:300],
        summary=(f"{who}: {summary}" if who else summary)[:500],
        changes=detail,
    )


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    if request is None:
        return
    how = "med inloggningskod" if _by_code(request) else ""
    _record(user, "account.login", f"Loggade in {how}".strip(), request)
    if hasattr(request, "session"):
        note_second_factor(request, user)


def _by_code(request) -> bool:
    # allauth's login by code passes its stage through the session until the login completes.
    state = getattr(request, "session", {}).get("account_login", {}) or {}
    return "login_by_code" in str(state.get("state", ""))


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        _record(user, "account.logout", "Loggade ut", request)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    typed = (credentials or {}).get("username") or (credentials or {}).get("email") or ""
    user = _account_named(typed)
    # The typed name is shown as typed; it may be nobody's, and that is said to no one.
    _record(
        user, "account.login_failed", f"Misslyckad inloggning som \u201d{typed[:80]}\u201d", request
    )


def _account_named(typed: str):
    User = get_user_model()
    if not typed:
        return None
    return (
        User.objects.filter(username__iexact=typed).first()
        or User.objects.filter(email__iexact=typed).order_by("pk").first()
    )


@receiver(account_signals.password_reset)
def _password_reset(sender, request, user, **kwargs):
    _record(user, "account.password_reset", "Valde nytt lösenord via länk i e-post", request)


@receiver(account_signals.password_changed)
def _password_changed(sender, request, user, **kwargs):
    _record(user, "account.password_changed", "Bytte lösenord", request)


@receiver(account_signals.login_code_rejected)
def _code_rejected(sender, request, user, **kwargs):
    _record(user, "account.code_rejected", "Fel inloggningskod", request)


_FACTOR = {
    Authenticator.Type.TOTP: "app med engångskoder",
    Authenticator.Type.RECOVERY_CODES: "reservkoder",
    Authenticator.Type.WEBAUTHN: "säkerhetsnyckel",
}


def _factor(authenticator) -> str:
    return _FACTOR.get(authenticator.type, str(authenticator.type))


@receiver(mfa_signals.authenticator_added)
def _factor_added(sender, request, user, authenticator, **kwargs):
    _record(
        user,
        "account.mfa_added",
        f"Lade till tvåstegsverifiering: {_factor(authenticator)}",
        request,
    )
    if request is not None and hasattr(request, "session"):
        note_second_factor(request, user)


@receiver(mfa_signals.authenticator_removed)
def _factor_removed(sender, request, user, authenticator, **kwargs):
    _record(
        user,
        "account.mfa_removed",
        f"Tog bort tvåstegsverifiering: {_factor(authenticator)}",
        request,
    )
    if request is not None and hasattr(request, "session"):
        note_second_factor(request, user)


@receiver(mfa_signals.authenticator_reset)
def _factor_reset(sender, request, user, authenticator, **kwargs):
    _record(user, "account.mfa_reset", f"Skapade nya {_factor(authenticator)}", request)


@receiver(mfa_signals.authentication_failed)
def _factor_failed(sender, request, user, **kwargs):
    _record(user, "account.mfa_failed", "Fel kod i tvåstegsverifieringen", request)
