"""What a delårsrapport shows and what stops it: its figures from the follow-up as at its month
(followup.selectors.follow_up, the same calculation as every page), frozen when it is submitted
(report_data), and its archived PDF drawn only from those frozen figures and its locked text.
"""

from __future__ import annotations

import dataclasses

from django.template.loader import render_to_string

from followup import annual, charts
from followup.compute import MONTH_NAMES
from followup.models import Delarsrapport, Prognos
from followup.report import follow_up_report
from followup.selectors import follow_up, followed_plan, weights_for
from followup.table_html import rows_table
from plans.pdf import RenderedPdf, render_pdf


def latest_prognos(report: Delarsrapport) -> Prognos | None:
    """The prognos the report presents: the latest made after a month up to its own."""
    return (
        Prognos.objects.filter(
            forbund_id=report.forbund_id, year=report.year, month__lte=report.month
        )
        .order_by("month", "created_at", "pk")
        .last()
    )


def report_problems(report: Delarsrapport) -> list[str]:
    """Why the report cannot go to the board (or be adopted): months without utfall up to its
    month, and deviations over the förbund's threshold the prognos does not explain. Judged on
    what the report shows: its frozen figures once submitted, the follow-up's while a draft."""
    data = shown_data(report)["follow"]
    problems = []
    missing = [m for m in range(1, report.month + 1) if m not in data["months_with_utfall"]]
    if missing:
        names = ", ".join(MONTH_NAMES[m - 1] for m in missing)
        problems.append(f"Utfall saknas för {names}.")
    for label in data["unexplained"]:
        problems.append(
            f"Avvikelsen för {label} är över tröskeln och saknar förklaring i prognosen."
        )
    return problems


def report_data(report: Delarsrapport) -> dict:
    """Everything the report shows but its text, as plain data: the follow-up's figures as at
    the month, the charts drawn from them, the indicators' outcomes recorded so far. A draft
    follows the year's plan as it stands: when a revised version is adopted, the report follows
    that version (as the follow-up page does) and is frozen on it."""
    plan = followed_plan(report.forbund, report.year) or report.plan
    report.plan = plan
    follow = follow_up(plan, month=report.month)
    if follow.prognos is not None:
        report.prognos = follow.prognos
    weights = weights_for(plan.forbund, follow.settings)
    return {
        "forbund_name": report.forbund.name,
        "title": report.title,
        "period_label": report.period_label,
        "unit": plan.amount_unit,
        "plan": {"id": plan.pk, "title": plan.title, "decision": plan.decision_text},
        "follow": follow_up_report(follow),
        "charts": [{"label": g.label, "svg": g.svg} for g in charts.group_months(follow, weights)],
        "equity_svg": charts.equity_chart(follow),
        "indicators": [dataclasses.asdict(i) for i in annual.indicators(plan, report.year)],
    }


def shown_data(report: Delarsrapport) -> dict:
    """What the report shows now: its frozen figures once submitted, the live ones while it is
    a draft (the kansli sees what the board will get)."""
    return report.frozen if report.frozen is not None else report_data(report)


def report_snapshot(report: Delarsrapport, data: dict | None = None) -> dict:
    """Per line its prognos and deviation, per section its text: what a returning reviewer
    compares. data: what the report shows, when the caller has it already."""
    data = (data or shown_data(report))["follow"]
    return {
        "figures": {
            row["label"]: [row["utfall"], row["prognos"], row["prognos_deviation"]]
            for row in data["rows"]
        },
        "sections": {s.title: s.body for s in report.sections.all()},
    }


def snapshot_changes(then: dict, now: dict) -> tuple[list, list]:
    """(lines whose utfall, prognos or deviation changed, sections whose text changed), each as
    (name, old, new)."""
    figures = [
        (label, then["figures"].get(label), values)
        for label, values in now["figures"].items()
        if then["figures"].get(label) != values
    ]
    sections = [
        (title, then["sections"].get(title, ""), body)
        for title, body in now["sections"].items()
        if then["sections"].get(title, "") != body
    ]
    return figures, sections


def changed_cells(figures: list) -> list:
    """snapshot_changes' figures for a table: per line, (before, now) for its utfall, prognos
    and deviation; a line new since then has no before."""
    return [
        (label, list(zip(old or [None] * len(new), new, strict=True)))
        for label, old, new in figures
    ]


def revision_changes(report: Delarsrapport, data: dict | None = None) -> tuple | None:
    """A corrected version against the one it corrects: (that version, figures, sections).
    data: what the report shows, when the caller has it already."""
    earlier = report.revises
    if earlier is None:
        return None
    figures, texts = snapshot_changes(report_snapshot(earlier), report_snapshot(report, data))
    return earlier.version, changed_cells(figures), texts


def report_tables(data: dict) -> dict:
    """The report's three tables of rows (per line, group and insats), drawn from its data."""
    follow, unit = data["follow"], data["unit"]
    return {
        "rows_table": rows_table(
            follow["rows"],
            unit=unit,
            table_id="rader",
            caption="Budget, utfall och prognos per rad",
            explain=True,
            totals=follow["totals"].values(),
            result=follow["result"],
        ),
        "groups_table": rows_table(
            follow["groups"],
            unit=unit,
            table_id="grupper",
            caption="Budget, utfall och prognos per grupp",
            explain=False,
        ),
        "insatser_table": rows_table(
            follow["insatser"],
            unit=unit,
            table_id="insatser",
            caption="Budget, utfall och prognos per insats",
            explain=False,
        ),
    }


def report_html(report: Delarsrapport) -> str:
    data = shown_data(report)
    return render_to_string(
        "followup/delarsrapport_pdf.html",
        {
            "report": report,
            "data": data,
            "sections": list(report.sections.all()),
            **report_tables(data),
        },
    )


def render_report_pdf(report: Delarsrapport) -> RenderedPdf:
    """The adopted report's PDF/A, from its frozen figures and locked text only."""
    return render_pdf(report_html(report))
