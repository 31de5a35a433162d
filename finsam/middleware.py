"""Sessions that end after inactivity (each request within the session's age moves its end on,
but the session is written at most every few minutes), and private pages kept out of caches."""

from __future__ import annotations

import time

from django.utils.cache import patch_cache_control, patch_vary_headers

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
        return response


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
