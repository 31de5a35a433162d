"""Which tab of the navigation a page belongs to: a view says it with @nav("budget"), and the
templates read "page" from the context (finsam.context_processors.memberships)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps


def nav(page: str) -> Callable:
    """Mark every page of a view as belonging to the navigation tab named page."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            request.nav_page = page
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
