"""The plan's lifecycle and its document: creation (new, carried forward, revised), settings,
sections, årshjul and PDFs (review and adoption: plans/workflow.py).

Each service runs in a transaction, locks the plan row where its state matters, validates,
and records who did what in the audit log. Side effects (rendering a PDF) wait for the commit.
plans is the top of the apps (README, layout): it calls budgets and insatser directly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from budgets.defaults import ensure_budget_groups
from budgets.models import COMPARISON_KINDS
from budgets.selectors import plan_figures
from budgets.services import (
    budget_copy,
    budget_year_lines_from_groups,
    budget_years_sync,
    sek,
    year_columns,
)
from finsam.audit import (
    ActingUser,
    audit_record,
    changed_names,
    delete_recorded,
    latest_change,
    save_recorded,
)
from finsam.models import Forbund
from finsam.services import fordelningstal_carry
from insatser.services import insatser_copy
from plans.defaults import default_arshjul, default_outline
from plans.models import (
    ArshjulEvent,
    PdfKind,
    PdfStatus,
    Plan,
    PlanPdf,
    PlanStatus,
    Section,
    SectionKind,
)
from plans.sanitize import sanitize_html
from plans.signals import plan_carried_forward
from plans.tasks import render_pdf_task

# The förbund's targets go on into the years a carried-forward plan adds; amounts do not.


# --- Creation: new, carried forward, revised ----------------------------------------------------


@transaction.atomic
def plan_create(
    *,
    forbund: Forbund,
    acting_user: ActingUser,
    budget_year: int,
    plan_years: int = 3,
    comparison: Iterable[str] = (),
    plan_year_heading: str = "Plan",
    opening_equity: Decimal = Decimal(0),
    under_use_percent: Decimal = Decimal(0),
    deficit_reason: str = "",
    source: Plan | None = None,
) -> Plan:
    """The one way a plan comes to be: a new draft for budget_year, validated and recorded.

    Without a source it starts from the förbund's budget groups, the default outline and
    årshjul. With a source it takes the source's content instead: for the same budget year it
    is a revision (version n+1, everything copied, plan_revise); for a later year it is carried
    forward (the years the two plans share, and the insatser still running, plan_create_from).
    """
    revises = source if source is not None and source.budget_year == budget_year else None
    version = 1
    if revises is not None:
        version = (
            Plan.objects.filter(forbund=forbund, budget_year=budget_year).aggregate(
                m=Max("version")
            )["m"]
            or 1
        ) + 1
    chosen = set(comparison)
    plan = Plan(
        forbund=forbund,
        budget_year=budget_year,
        plan_years=plan_years,
        version=version,
        revises=revises,
        **{f"compare_{kind}": kind in chosen for kind in COMPARISON_KINDS},
        plan_year_heading=plan_year_heading,
        opening_equity=sek(opening_equity),
        under_use_percent=under_use_percent,
        deficit_reason=deficit_reason,
    )
    if source is not None:  # the document keeps its shape: contents depth, chapter numbers
        plan.toc_depth, plan.number_chapters = source.toc_depth, source.number_chapters
    plan.full_clean()
    plan.save()
    if source is None:
        ensure_budget_groups(forbund)
        budget_years_sync(plan)
        _add_default_content(plan)
        action, summary = "plan.create", f"Skapade {plan.title}"
    else:
        _copy_content(source=source, target=plan)
        if revises is not None:
            action = "plan.revise"
            summary = f"Skapade version {plan.version} av plan {plan.budget_year} som revidering"
        else:
            action, summary = "plan.create_from", f"Skapade {plan.title} utifrån {source.title}"
    audit_record(
        forbund=forbund,
        actor=acting_user,
        action=action,
        obj=plan,
        summary=summary,
        changes={"opening_equity": ["", str(opening_equity)]} if source and not revises else {},
        plan=plan,
    )
    return plan


def _add_default_content(plan: Plan) -> None:
    for order, (title, kind, body) in enumerate(default_outline(plan.forbund.vision), start=1):
        Section.objects.create(plan=plan, order=order * 10, title=title, kind=kind, body=body)
    for when, kind, title in default_arshjul(plan.budget_year):
        ArshjulEvent.objects.create(plan=plan, date=when, kind=kind, title=title)


def _copy_content(*, source: Plan, target: Plan) -> None:
    """Sections, årshjul, the budget (the years both plans cover) and the insatser."""
    first = target.comparison_year or target.budget_year
    if target.budget_year == source.budget_year:
        first = target.budget_year - 1  # a revision keeps the comparison year as it stands
    shift = target.budget_year - source.budget_year
    for s in source.sections.all():
        title = _shift_title_years(s.title, source, shift)
        Section.objects.create(
            plan=target, order=s.order, title=title, kind=s.kind, body=s.body, intro=s.intro
        )
    for e in source.arshjul.all():
        ArshjulEvent.objects.create(
            plan=target, date=_shift_year(e.date, shift), kind=e.kind, title=e.title
        )
    line_map = budget_copy(source=source, target=target, years=range(first, target.last_year + 1))
    insatser_copy(source=source, target=target, line_map=line_map)
    budget_year_lines_from_groups(source=source, target=target, line_map=line_map)


@transaction.atomic
def plan_create_from(
    *, previous: Plan, acting_user: ActingUser, budget_year: int | None = None
) -> Plan:
    """The draft plan for budget_year (default: the year after), carried forward from previous.

    It opens with the eget kapital previous leaves at the end of the year before, and takes
    along sections, årshjul, budget lines with the amounts of the years the two plans share,
    målgrupper, the plan's mål and the insatser still running into the new budget year.
    """
    budget_year = budget_year or previous.budget_year + 1
    if budget_year not in previous.next_budget_years:
        raise ValidationError(
            {
                "budget_year": f"{previous.title} räcker till en ny plan för "
                f"{previous.budget_year + 1}–{previous.last_year + 1}, inte för {budget_year}."
            }
        )
    forbund = previous.forbund
    if Plan.objects.for_forbund(forbund).filter(budget_year=budget_year).exists():
        raise ValidationError(
            {"budget_year": f"Förbundet har redan en plan för {budget_year}. Öppna den i stället."}
        )
    year_before = plan_figures(previous).result.year(budget_year - 1)
    plan = plan_create(
        forbund=forbund,
        acting_user=acting_user,
        budget_year=budget_year,
        plan_years=previous.plan_years,
        comparison=previous.comparison_kinds,
        plan_year_heading=previous.plan_year_heading,
        opening_equity=year_before.ub,
        under_use_percent=previous.under_use_percent,
        deficit_reason=previous.deficit_reason,
        source=previous,
    )
    fordelningstal_carry(
        forbund=forbund, years={year for year, _ in year_columns(plan)}, acting_user=acting_user
    )
    # The comparison columns of the year before start from its IB as the previous plan has it.
    for row in plan.year_rows.filter(year=plan.comparison_year):
        row.comparison_ib = sek(year_before.ib)
        row.save(update_fields=["comparison_ib"])
    # The follow-up of the year before, where there is one, may know better (followup.receivers).
    if plan_carried_forward.send(
        sender=Plan, plan=plan, previous=previous, acting_user=acting_user
    ):
        plan.refresh_from_db()
    return plan


@transaction.atomic
def plan_revise(*, plan: Plan, acting_user: ActingUser) -> Plan:
    """A new draft version of an adopted plan with all its content; the adopted one stays fixed."""
    plan = plan.locked()
    if not plan.is_adopted:
        raise ValidationError("Bara en antagen plan kan revideras; ändra utkastet direkt.")
    open_revision = Plan.objects.filter(forbund=plan.forbund, budget_year=plan.budget_year).exclude(
        status=PlanStatus.ANTAGEN
    )
    if open_revision.exists():
        raise ValidationError("Det finns redan en revidering under arbete för detta budgetår.")
    return plan_create(
        forbund=plan.forbund,
        acting_user=acting_user,
        budget_year=plan.budget_year,
        plan_years=plan.plan_years,
        comparison=plan.comparison_kinds,
        plan_year_heading=plan.plan_year_heading,
        opening_equity=plan.opening_equity.amount,
        under_use_percent=plan.under_use_percent,
        deficit_reason=plan.deficit_reason,
        source=plan,
    )


_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")


def _shift_title_years(title: str, source: Plan, shift: int) -> str:
    """A heading that names the source plan's years ("Budget 2022 med plan för 2023–2024",
    "Beviljade insatser 2022") names the new plan's; a year outside the source's columns ("Vision
    2030", "sedan 2008") is the förbund's own and stays."""
    if not shift:
        return title
    first = source.comparison_year or source.budget_year
    span = range(first, source.last_year + 1)

    def moved(match: re.Match) -> str:
        year = int(match.group(1))
        return str(year + shift) if year in span else match.group(1)

    return _YEAR.sub(moved, title)


def _shift_year(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@transaction.atomic
def plan_update(*, plan: Plan, acting_user: ActingUser, data: Mapping[str, Any]) -> Plan:
    """Save a draft plan's changed settings (data) and keep its year columns in step."""
    plan = plan.locked_draft()
    plan = save_recorded(
        instance=plan,
        data=data,
        acting_user=acting_user,
        forbund=plan.forbund,
        what=lambda plan, changes: f"planens inställningar ({changed_names(plan, changes)})",
        plan=plan,
    )
    budget_years_sync(plan)
    return plan


# --- Sections and årshjul -----------------------------------------------------------------------


@transaction.atomic
def section_save(
    *, section: Section, acting_user: ActingUser, data: Mapping[str, Any] | None = None
) -> Section:
    """Create a section of a draft plan, or save its changed fields (data); the text is
    sanitised here, and a generated section keeps no text of its own."""
    data = dict(data or {})
    kind = data.get("kind", section.kind)
    body = sanitize_html(data.get("body", section.body)) if kind == SectionKind.TEXT else ""
    return document_section_save(
        section=section,
        doc=section.plan,
        acting_user=acting_user,
        data=data,
        texts={"body": body, "intro": sanitize_html(data.get("intro", section.intro))},
    )


@transaction.atomic
def document_section_save(
    *, section, doc, acting_user: ActingUser, data: dict, texts: Mapping[str, str]
):
    """Create a section of a reviewed document's draft, or save its changed fields: texts are
    the section's HTML fields as sanitised; a new section goes last. Refused (PlanLocked) once
    the document has left the draft."""
    doc = doc.locked_draft()
    created = section.pk is None
    if created:
        for name, value in texts.items():
            setattr(section, name, value)
    else:
        data.update(texts)
    if created and not section.order:
        last = doc.sections.aggregate(m=Max("order"))["m"] or 0
        section.order = last + 10
    return save_recorded(
        instance=section,
        data=data,
        acting_user=acting_user,
        forbund=doc.forbund,
        what=lambda saved, _: (
            f"avsnittet {saved.title}" + ("" if doc is doc.review_plan else f" i {doc.title}")
        ),
        plan=doc.review_plan,
    )


@transaction.atomic
def section_delete(*, section: Section, acting_user: ActingUser) -> None:
    plan = section.plan.locked_draft()
    delete_recorded(
        instance=section,
        acting_user=acting_user,
        forbund=plan.forbund,
        what=f"avsnittet {section.title}",
        changes={"body": [section.body, ""]},
        plan=plan,
    )


@transaction.atomic
def section_move(*, section: Section, acting_user: ActingUser, direction: int) -> None:
    """Move a section one step up (-1) or down (+1) in the outline."""
    if direction not in (-1, 1):
        raise ValidationError("Välj om avsnittet ska flyttas upp eller ned; inget flyttades.")
    plan = section.plan.locked_draft()
    sections = list(plan.sections.all())
    index = next(i for i, s in enumerate(sections) if s.pk == section.pk)
    other = index + direction
    if not 0 <= other < len(sections):
        return
    sections[index], sections[other] = sections[other], sections[index]
    for order, item in enumerate(sections, start=1):
        if item.order != order * 10:
            item.order = order * 10
            item.save(update_fields=["order"])
    audit_record(
        forbund=plan.forbund,
        actor=acting_user,
        action="section.move",
        obj=section,
        summary=f"Flyttade avsnittet {section.title} {'upp' if direction < 0 else 'ned'}",
        plan=plan,
    )


@transaction.atomic
def arshjul_event_save(
    *, event: ArshjulEvent, acting_user: ActingUser, data: Mapping[str, Any] | None = None
) -> ArshjulEvent:
    """Add an event to a draft plan's årshjul, or save its changed fields (data)."""
    plan = event.plan.locked_draft()
    return save_recorded(
        instance=event,
        data=data,
        acting_user=acting_user,
        forbund=plan.forbund,
        what=lambda event, _: f"{event.title} {event.date:%Y-%m-%d} i årshjulet",
        plan=plan,
    )


@transaction.atomic
def arshjul_event_delete(*, event: ArshjulEvent, acting_user: ActingUser) -> None:
    plan = event.plan.locked_draft()
    delete_recorded(
        instance=event,
        acting_user=acting_user,
        forbund=plan.forbund,
        what=f"{event.title} ur årshjulet",
        plan=plan,
        action="arshjul.delete",
    )


# --- PDFs ---------------------------------------------------------------------------------------


@transaction.atomic
def reusable_draft_pdf(plan: Plan) -> PlanPdf | None:
    """A draft PDF that still shows the plan: one being prepared, or one rendered since the last
    recorded change. Asking again gives it instead of a new rendering."""
    latest = (
        plan.pdfs.filter(kind=PdfKind.UTKAST)
        .exclude(status=PdfStatus.FEL)
        .order_by("-requested_at", "-pk")
        .first()
    )
    if latest is None:
        return None
    if latest.status == PdfStatus.KO or latest.source_mark == latest_change(plan.forbund_id):
        return latest
    return None


def pdf_request(*, plan: Plan, acting_user: ActingUser) -> PlanPdf:
    """Queue a watermarked draft PDF; an adopted plan already has its archived copy. One draft
    is prepared at a time per plan, and an unchanged plan's draft is reused."""
    if plan.is_adopted:
        existing = plan.pdfs.filter(kind=PdfKind.ANTAGEN).first()
        if existing:
            return existing
    with transaction.atomic():
        Plan.objects.select_for_update().filter(pk=plan.pk).first()  # one request at a time
        reused = reusable_draft_pdf(plan)
        if reused is not None:
            return reused
        pdf = PlanPdf.objects.create(plan=plan, kind=PdfKind.UTKAST, requested_by=acting_user)
        audit_record(
            forbund=plan.forbund,
            actor=acting_user,
            action="pdf.request",
            obj=plan,
            summary=f"Beställde en pdf av utkastet {plan.title}",
            plan=plan,
        )
        transaction.on_commit(lambda: enqueue_pdf(pdf.pk))
    return pdf


def enqueue_pdf(pdf_id: int) -> None:
    render_pdf_task.enqueue(PlanPdf._meta.label, pdf_id)
