"""allauth's pages under /konto/, with the product's own login address for all of them:
allauth's "account_login" is the same page as "login", so every redirect to log in (from the
second factor, a code, a reset) lands on /konto/logga-in/.

A person does not manage their own e-mail addresses here: an address is what an invitation
was sent to (or the operator set), so nobody can claim another's address and with it their
invitations, codes and reset links."""

from allauth.account import urls as account_urls
from allauth.account import views as account_views
from allauth.urls import build_provider_urlpatterns
from django.urls import include, path

from finsam.accounts import under_login_lock

OMITTED = {
    "account_login",  # the product's own, above
    "account_reset_password",  # below, under the login lock
    "account_request_login_code",
    "account_email",
    "account_confirm_email",
    "account_email_verification_sent",
}

urlpatterns = [
    path("logga-in/", account_views.login, name="login"),
    path("logga-in/", account_views.login, name="account_login"),
    path(
        "password/reset/",
        under_login_lock(account_views.password_reset),
        name="account_reset_password",
    ),
    path(
        "login/code/",
        under_login_lock(account_views.request_login_code),
        name="account_request_login_code",
    ),
    *(p for p in account_urls.urlpatterns if getattr(p, "name", None) not in OMITTED),
    path("2fa/", include("allauth.mfa.urls")),
    path("3rdparty/", include("allauth.socialaccount.urls")),
    *build_provider_urlpatterns(),
    path("sessions/", include("allauth.usersessions.urls")),
]
