"""The plan as a document and a decision: sections, årshjul, review, adoption, revisions, PDFs.

Each service runs in a transaction, locks the plan row where its state matters, validates,
and records who did what in the audit log. Side effects (rendering a PDF) wait for the commit.
"""

from __future__ import annotations

import math
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from budgets.services import PlanLocked, ensure_editable
from finsam.audit import audit_record, diff, snapshot
from finsam.models import ROLE_KANSLI, ROLE_STYRELSE, SEAT_LEDAMOT, Membership
from plans.defaults import default_arshjul, default_outline
from plans.models import (
    ANDRINGAR,
    ANTAGEN,
    GODKAND,
    INLAMNAD,
    PDF_ADOPTED,
    PDF_DRAFT,
    TEXT,
    UTKAST,
    Approval,
    ArshjulEvent,
    Comment,
    Plan,
    PlanPdf,
    Section,
)
from plans.sanitize import sanitize_html

SECTION_FIELDS = ["title", "kind", "body", "intro", "order"]

# Functions that copy content of other apps into a new version: (source, target) -> None.
# insatser registers its copier here, so a revision carries the insatser along.
REVISION_COPIERS: list = []


class PlanHasErrors(ValidationError):
    """The plan has findings of severity fel; the messages list them."""


def _locked_plan(plan: Plan) -> Plan:
    return Plan.objects.select_for_update().select_related("forbund").get(pk=plan.pk)


def _roles(user, plan: Plan) -> list[Membership]:
    return list(Membership.objects.filter(user=user, forbund_id=plan.forbund_id))


def _fel_findings(plan: Plan) -> list[str]:
    from budgets.selectors import plan_figures

    return [f.message for f in plan_figures(plan).findings if f.severity == "fel"]


# --- Content of a new plan ----------------------------------------------------------------------


def plan_add_default_content(*, plan: Plan) -> None:
    """Give a new plan the default outline and årshjul (called by plan creation)."""
    for order, (title, kind, body) in enumerate(default_outline(plan.forbund.vision), start=1):
        Section.objects.create(plan=plan, order=order * 10, title=title, kind=kind, body=body)
    for when, kind, title in default_arshjul(plan.budget_year):
        ArshjulEvent.objects.create(plan=plan, date=when, kind=kind, title=title)


# --- Sections and årshjul -----------------------------------------------------------------------


@transaction.atomic
def section_save(*, section: Section, acting_user, before: dict | None = None) -> Section:
    """Create or update a section of a draft plan; its text is sanitised here."""
    plan = _locked_plan(section.plan)
    ensure_editable(plan)
    created = section.pk is None
    section.body = sanitize_html(section.body) if section.kind == TEXT else ""
    section.intro = sanitize_html(section.intro)
    if created and not section.order:
        last = plan.sections.aggregate(m=Max("order"))["m"] or 0
        section.order = last + 10
    section.full_clean()
    section.save()
    changes = diff(before or {}, snapshot(section, SECTION_FIELDS))
    if created or changes:
        audit_record(
            forbund=plan.forbund,
            actor=acting_user,
            action="section.create" if created else "section.update",
            obj=section,
            summary=f"{'Lade till' if created else 'Ändrade'} avsnittet {section.title}",
            changes=changes,
            plan=plan,
        )
    return section


@transaction.atomic
def section_delete(*, section: Section, acting_user) -> None:
    plan = _locked_plan(section.plan)
    ensure_editable(plan)
    audit_record(
        forbund=plan.forbund,
        actor=acting_user,
        action="section.delete",
        obj=section,
        summary=f"Tog bort avsnittet {section.title}",
        changes={"body": [section.body, ""]},
        plan=plan,
    )
    section.delete()


@transaction.atomic
def section_move(*, section: Section, acting_user, direction: int) -> None:
    """Move a section one step up (-1) or down (+1) in the outline."""
    plan = _locked_plan(section.plan)
    ensure_editable(plan)
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
def arshjul_event_save(*, event: ArshjulEvent, acting_user) -> ArshjulEvent:
    plan = _locked_plan(event.plan)
    ensure_editable(plan)
    created = event.pk is None
    event.full_clean()
    event.save()
    audit_record(
        forbund=plan.forbund,
        actor=acting_user,
        action="arshjul.create" if created else "arshjul.update",
        obj=event,
        summary=f"{'Lade till' if created else 'Ändrade'} {event.title} {event.date:%Y-%m-%d} i årshjulet",
        plan=plan,
    )
    return event


@transaction.atomic
def arshjul_event_delete(*, event: ArshjulEvent, acting_user) -> None:
    plan = _locked_plan(event.plan)
    ensure_editable(plan)
    audit_record(
        forbund=plan.forbund,
        actor=acting_user,
        action="arshjul.delete",
        obj=event,
        summary=f"Tog bort {event.title} ur årshjulet",
        plan=plan,
    )
    event.delete()


# --- Review and adoption ------------------------------------------------------------------------


@transaction.atomic
def plan_submit(*, plan: Plan, acting_user) -> Plan:
    """Kansli submits a draft to the styrelse; refused while any check is fel."""
    plan = _locked_plan(plan)
    if plan.status != UTKAST:
        raise ValidationError("Bara ett utkast kan lämnas in till styrelsen.")
    errors = _fel_findings(plan)
    if errors:
        raise PlanHasErrors(errors)
    plan.status = INLAMNAD
    plan.submission_round += 1
    plan.submitted_at = timezone.now()
    plan.save(update_fields=["status", "submission_round", "submitted_at", "updated_at"])
    audit_record(
        forbund=plan.forbund,
        actor=acting_user,
        action="plan.submit",
        obj=plan,
        summary=f"Lämnade in {plan.title} till styrelsen (omgång {plan.submission_round})",
        plan=plan,
    )
    return plan


@transaction.atomic
def plan_return(*, plan: Plan, acting_user, reason: str) -> Plan:
    """Send a submitted plan back to draft (återremiss), with the reason as a comment."""
    plan = _locked_plan(plan)
    if plan.status != INLAMNAD:
        raise ValidationError("Bara en inlämnad plan kan återremitteras.")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Skriv varför planen återremitteras."})
    plan.status = UTKAST
    plan.save(update_fields=["status", "updated_at"])
    Comment.objects.create(plan=plan, author=acting_user, text=f"Återremitterad: {reason}")
    audit_record(
        forbund=plan.forbund,
        actor=acting_user,
        action="plan.return",
        obj=plan,
        summary=f"Återremitterade {plan.title}",
        changes={"reason": ["", reason]},
        plan=plan,
    )
    return plan


@transaction.atomic
def plan_review(*, plan: Plan, acting_user, decision: str, comment: str = "") -> Approval:
    """A board member approves the submitted plan or asks for changes (once per round)."""
    plan = _locked_plan(plan)
    if plan.status != INLAMNAD:
        raise ValidationError("Planen är inte inlämnad till styrelsen.")
    roles = _roles(acting_user, plan)
    board = [m for m in roles if m.role == ROLE_STYRELSE]
    if not board:
        raise PermissionDenied("Bara styrelsens ledamöter tar ställning till planen.")
    if not any(m.seat == SEAT_LEDAMOT for m in board):
        raise ValidationError(
            "Ersättare har yttranderätt men ingen rösträtt; skriv en kommentar i stället."
        )
    if decision not in (GODKAND, ANDRINGAR):
        raise ValidationError({"decision": "Välj att godkänna eller begära ändringar."})
    if decision == ANDRINGAR and not comment.strip():
        raise ValidationError({"comment": "Skriv vilka ändringar du vill se."})
    approval, _ = Approval.objects.update_or_create(
        plan=plan,
        user=acting_user,
        round=plan.submission_round,
        defaults={"decision": decision, "comment": comment.strip(), "is_ordinarie": True},
    )
    audit_record(
        forbund=plan.forbund,
        actor=acting_user,
        action="plan.review",
        obj=plan,
        summary=f"{approval.get_decision_display()} {plan.title}",
        changes={"comment": ["", comment.strip()]} if comment.strip() else {},
        plan=plan,
    )
    return approval


@transaction.atomic
def comment_add(*, plan: Plan, acting_user, text: str, section: Section | None = None) -> Comment:
    plan = _locked_plan(plan)
    if plan.is_adopted:
        raise PlanLocked("Planen är antagen; kommentera i stället en reviderad version.")
    if section is not None and section.plan_id != plan.pk:
        raise ValidationError({"section": "Avsnittet hör till en annan plan."})
    comment = Comment(plan=plan, section=section, author=acting_user, text=text.strip())
    comment.full_clean()
    comment.save()
    audit_record(
        forbund=plan.forbund,
        actor=acting_user,
        action="comment.create",
        obj=comment,
        summary=f"Kommenterade {section.title if section else plan.title}",
        plan=plan,
    )
    return comment


def quorum(plan: Plan) -> tuple[int, int, int]:
    """(approvals by ordinarie ledamöter this round, number of ordinarie ledamöter, needed)."""
    ordinarie = Membership.objects.filter(
        forbund_id=plan.forbund_id, role=ROLE_STYRELSE, seat=SEAT_LEDAMOT
    ).values_list("user_id", flat=True)
    ordinarie = set(ordinarie)
    approved = Approval.objects.filter(
        plan=plan, round=plan.submission_round, decision=GODKAND, user_id__in=ordinarie
    ).count()
    return approved, len(ordinarie), math.ceil(len(ordinarie) / 2)


def may_record_adoption(user, plan: Plan) -> bool:
    roles = _roles(user, plan)
    chair = any(m.is_chair for m in roles)
    kansli = any(m.role == ROLE_KANSLI for m in roles)
    who = plan.forbund.adoption_recorder
    return (who in ("ordforande", "bada") and chair) or (who in ("kansli", "bada") and kansli)


@transaction.atomic
def plan_adopt(
    *,
    plan: Plan,
    acting_user,
    meeting_date: date,
    paragraph: str,
    diarienummer: str = "",
) -> Plan:
    """Record the board's decision; the plan is fixed from here on and its PDF archived once."""
    plan = _locked_plan(plan)
    if plan.status == ANTAGEN:
        raise PlanLocked("Planen är redan antagen.")
    if plan.status != INLAMNAD:
        raise ValidationError("Planen måste vara inlämnad till styrelsen innan den kan antas.")
    if not may_record_adoption(acting_user, plan):
        raise PermissionDenied("Du får inte registrera styrelsens beslut i detta förbund.")
    errors = _fel_findings(plan)
    if errors:
        raise PlanHasErrors(errors)
    if plan.forbund.adoption_requires_quorum:
        approved, total, needed = quorum(plan)
        if total == 0 or approved < needed:
            raise ValidationError(
                f"{approved} av {total} ordinarie ledamöter har godkänt planen; minst {needed} "
                "behövs för att styrelsen ska vara beslutsför i frågan."
            )
    paragraph = paragraph.strip()
    if paragraph and not paragraph.startswith("§"):
        paragraph = f"§{paragraph}"
    plan.status = ANTAGEN
    plan.meeting_date = meeting_date
    plan.paragraph = paragraph
    plan.diarienummer = diarienummer.strip()
    plan.adopted_at = timezone.now()
    plan.adopted_by = acting_user
    plan.full_clean()
    plan.save()
    pdf = PlanPdf.objects.create(plan=plan, kind=PDF_ADOPTED, requested_by=acting_user)
    audit_record(
        forbund=plan.forbund,
        actor=acting_user,
        action="plan.adopt",
        obj=plan,
        summary=f"Registrerade att styrelsen antog {plan.title} ({plan.decision_text})",
        changes={
            "meeting_date": ["", meeting_date.isoformat()],
            "paragraph": ["", paragraph],
            "diarienummer": ["", plan.diarienummer],
        },
        plan=plan,
    )
    transaction.on_commit(lambda: _enqueue_pdf(pdf.pk))
    return plan


# --- Revisions ----------------------------------------------------------------------------------


@transaction.atomic
def plan_revise(*, plan: Plan, acting_user) -> Plan:
    """A new draft version of an adopted plan with all its content; the adopted one stays fixed."""
    plan = _locked_plan(plan)
    if not plan.is_adopted:
        raise ValidationError("Bara en antagen plan kan revideras; ändra utkastet direkt.")
    open_revision = Plan.objects.filter(forbund=plan.forbund, budget_year=plan.budget_year).exclude(
        status=ANTAGEN
    )
    if open_revision.exists():
        raise ValidationError("Det finns redan en revidering under arbete för detta budgetår.")
    latest = (
        Plan.objects.filter(forbund=plan.forbund, budget_year=plan.budget_year).aggregate(
            m=Max("version")
        )["m"]
        or 1
    )
    new = Plan.objects.create(
        forbund=plan.forbund,
        budget_year=plan.budget_year,
        plan_years=plan.plan_years,
        version=latest + 1,
        revises=plan,
        show_comparison=plan.show_comparison,
        opening_equity=plan.opening_equity,
        under_use_percent=plan.under_use_percent,
        deficit_reason=plan.deficit_reason,
    )
    copy_plan_content(source=plan, target=new)
    audit_record(
        forbund=plan.forbund,
        actor=acting_user,
        action="plan.revise",
        obj=new,
        summary=f"Skapade version {new.version} av plan {plan.budget_year} som revidering",
        plan=new,
    )
    return new


def copy_plan_content(*, source: Plan, target: Plan, years: list[int] | None = None) -> None:
    """Copy sections, årshjul and the budget (only the given years' amounts) to another plan.

    Lines are copied without their link to an insats; the insatser app's copier (registered in
    REVISION_COPIERS) copies the insatser and links them to the new lines through line_map.
    """
    from budgets.models import BudgetAmount, BudgetYear
    from budgets.services import year_columns

    years = (
        years if years is not None else list(range(target.budget_year - 1, target.last_year + 1))
    )
    for s in source.sections.all():
        Section.objects.create(
            plan=target, order=s.order, title=s.title, kind=s.kind, body=s.body, intro=s.intro
        )
    for e in source.arshjul.all():
        shift = target.budget_year - source.budget_year
        ArshjulEvent.objects.create(
            plan=target, date=_shift_year(e.date, shift), kind=e.kind, title=e.title
        )
    for row in source.budget_years.all():
        if row.year in years:
            row.pk = None
            row.plan = target
            row.save()
    line_map = {}
    for line in source.budget_lines.all():
        old_pk = line.pk
        line.pk = None
        line.plan = target
        line.insats_id = None  # the insats copier links the new insats to this line
        line.save()
        line_map[old_pk] = line
    for amount in BudgetAmount.objects.filter(line__plan=source, year__in=years):
        BudgetAmount.objects.create(
            line=line_map[amount.line_id],
            year=amount.year,
            column=amount.column,
            amount=amount.amount,
        )
    wanted = set(year_columns(target))
    have = {(y.year, y.column) for y in target.budget_years.all()}
    for year, column in wanted - have:
        BudgetYear.objects.create(plan=target, year=year, column=column)
    for copier in REVISION_COPIERS:
        copier(source=source, target=target, line_map=line_map)


def _shift_year(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# --- PDFs ---------------------------------------------------------------------------------------


@transaction.atomic
def pdf_request(*, plan: Plan, acting_user) -> PlanPdf:
    """Queue a watermarked draft PDF; an adopted plan already has its archived copy."""
    if plan.is_adopted:
        existing = plan.pdfs.filter(kind=PDF_ADOPTED).first()
        if existing:
            return existing
    pdf = PlanPdf.objects.create(plan=plan, kind=PDF_DRAFT, requested_by=acting_user)
    audit_record(
        forbund=plan.forbund,
        actor=acting_user,
        action="pdf.request",
        obj=plan,
        summary=f"Beställde en pdf av utkastet {plan.title}",
        plan=plan,
    )
    transaction.on_commit(lambda: _enqueue_pdf(pdf.pk))
    return pdf


def _enqueue_pdf(pdf_id: int) -> None:
    from plans.tasks import render_plan_pdf_task

    render_plan_pdf_task.enqueue(pdf_id)
