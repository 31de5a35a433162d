"""Sign-in with the members' own identity providers (OpenID Connect through allauth).

The people of a förbund work at the region, the kommuner, Försäkringskassan and
Arbetsförmedlingen, each with its own identity provider; the installation names them in
FINSAM_OIDC_PROVIDERS (finsam/oidc_config.py, docs/people.md). A provider's identity logs in:

- the account it is linked to: the person links it themselves, logged in, on
  /konto/3rdparty/ (allauth's connections page);
- a new account for an invitation: the invitation page offers the provider whose domains
  include the invited address; the provider must then give that very address (case aside).
  The account is created with the address as username and no password, linked, and the
  invitation taken through finsam.people.invitation_accept, as with a password.

Nothing else. In particular an unlinked identity whose address matches an account does not log
into it (allauth's EMAIL_AUTHENTICATION stays off): a provider vouches for the addresses of its
own organisation at best, a misconfigured or compromised one for any, and a person at one
member can often set an address of another in their profile. Linking is the account owner's
act, proven by logging in first. For an invitation the provider's word on the address suffices
because the installation named that provider for the address's domain, and the invitation link
had to be opened too.

A provider that does not answer (discovery, keys, token or userinfo: allauth fetches them with
requests, SOCIALACCOUNT_REQUESTS_TIMEOUT) or answers with an error sends the person back to the
login page with a message in Swedish; the password and code logins are on the same page.
"""

from __future__ import annotations

import logging

import requests
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.base.constants import AuthError, AuthProcess
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from finsam import people

log = logging.getLogger(__name__)

INVITATION_KEY = "finsam_oidc_invitation"


def genitive(name: str) -> str:
    """Swedish genitive of an organisation's name: Region X:s, Region Skånes, Borås."""
    last = name[-1:]
    if last.isupper() or last.isdigit():
        return f"{name}:s"
    if last.lower() in "sxz":
        return name
    return f"{name}s"


def unavailable_message(name: str, *, invitation: bool = False) -> str:
    instead = "Välj ett lösenord" if invitation else "Logga in med lösenord eller kod"
    return f"{genitive(name)} inloggning svarar inte just nu. {instead} i stället."


def failed_message(name: str) -> str:
    return (
        f"Inloggningen via {name} kunde inte slutföras. Försök igen, eller logga in med "
        "lösenord eller kod."
    )


def not_linked_message(name: str) -> str:
    return (
        f"Ditt konto hos {name} är inte kopplat till något konto i Finsam Plan. Logga in med "
        "lösenord eller kod och koppla det under Inloggning och säkerhet, eller be förbundets "
        "kansli om en inbjudan."
    )


def other_address_message(name: str, email: str) -> str:
    return (
        f"Inbjudan gäller {email}, men {genitive(name)} inloggning gav en annan adress. Inget "
        "konto skapades och inbjudan gäller fortfarande: logga in där som rätt person, eller "
        "välj ett lösenord."
    )


def providers_for_email(request: HttpRequest, email: str) -> list[OpenIDConnectProvider]:
    """The providers whose domains include the address's (at most one: oidc_config)."""
    domain = email.rpartition("@")[2].lower()
    adapter = SocialAccountAdapter(request)
    return [
        p
        for p in adapter.list_providers(request)
        if isinstance(p, OpenIDConnectProvider) and domain in (p.app.settings.get("domains") or [])
    ]


def invitation_login_start(
    request: HttpRequest, *, token: str, invitation, provider_id: str
) -> HttpResponse | None:
    """Start the provider's login for an invitation; None if the provider is not one for the
    invited address."""
    for provider in providers_for_email(request, invitation.email):
        if provider.app.provider_id == provider_id:
            request.session[INVITATION_KEY] = {"token": token, "provider": provider_id}
            return provider.redirect(
                request,
                AuthProcess.LOGIN,
                next_url=reverse("forbund_detail", args=[invitation.forbund.slug]),
            )
    return None


def _back(request: HttpRequest, message: str, to: str | None = None) -> ImmediateHttpResponse:
    """Back where the login was started (the invitation, the connections page or the login
    page), with the message; the invitation is forgotten."""
    messages.error(request, message)
    pending = request.session.pop(INVITATION_KEY, None)
    if to is None and pending:
        to = reverse("invitation_accept", args=[pending["token"]])
    if to is None:
        to = reverse("socialaccount_connections" if request.user.is_authenticated else "login")
    return ImmediateHttpResponse(redirect(to))


class MemberProvider(OpenIDConnectProvider):
    """allauth's OpenID Connect provider, with a provider that does not answer reported as
    such instead of an error page: the discovery document is fetched when the login starts."""

    def redirect(self, request, process, next_url=None, data=None, **kwargs):
        try:
            return super().redirect(request, process, next_url=next_url, data=data, **kwargs)
        except (requests.RequestException, ValueError, KeyError) as error:
            log.warning("OIDC provider %s unavailable: %s", self.app.provider_id, error)
            message = unavailable_message(
                self.app.name, invitation=INVITATION_KEY in request.session
            )
            return _back(request, message).response


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def get_provider(self, request: HttpRequest, provider, client_id=None):
        found = super().get_provider(request, provider, client_id=client_id)
        if type(found) is OpenIDConnectProvider:
            return MemberProvider(request, app=found.app)
        return found

    def list_providers(self, request: HttpRequest):
        return [
            MemberProvider(request, app=p.app) if type(p) is OpenIDConnectProvider else p
            for p in super().list_providers(request)
        ]

    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ) -> None:
        name = provider.app.name if getattr(provider, "app", None) else provider.name
        if isinstance(exception, requests.RequestException):
            log.warning("OIDC provider %s unavailable: %s", provider.sub_id, exception)
            invitation = INVITATION_KEY in request.session
            raise _back(request, unavailable_message(name, invitation=invitation))
        if error == AuthError.CANCELLED:
            raise _back(request, f"Inloggningen via {name} avbröts.")
        if isinstance(exception, OAuth2Error):
            log.warning("OIDC login via %s refused: %s", provider.sub_id, exception)
        raise _back(request, failed_message(name))

    def is_open_for_signup(self, request: HttpRequest, sociallogin) -> bool:
        """Only for the invitation this login was started for, to the address it was sent to;
        otherwise back to the login page (or the invitation) with the reason."""
        provider = sociallogin.provider
        name = provider.app.name
        pending = request.session.get(INVITATION_KEY)
        if not pending or pending.get("provider") != provider.app.provider_id:
            raise _back(request, not_linked_message(name), reverse("login"))
        try:
            invitation = people.invitation_for_token(pending["token"])
        except people.InvitationRefused as refused:
            raise _back(request, refused.messages[0]) from None
        given = {e.email.strip().lower() for e in sociallogin.email_addresses}
        if invitation.email.lower() not in given:
            raise _back(request, other_address_message(name, invitation.email))
        if people.account_for(invitation.email) is not None:
            # The invitation page asks such a person to log in instead; this is a race.
            raise _back(request, "Logga in för att ta emot inbjudan.")
        return True

    def save_user(self, request: HttpRequest, sociallogin, form=None):
        """The new account, linked, and the invitation taken: all or nothing."""
        token = request.session[INVITATION_KEY]["token"]
        try:
            with transaction.atomic():
                invitation = people.invitation_for_token(token, lock=True)
                sociallogin.user.username = sociallogin.user.email = invitation.email
                user = super().save_user(request, sociallogin, form=form)
                membership = people.invitation_accept(token=token, user=user)
        except ValidationError as error:
            raise _back(request, " ".join(error.messages)) from None
        request.session.pop(INVITATION_KEY, None)
        messages.success(
            request,
            f"Välkommen! Du är nu {membership.role_label.lower()} i {membership.forbund.name}.",
        )
        return user
