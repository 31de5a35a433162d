"""Sessions that end after inactivity (each request within the session's age moves its end on,
but the session is written at most every few minutes), private pages kept out of caches, and
htmx requests never answered with a whole page, and pages compressed on the wire."""

from __future__ import annotations

import gzip
import re
import secrets
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.crypto import get_random_string
from django_htmx.http import HttpResponseClientRedirect, HttpResponseClientRefresh

TOUCH_EVERY = 5 * 60  # seconds
KEY = "_finsam_seen"


def mark_login(sender, request, user, **kwargs) -> None:
    """A new session counts as just touched (django.contrib.auth's user_logged_in)."""
    if request is not None and hasattr(request, "session"):
        request.session[KEY] = int(time.time())


class SessionActivityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            now = int(time.time())
            if now - session.get(KEY, 0) >= TOUCH_EVERY:
                session[KEY] = now  # a change: Django saves it with a new expiry date
                _note_last_seen(session)
        return response


def _note_last_seen(session) -> None:
    """The person's list of sessions shows when each was last used, to within TOUCH_EVERY
    (allauth's own tracking would write on every request)."""
    from allauth.usersessions.models import UserSession
    from django.utils import timezone

    if session.session_key:
        UserSession.objects.filter(session_key=session.session_key).update(
            last_seen_at=timezone.now()
        )


class SecondFactorRequiredMiddleware:
    """A person whose förbund requires a second factor of their role, and who has none, is
    sent to add one before any other page. Whether they owe one is noted in the session at
    login and when a factor changes (finsam.accounts.note_second_factor) and asked again every
    few minutes (TOUCH_EVERY), so a role or a policy that changes during a session, or a
    session older than the policy, is caught too; while owed, it is asked on every request."""

    ALLOWED_PREFIXES = ("/konto/", "/static/", "/halsa/", "/favicon.ico", "/inbjudan/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from finsam.accounts import MFA_CHECKED_KEY, MFA_SESSION_KEY, note_second_factor

        session = getattr(request, "session", None)
        if session is None or not request.user.is_authenticated:
            return self.get_response(request)
        if session.get(MFA_SESSION_KEY) or (
            int(time.time()) - session.get(MFA_CHECKED_KEY, 0) >= TOUCH_EVERY
        ):
            note_second_factor(request, request.user)
        if session.get(MFA_SESSION_KEY) and not request.path.startswith(self.ALLOWED_PREFIXES):
            messages.warning(
                request,
                "Förbundet kräver tvåstegsverifiering för din roll. Lägg till en app med "
                "engångskoder eller en säkerhetsnyckel innan du går vidare.",
            )
            target = resolve_url("mfa_index")
            if getattr(request, "htmx", False):
                return HttpResponseClientRedirect(target)
            return HttpResponseRedirect(target)
        return self.get_response(request)


class PrivatePagesMiddleware:
    """What a signed-in person sees (drafts, budgets, PDFs) is kept out of shared caches and
    off the disk of the browser: `Cache-Control: private, no-store`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
            # A cache that does not know no-store must still not serve it to another cookie.
            patch_vary_headers(response, ("Cookie",))
        return response


# Why a write sent by htmx was refused, kept as a message for the page that is loaded instead.
REFUSED = {
    403: "Ändringen sparades inte: du har inte behörighet att göra den.",
    404: "Ändringen sparades inte: det du ändrade finns inte längre.",
}
REFUSED_OTHERWISE = "Ändringen sparades inte; sidan har laddats om."
LOGGED_OUT = "Du har loggats ut. Logga in igen."
LOGGED_OUT_WRITING = "Du har loggats ut, och det du ändrade sist sparades inte. Logga in igen."


class HtmxAnswersMiddleware:
    """No htmx request gets a page to swap into a part of one.

    htmx follows a plain redirect inside its request and swaps whatever page it lands on (the
    plan's page, the login page) into the part that asked; an error page would be swapped the
    same way by a part that shows its own errors (the budget editor's 400). So a redirect
    becomes HX-Redirect, which the browser follows as a whole page, and a whole page (an error
    page, or a view that ignored request.htmx) becomes HX-Refresh, with a message where a write
    was refused. Messages already set (the reason a plan is locked) survive either.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        htmx = getattr(request, "htmx", None)
        if not htmx or htmx.boosted or htmx.history_restore_request:
            return response  # these ask for a whole page
        if "HX-Redirect" in response or "HX-Location" in response or "HX-Refresh" in response:
            return response
        if 300 <= response.status_code < 400 and "Location" in response:
            if not request.user.is_authenticated and is_login(response["Location"]):
                writing = request.method not in ("GET", "HEAD")
                messages.info(request, LOGGED_OUT_WRITING if writing else LOGGED_OUT)
            answer = HttpResponseClientRedirect(response["Location"])
        elif is_whole_page(response):
            if request.method not in ("GET", "HEAD"):
                messages.error(request, REFUSED.get(response.status_code, REFUSED_OTHERWISE))
            answer = HttpResponseClientRefresh()
        else:
            return response
        answer.cookies = response.cookies
        return answer


def is_login(location: str) -> bool:
    return urlsplit(location).path == resolve_url(settings.LOGIN_URL)


def is_whole_page(response: HttpResponse) -> bool:
    """An HTML answer with the document around it (base.html), not a part of a page."""
    if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
        return False
    return b"<html" in response.content[:4096].lower()


# The kinds of answer worth compressing: text the app writes. A PDF, a workbook (a zip) or an
# image is compressed already; static files come compressed from WhiteNoise.
COMPRESSED_TYPES = frozenset({"text/html", "text/csv", "text/plain", "application/json"})
ACCEPTS_GZIP = re.compile(r"\bgzip\b")


class CompressPagesMiddleware:
    """Pages on the wire compressed with gzip, where the browser accepts it.

    The editor of a plan of 3 200 lines is 3.7 MB of HTML and some 0.3 MB compressed. Level 1
    costs a few milliseconds (level 6, Django's default, several times that) for a few per cent
    more on the wire.

    BREACH: a page that holds a secret and reflects what an attacker sends can leak the secret
    through its compressed length. As Django's GZipMiddleware does, every answer gets a gzip
    header field of random length ("Heal The BREACH"), and Django masks the form token anew in
    every answer, so the token never repeats. docs/scaling.md says how to compress at the proxy
    instead and turn this off (FINSAM_COMPRESS=0).
    """

    level = 1
    max_random_bytes = 100

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not settings.FINSAM_COMPRESS or response.streaming:
            return response
        if response.get("Content-Type", "").split(";", 1)[0].strip() not in COMPRESSED_TYPES:
            return response
        if len(response.content) < 200 or response.has_header("Content-Encoding"):
            return response
        patch_vary_headers(response, ("Accept-Encoding",))
        if not ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            return response
        body = gzip.compress(response.content, compresslevel=self.level, mtime=0)
        # The random field: FNAME set in the header, a random name before the data.
        header = bytearray(body[:10])
        header[3] = gzip.FNAME
        name = get_random_string(secrets.randbelow(self.max_random_bytes) + 1).encode()
        body = bytes(header) + name + b"\x00" + body[10:]
        if len(body) >= len(response.content):
            return response
        response.content = body
        response.headers["Content-Length"] = str(len(body))
        etag = response.get("ETag")
        if etag and etag.startswith('"'):
            response.headers["ETag"] = "W/" + etag
        response.headers["Content-Encoding"] = "gzip"
        return response
