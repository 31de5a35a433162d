"""Writing a delårsrapport: making one for a month, its sections, and a corrected version of an
adopted one. Its review, decision and archive are the plan's own (plans.workflow)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q

from finsam.audit import ActingUser, audit_record
from finsam.models import Forbund
from followup.models import DEFAULT_SECTIONS, Delarsrapport, ReportSection
from followup.reports import latest_prognos
from followup.selectors import followed_plan
from plans.models import PlanLocked
from plans.sanitize import sanitize_html
from plans.services import document_section_save


def _headings(forbund: Forbund, year: int, month: int) -> list[str]:
    """The headings of the förbund's report before this one (this year's earlier month, or last
    year's latest), or the förvaltningsberättelse's usual parts for a first report."""
    before = (
        Delarsrapport.objects.filter(forbund=forbund)
        .filter(Q(year__lt=year) | Q(year=year, month__lt=month))
        .order_by("-year", "-month", "-version")
        .first()
    )
    if before is None:
        return list(DEFAULT_SECTIONS)
    return list(before.sections.values_list("title", flat=True)) or list(DEFAULT_SECTIONS)


@transaction.atomic
def report_create(
    *, forbund: Forbund, year: int, month: int, acting_user: ActingUser
) -> Delarsrapport:
    """A draft report of the year per the end of `month`, on the adopted plan followed, with the
    latest prognos made by then and the headings of the report before."""
    if not 1 <= month <= 12:
        raise ValidationError({"month": "Välj en månad januari–december."})
    plan = followed_plan(forbund, year)
    if plan is None:
        raise ValidationError(f"Det finns ingen antagen plan för {year} att rapportera om.")
    Forbund.objects.select_for_update().filter(pk=forbund.pk).first()  # one at a time
    if Delarsrapport.objects.filter(forbund=forbund, year=year, month=month).exists():
        raise ValidationError(
            {"month": "Det finns redan en delårsrapport för den månaden; öppna den i stället."}
        )
    report = Delarsrapport(forbund=forbund, plan=plan, year=year, month=month)
    report.prognos = latest_prognos(report)
    try:
        report.save()
    except IntegrityError as error:  # a colleague made it a moment ago
        raise ValidationError(
            {"month": "Det finns redan en delårsrapport för den månaden; öppna den i stället."}
        ) from error
    ReportSection.objects.bulk_create(
        ReportSection(report=report, title=title, order=(i + 1) * 10)
        for i, title in enumerate(_headings(forbund, year, month))
    )
    audit_record(
        forbund=forbund,
        actor=acting_user,
        action="delarsrapport.create",
        obj=report,
        summary=f"Skapade {report.title}",
        plan=plan,
    )
    return report


def report_section_save(
    *, section: ReportSection, acting_user: ActingUser, data: Mapping[str, Any] | None = None
) -> ReportSection:
    """Create a section of a draft report, or save its changed heading and text (sanitised; a
    save from an older version is a conflict), as a plan's section is saved."""
    data = dict(data or {})
    return document_section_save(
        section=section,
        doc=section.report,
        acting_user=acting_user,
        data=data,
        texts={"body": sanitize_html(data.get("body", section.body))},
    )


@transaction.atomic
def report_revise(*, report: Delarsrapport, acting_user: ActingUser) -> Delarsrapport:
    """A corrected version of an adopted report: a new draft with its sections, the adopted one
    kept as it is (and its archived PDF)."""
    report = report.locked()
    if not report.is_adopted:
        raise PlanLocked("Bara en antagen delårsrapport rättas i en ny version; ändra utkastet.")
    latest = Delarsrapport.objects.filter(
        forbund_id=report.forbund_id, year=report.year, month=report.month
    ).aggregate(v=Max("version"))["v"]
    if latest != report.version:
        raise ValidationError("Det finns redan en nyare version av delårsrapporten.")
    draft = Delarsrapport.objects.create(
        forbund=report.forbund,
        plan=followed_plan(report.forbund, report.year) or report.plan,
        year=report.year,
        month=report.month,
        version=report.version + 1,
        revises=report,
        prognos=report.prognos,
    )
    ReportSection.objects.bulk_create(
        ReportSection(report=draft, title=s.title, body=s.body, order=s.order)
        for s in report.sections.all()
    )
    audit_record(
        forbund=report.forbund,
        actor=acting_user,
        action="delarsrapport.revise",
        obj=draft,
        summary=f"Skapade {draft.title} som rättar {report.title}",
        plan=report.plan,
    )
    return draft
