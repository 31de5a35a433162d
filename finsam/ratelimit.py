"""A per-person limit on expensive work: rendering PDFs and reading or writing Excel files.

Each piece of work is a row (finsam.models.WorkRequest), so the limit holds across processes and
app servers sharing the database. A person over the limit gets 429 with a Swedish page saying
when to try again; nothing is done. The limits are settings (RATE_LIMITS, RATE_LIMIT_MINUTES).
"""

from __future__ import annotations

import math
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.shortcuts import render
from django.utils import timezone

from finsam.models import WorkRequest

KINDS = {
    "pdf": "pdf:er",
    "excel": "Excel-filer",
}


def wait_seconds(user, kind: str) -> int:
    """Record one piece of work of `kind` for `user` and return 0, or, over the limit, record
    nothing and return how many seconds until the oldest counted piece falls out of the window."""
    limit = settings.RATE_LIMITS[kind]
    window = timedelta(minutes=settings.RATE_LIMIT_MINUTES)
    now = timezone.now()
    with transaction.atomic():
        WorkRequest.objects.filter(at__lt=now - timedelta(days=1)).delete()
        recent = list(
            WorkRequest.objects.filter(user=user, kind=kind, at__gte=now - window)
            .order_by("-at")
            .values_list("at", flat=True)[:limit]
        )
        if len(recent) >= limit:
            return max(1, math.ceil((recent[-1] + window - now).total_seconds()))
        WorkRequest.objects.create(user=user, kind=kind, at=now)
    return 0


def refused(request, kind: str):
    """None if the work may go ahead (it is counted), else the 429 answer to give instead."""
    seconds = wait_seconds(request.user, kind)
    if not seconds:
        return None
    minutes = max(1, math.ceil(seconds / 60))
    response = render(
        request,
        "429.html",
        {
            "what": KINDS[kind],
            "limit": settings.RATE_LIMITS[kind],
            "window": settings.RATE_LIMIT_MINUTES,
            "minutes": minutes,
        },
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response
