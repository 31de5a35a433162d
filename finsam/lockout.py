"""The login lockout (django-axes) with a limit of its own for each way failures are counted.

settings.LOGIN_FAILURE_LIMITS names the ways (AXES_LOCKOUT_PARAMETERS: one person from one
address, one person, one address) and their limits. Axes itself has one limit for all of them
(a callable AXES_FAILURE_LIMIT is not told which parameter it is asked about); its maintainers
point to a handler of one's own for this (jazzband/django-axes#661).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import datetime
from ipaddress import ip_address

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import (
    get_client_username,
    get_cool_off,
    get_failure_limit,
    get_lockout_parameters,
)
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

PERSON_AT_ADDRESS = ("username", "ip_address")
ADDRESS = ("ip_address",)


class LimitPerParameterHandler(AxesDatabaseHandler):
    """Axes' database handler, locking when any way of counting reaches its own limit."""

    def counted(
        self, request: HttpRequest, credentials: dict | None = None
    ) -> Iterator[tuple[tuple[str, ...], int, QuerySet[AccessAttempt]]]:
        """Each way of counting, its limit and the failures it counts within the cool-off."""
        parameters = get_lockout_parameters(request, credentials)
        attempts = self.get_user_attempts(request, credentials)
        for parameter, counted in zip(parameters, attempts, strict=True):
            key = (parameter,) if isinstance(parameter, str) else tuple(parameter)
            yield key, settings.LOGIN_FAILURE_LIMITS[key], counted

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        # Axes decides on a lock in two places, both as get_failures() >= AXES_FAILURE_LIMIT.
        # Answering with the failures that limit allows less those left before the nearest
        # of our limits makes both lock exactly when some way of counting reaches its own.
        left = min(
            limit - (attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0)
            for _, limit, attempts in self.counted(request, credentials)
        )
        return get_failure_limit(request, credentials) - left

    def lock_ends(
        self, request: HttpRequest, credentials: dict | None = None
    ) -> dict[tuple[str, ...], datetime]:
        """When each lock that holds lifts, by its way of counting."""
        cool_off = get_cool_off(request)
        ends = {}
        for key, limit, attempts in self.counted(request, credentials):
            failures = 0
            # Axes counts a row while its latest failure is within the cool-off: the newest
            # rows that reach the limit hold the lock until the oldest of them leaves it.
            newest_first = attempts.order_by("-attempt_time")
            for attempt_time, row_failures in newest_first.values_list(
                "attempt_time", "failures_since_start"
            ):
                failures += row_failures
                if failures >= limit:
                    ends[key] = attempt_time + cool_off
                    break
        return ends

    def reset_user_attempts(self, request: HttpRequest, credentials: dict | None = None) -> int:
        # A login shows that this person at this address knows the password. Axes would reset
        # every way of counting, the address's too: a colleague's login behind the same
        # proxy would wipe an attacker's failures there, and the person's own login the
        # guesses against them from elsewhere.
        count, _ = AccessAttempt.objects.filter(
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,
        ).delete()
        return count


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """The Swedish 429 page: whether the person or the whole address is locked, and for how long."""
    now = timezone.now()
    ends = AxesProxyHandler.get_implementation().lock_ends(request, credentials)
    address_end = ends.pop(ADDRESS, None)
    person_end = max(ends.values(), default=None)
    seconds = max(
        [math.ceil((end - now).total_seconds()) for end in (address_end, person_end) if end],
        default=math.ceil(get_cool_off(request).total_seconds()),
    )
    response = render(
        request,
        "registration/locked_out.html",
        {
            "username": get_client_username(request, credentials) or "",
            "address_minutes": _minutes_until(address_end, now),
            "person_minutes": _minutes_until(person_end, now),
        },
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    response["Retry-After"] = str(max(1, seconds))
    return response


def _minutes_until(end: datetime | None, now: datetime) -> int | None:
    if end is None:
        return None
    return max(1, math.ceil((end - now).total_seconds() / 60))


def client_ip(request: HttpRequest) -> str | None:
    """The address a login comes from: REMOTE_ADDR, or behind a proxy named in
    settings.TRUSTED_PROXIES the nearest address in X-Forwarded-For that is not such a proxy."""
    remote = request.META.get("REMOTE_ADDR")
    if not _is_trusted_proxy(remote):
        return remote
    # Each proxy appends the address it was reached from; a client may send any header it likes,
    # so only the part the named proxies appended, read from the right, is believed.
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        if not _is_trusted_proxy(hop.strip()):
            try:
                return str(ip_address(hop.strip()))
            except ValueError:
                break  # not an address: count the attempt against the proxy
    return remote


def _is_trusted_proxy(address: str | None) -> bool:
    try:
        parsed = ip_address((address or "").strip())
    except ValueError:
        return False
    return any(parsed in network for network in settings.TRUSTED_PROXIES)


def login_name(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The account a login attempt names, however it was typed (allauth's login passes
    "username" or "email"; its form posts "login"): failures against one person count
    together whether the username or the address was typed."""
    credentials = credentials or {}
    typed = (
        credentials.get("username")
        or credentials.get("email")
        or request.POST.get("login")
        or request.POST.get("username")
        or ""
    ).strip()
    if "@" not in typed or "\x00" in typed:
        # An address with a NUL is no one's (PostgreSQL refuses it in a query): counted as typed.
        return typed.replace("\x00", "") or None
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(email__iexact=typed).order_by("pk").first()
    return user.get_username() if user is not None else typed.lower()
