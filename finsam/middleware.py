"""Sessions that end after inactivity: each request within the session's age moves its end on,
but the session is written at most every few minutes, not on every request."""

from __future__ import annotations

import time

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
