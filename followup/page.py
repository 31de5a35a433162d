"""What the follow-up page shows of a year, computed once and kept while nothing changes.

Every change in a förbund is recorded and counted (finsam.models.ChangeCount): an import, a
typed month, a prognos, the konto map, the settings, the plan itself. The page's figures and
tables are kept under that count, so the next reader after a change computes them and every
later one reads them. The key also carries the day (a plan's figures depend on it), the plan's
lock_version and a digest of the code that draws the page, so a new release never shows a
page an older one drew.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import django
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from finsam.audit import latest_change
from followup import charts, compute, report, reports, selectors, table_html
from followup.report import follow_up_report
from followup.reports import report_tables
from followup.selectors import follow_up, weights_for
from plans.models import Plan

PAGE_SECONDS = 24 * 3600
_CODE = hashlib.sha256(
    b"".join(
        Path(module.__file__).read_bytes()
        for module in (charts, compute, report, reports, selectors, table_html)
    )
).hexdigest()[:16]


@dataclass
class Page:
    """The follow-up page's content: its figures (report) and the parts drawn from them."""

    report: dict
    rows_table: str
    groups_table: str
    insatser_table: str
    groups_months: list[charts.GroupMonths]
    equity_svg: str
    prognos_meeting_date: date | None


def _key(plan: Plan, month: int | None, count: int, today: date) -> str:
    return (
        f"follow-up-page:{_CODE}-{django.get_version()}:{plan.pk}:{plan.lock_version}:"
        f"{count}:{today}:{'senaste' if month is None else month}"
    )


def follow_up_page(plan: Plan, *, month: int | None = None) -> Page:
    """The page of the plan's year as at `month` (None: the last month with utfall), read from
    the cache while the förbund has recorded no change since it was computed."""
    count = None if connection.in_atomic_block else latest_change(plan.forbund_id)
    key = _key(plan, month, count, timezone.localdate()) if count is not None else None
    if key is not None:
        kept = cache.get(key)
        if kept is not None:
            return kept
    page = _compute(plan, month)
    if key is not None:
        # Read after the count: at least as new as the count says (finsam.models.ChangeCount).
        cache.set(key, page, PAGE_SECONDS)
    return page


def _compute(plan: Plan, month: int | None) -> Page:
    follow = follow_up(plan, month=month)
    data = follow_up_report(follow)
    return Page(
        report=data,
        **report_tables({"follow": data, "unit": plan.amount_unit}),
        groups_months=charts.group_months(follow, weights_for(plan.forbund, follow.settings)),
        equity_svg=charts.equity_chart(follow),
        prognos_meeting_date=follow.prognos.meeting_date if follow.prognos else None,
    )
