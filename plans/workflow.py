"""Review and adoption: utkast → inlämnad → antagen, with återremiss, approvals and comments.

Each service runs in a transaction, locks the plan row, checks the acting person's role in the
förbund (the one place roles are checked for these steps; views only look the plan up),
validates, and records who did what in the audit log. The archived PDF waits for the commit.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from budgets.checks import FEL
from budgets.selectors import freeze_inputs, plan_figures
from finsam.audit import ActingUser, audit_record
from finsam.models import AdoptionRecorder, Membership, Role, Seat
from plans.diff import snapshot, snapshot_changes
from plans.models import (
    Approval,
    Comment,
    Decision,
    PdfKind,
    Plan,
    PlanLocked,
    PlanPdf,
    PlanStatus,
    ReviewRound,
    Section,
)
from plans.notifications import notify
from plans.services import enqueue_pdf

# "Dnr 70/21", "dnr. 70/21", "Diarienummer: 70/21" are all 70/21.
DNR_PREFIX = re.compile(r"^(dnr|diarienummer)[\s.:]*", re.IGNORECASE)


def _check_meeting_date(plan: Plan, meeting_date: date) -> None:
    """A board adopts a plan in the autumn before its budget year, or revises it later; a date
    before the year before that, or in the future, is a typing slip, and it would be frozen."""
    earliest = date(plan.budget_year - 2, 1, 1)
    if meeting_date > timezone.localdate():
        raise ValidationError({"meeting_date": "Beslutet kan inte ha fattats i framtiden."})
    if meeting_date < earliest:
        raise ValidationError(
            {
                "meeting_date": f"En plan för {plan.budget_year} antas tidigast "
                f"{earliest.year}; kontrollera datumet."
            }
        )


def meeting_date_unusual(plan: Plan, meeting_date: date) -> str:
    """Why a decision on this date needs the registrar's confirmation, or "": after the budget
    year began (a revision, or a slip of the year) or long before it (more than 18 months)."""
    start = date(plan.budget_year, 1, 1)
    if meeting_date >= start:
        return "efter budgetårets början"
    if meeting_date < date(plan.budget_year - 2, 7, 1):
        return "mer än 18 månader före budgetårets början"
    return ""


class PlanHasErrors(ValidationError):
    """The plan has findings of severity fel; the messages list them."""


def _roles(user, plan: Plan) -> list[Membership]:
    """The person's roles in the plan's förbund held today: a former member keeps no right to
    act, and a coming one has none yet (DOMAIN.md §1)."""
    return list(Membership.objects.filter(user=user, forbund_id=plan.forbund_id).current())


def _require(acting_user: ActingUser, plan: Plan, allowed, message: str) -> list[Membership]:
    """The acting person's roles in the plan's förbund, or PermissionDenied (403) if no role
    passes allowed(membership)."""
    roles = _roles(acting_user, plan)
    if not any(allowed(m) for m in roles):
        raise PermissionDenied(message)
    return roles


def _fel_findings(plan: Plan) -> list[str]:
    return [f.message for f in plan_figures(plan).findings if f.severity == FEL]


@transaction.atomic
def plan_submit(*, plan: Plan, acting_user: ActingUser) -> Plan:
    """Kansli submits a draft to the styrelse; refused while any check is fel."""
    plan = plan.locked()
    _require(
        acting_user,
        plan,
        lambda m: m.role == Role.KANSLI,
        "Bara kansliet lämnar in planen till styrelsen.",
    )
    if plan.status != PlanStatus.UTKAST:
        raise ValidationError("Bara ett utkast kan lämnas in till styrelsen.")
    carried = sorted(
        plan.year_rows.filter(carried_from__isnull=False).values_list("year", flat=True)
    )
    if carried:
        # A pre-filled year's errors are warnings until it is confirmed (budgets.checks).
        raise ValidationError(
            "Bekräfta först de år som förifylldes när planen skapades: "
            f"{', '.join(map(str, carried))} (under Mål och balans)."
        )
    errors = _fel_findings(plan)
    if errors:
        raise PlanHasErrors(errors)
    plan.status = PlanStatus.INLAMNAD
    plan.submission_round += 1
    plan.submitted_at = timezone.now()
    plan.round_requires_quorum = plan.forbund.adoption_requires_quorum
    plan.round_recorder = plan.forbund.adoption_recorder
    plan.frozen = freeze_inputs(plan)
    plan.save(
        update_fields=[
            "frozen",
            "status",
            "submission_round",
            "submitted_at",
            "round_requires_quorum",
            "round_recorder",
            "updated_at",
        ]
    )
    ReviewRound.objects.create(
        plan=plan,
        round=plan.submission_round,
        submitted_at=plan.submitted_at,
        snapshot=snapshot(plan),
    )
    notify(plan, "submitted", actor=acting_user)
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
def plan_return(*, plan: Plan, acting_user: ActingUser, reason: str) -> Plan:
    """Send a submitted plan back to draft (återremiss), with the reason as a comment."""
    plan = plan.locked()
    _require(
        acting_user,
        plan,
        lambda m: m.role == Role.KANSLI or m.is_chair,
        "Bara ordföranden eller kansliet återremitterar en plan.",
    )
    if plan.status != PlanStatus.INLAMNAD:
        raise ValidationError("Bara en inlämnad plan kan återremitteras.")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Skriv varför planen återremitteras."})
    plan.status = PlanStatus.UTKAST
    plan.frozen = None  # a draft follows its förbund again
    plan.save(update_fields=["status", "frozen", "updated_at"])
    Comment.objects.create(
        plan=plan,
        author=acting_user,
        text=f"Återremitterad: {reason}",
        round=plan.submission_round,
        is_return=True,
    )
    notify(plan, "returned", actor=acting_user, detail=reason)
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
def plan_review(
    *, plan: Plan, acting_user: ActingUser, decision: str, comment: str = ""
) -> Approval:
    """A board member approves the submitted plan or asks for changes (once per round)."""
    plan = plan.locked()
    if plan.status != PlanStatus.INLAMNAD:
        raise ValidationError("Planen är inte inlämnad till styrelsen.")
    roles = _require(
        acting_user,
        plan,
        lambda m: m.role == Role.STYRELSE,
        "Bara styrelsens ledamöter i tjänst tar ställning till planen.",
    )
    if not any(m.role == Role.STYRELSE and m.seat == Seat.LEDAMOT for m in roles):
        raise ValidationError(
            "Ersättare har yttranderätt men ingen rösträtt; skriv en kommentar i stället."
        )
    if decision not in (Decision.GODKAND, Decision.ANDRINGAR):
        raise ValidationError({"decision": "Välj att godkänna eller begära ändringar."})
    if decision == Decision.ANDRINGAR and not comment.strip():
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
def comment_add(
    *,
    plan: Plan,
    acting_user: ActingUser,
    text: str,
    section: Section | None = None,
    parent: Comment | None = None,
) -> Comment:
    """A remark on the plan or one of its sections, by the styrelse or the kansli; with a
    parent, a reply in that comment's thread (which a reply reopens if it was resolved)."""
    plan = plan.locked()
    _require(
        acting_user,
        plan,
        lambda m: m.role in (Role.KANSLI, Role.STYRELSE),
        "Bara styrelsen i tjänst och kansliet kommenterar planen.",
    )
    if plan.is_adopted:
        raise PlanLocked("Planen är antagen; kommentera i stället en reviderad version.")
    if section is not None and section.plan_id != plan.pk:
        raise ValidationError({"section": "Avsnittet hör till en annan plan."})
    if parent is not None:
        if parent.plan_id != plan.pk:
            raise ValidationError("Kommentaren hör till en annan plan.")
        parent = parent.parent or parent  # threads are one level deep
        section = parent.section
        if parent.resolved_at is not None:
            parent.resolved_at, parent.resolved_by = None, None
            parent.save(update_fields=["resolved_at", "resolved_by"])
    comment = Comment(
        plan=plan,
        section=section,
        author=acting_user,
        text=text.strip(),
        parent=parent,
        round=plan.submission_round,
    )
    comment.full_clean()
    comment.save()
    audit_record(
        forbund=plan.forbund,
        actor=acting_user,
        action="comment.create",
        changes={"text": [None, comment.text]},
        obj=comment,
        summary=f"Kommenterade {section.title if section else plan.title}",
        plan=plan,
    )
    return comment


@transaction.atomic
def comment_resolve(*, comment: Comment, acting_user: ActingUser, resolved: bool = True) -> Comment:
    """Mark a thread resolved (or open again): the kansli, or whoever started the thread."""
    plan = comment.plan.locked()
    root = comment.parent or comment
    roles = _roles(acting_user, plan)
    if not (any(m.role == Role.KANSLI for m in roles) or root.author_id == acting_user.pk):
        raise PermissionDenied("Bara kansliet eller den som skrev kommentaren markerar den löst.")
    if plan.is_adopted:
        raise PlanLocked("Planen är antagen; dess kommentarer är arkiverade som de är.")
    root.resolved_at = timezone.now() if resolved else None
    root.resolved_by = acting_user if resolved else None
    root.save(update_fields=["resolved_at", "resolved_by"])
    audit_record(
        forbund=plan.forbund,
        actor=acting_user,
        action="comment.resolve" if resolved else "comment.reopen",
        obj=root,
        summary=f"{'Markerade' if resolved else 'Öppnade'} kommentaren ”{root.text[:60]}” "
        f"{'som löst' if resolved else 'igen'}",
        plan=plan,
    )
    return root


def changes_since_last_review(plan: Plan, user) -> tuple[int, list, list] | None:
    """For a board member who reviewed an earlier round of this plan (or of an earlier version
    of its budget year): (that round, budget changes, section changes) since then, or None."""
    earlier = (
        Approval.objects.filter(
            user=user,
            plan__forbund_id=plan.forbund_id,
            plan__budget_year=plan.budget_year,
        )
        .exclude(plan=plan, round=plan.submission_round)
        .order_by("-plan__version", "-round")
        .first()
    )
    if earlier is None:
        return None
    then = ReviewRound.objects.filter(plan_id=earlier.plan_id, round=earlier.round).first()
    if then is None:
        return None  # reviewed before rounds were kept
    budget, sections = snapshot_changes(then.snapshot, snapshot(plan))
    label = (
        earlier.round
        if earlier.plan_id == plan.pk
        else f"{earlier.round} av version {earlier.plan.version}"
    )
    return label, budget, sections


def objections(plan: Plan) -> tuple[list[Approval], list[Comment]]:
    """What is open before the decision: this round's requests for changes and the unresolved
    comment threads. The registrar must have seen them (plan_adopt's objections_seen)."""
    requests = list(
        plan.approvals.filter(round=plan.submission_round, decision=Decision.ANDRINGAR)
        .select_related("user")
        .order_by("at", "pk")
    )
    threads = list(
        plan.comments.filter(parent__isnull=True, resolved_at__isnull=True).select_related(
            "author", "section"
        )
    )
    return requests, threads


def quorum(plan: Plan, on: date | None = None) -> tuple[int, int, int]:
    """(approvals by ordinarie ledamöter this round, number of ordinarie ledamöter, needed):
    the ledamöter in office on the day (today, while the board prepares the decision; the
    meeting date, for the decision's record)."""
    ordinarie = (
        Membership.objects.filter(forbund_id=plan.forbund_id)
        .ordinarie()
        .active_on(on or timezone.localdate())
        .values_list("user_id", flat=True)
    )
    ordinarie = set(ordinarie)
    approved = Approval.objects.filter(
        plan=plan, round=plan.submission_round, decision=Decision.GODKAND, user_id__in=ordinarie
    ).count()
    return approved, len(ordinarie), math.ceil(len(ordinarie) / 2)


@dataclass(frozen=True)
class Beslutforhet:
    """Whether the board was beslutsför at the meeting: at least half of the ordinarie
    ledamöter present, a tjänstgörande ersättare counting for an absent ledamot."""

    ledamoter: list[Membership]  # present ordinarie
    ersattare: list[Membership]  # present ersättare who serve (at most the absent ledamöter)
    total: int
    needed: int

    @property
    def counted(self) -> int:
        return len(self.ledamoter) + len(self.ersattare)

    @property
    def reached(self) -> bool:
        return self.total > 0 and self.counted >= self.needed

    def message(self) -> str:
        serving = f" och {len(self.ersattare)} tjänstgörande ersättare" if self.ersattare else ""
        return (
            f"Styrelsen var inte beslutsför: {len(self.ledamoter)} av {self.total} ordinarie "
            f"{'ledamot' if self.total == 1 else 'ledamöter'} närvarande{serving}; "
            f"minst {self.needed} behövs."
        )


def _board_roles(plan: Plan):
    return (
        Membership.objects.filter(forbund_id=plan.forbund_id)
        .board()
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username", "starts_on")
    )


def _seats(members: Iterable[Membership]) -> tuple[list[Membership], list[Membership]]:
    members = list(members)
    return (
        [m for m in members if m.seat == Seat.LEDAMOT],
        [m for m in members if m.seat == Seat.ERSATTARE],
    )


def board(plan: Plan, on: date | None = None) -> tuple[list[Membership], list[Membership]]:
    """The förbund's ordinarie ledamöter and ersättare in office on the day (today by
    default), in a stable order."""
    return _seats(_board_roles(plan).active_on(on or timezone.localdate()))


def board_since(plan: Plan, first: date) -> tuple[list[Membership], list[Membership]]:
    """Every board role in office on some day from first to today: who may have sat at a
    meeting held since (a December decision registered in January lists the old board)."""
    today = timezone.localdate()
    return _seats(
        _board_roles(plan).filter(
            Q(starts_on__isnull=True) | Q(starts_on__lte=today),
            Q(ends_on__isnull=True) | Q(ends_on__gte=min(first, today)),
        )
    )


def submitted_on(plan: Plan) -> date | None:
    """The day the plan was last submitted to the board, in Swedish time."""
    return timezone.localdate(plan.submitted_at) if plan.submitted_at else None


def beslutforhet(plan: Plan, present: Iterable[int], on: date | None = None) -> Beslutforhet:
    """Beslutsförhet for the board memberships present (ids) at the meeting on the day: the
    board in office that day decides (DOMAIN.md §1)."""
    present = set(present)
    ledamoter, ersattare = board(plan, on=on)
    here = [m for m in ledamoter if m.pk in present]
    absent = len(ledamoter) - len(here)
    serving = [m for m in ersattare if m.pk in present][:absent]
    return Beslutforhet(here, serving, len(ledamoter), math.ceil(len(ledamoter) / 2))


def _check_in_office(plan: Plan, present: Iterable[int], meeting_date: date) -> None:
    """Everyone marked present sat on the board on the meeting date; a name per person who
    did not, so the registrar can correct the list."""
    outside = [
        m
        for m in _board_roles(plan).filter(pk__in=set(present))
        if not m.is_active_on(meeting_date)
    ]
    if outside:
        raise ValidationError(
            {
                "present": [
                    f"{m.user.get_full_name() or m.user.username} satt inte i styrelsen "
                    f"{meeting_date:%Y-%m-%d}."
                    for m in outside
                ]
            }
        )


def _board_changed(plan: Plan, meeting_date: date) -> str:
    """The sentence the decision records when the board the plan was submitted to is not the
    board that adopted it (other ordinarie roles: other people, or the same people appointed
    anew for a new mandate period), or "". It names the periods where the roles have them."""
    submitted = submitted_on(plan)
    if submitted is None:
        return ""
    roles = _board_roles(plan).filter(seat=Seat.LEDAMOT)
    then = list(roles.active_on(submitted))
    now = list(roles.active_on(meeting_date))
    if {m.pk for m in then} == {m.pk for m in now}:
        return ""
    return (
        f"Planen lämnades in {submitted:%Y-%m-%d}{_period_words(then)} och antogs "
        f"{meeting_date:%Y-%m-%d}{_period_words(now)}, av styrelsen i tjänst den dagen."
    )


def _period_words(roles: list[Membership]) -> str:
    """ " under mandatperioden 2023–2026" when the roles share a period's years, else ""."""
    starts = {m.starts_on.year for m in roles if m.starts_on}
    ends = {m.ends_on.year for m in roles if m.ends_on}
    if len(starts) == 1 and len(ends) == 1:
        return f" under mandatperioden {starts.pop()}–{ends.pop()}"
    return ""


def may_record_adoption(user, plan: Plan) -> bool:
    roles = _roles(user, plan)
    return AdoptionRecorder.may_record(
        plan.adoption_recorder,
        chair=any(m.is_chair for m in roles),
        kansli=any(m.role == Role.KANSLI for m in roles),
    )


@transaction.atomic
def plan_adopt(
    *,
    plan: Plan,
    acting_user: ActingUser,
    meeting_date: date,
    paragraph: str,
    diarienummer: str = "",
    present: Iterable[int] | None = None,
    objections_seen: bool = False,
    date_confirmed: bool = False,
) -> Plan:
    """Record the board's decision; the plan is fixed from here on and its PDF archived once.

    present: the board memberships at the meeting. Where the förbund requires it, the board
    must have been beslutsför (Beslutforhet); the approvals in the app are its preparation.
    objections_seen: the registrar confirmed having seen the open requests for changes and
    comment threads (objections); date_confirmed: that a date meeting_date_unusual names is
    meant. AdoptForm asks for them where they apply; both are recorded with the decision."""
    plan = plan.locked()
    if plan.status == PlanStatus.ANTAGEN:
        raise PlanLocked("Planen är redan antagen.")
    if plan.status != PlanStatus.INLAMNAD:
        raise ValidationError("Planen måste vara inlämnad till styrelsen innan den kan antas.")
    if not may_record_adoption(acting_user, plan):
        raise PermissionDenied("Du får inte registrera styrelsens beslut i detta förbund.")
    errors = _fel_findings(plan)
    if errors:
        raise PlanHasErrors(errors)
    _check_meeting_date(plan, meeting_date)
    _check_in_office(plan, present or (), meeting_date)
    attendance = beslutforhet(plan, present or (), on=meeting_date)
    if plan.requires_quorum:
        if present is None:
            raise ValidationError(
                {"present": "Ange vilka ledamöter och ersättare som var närvarande vid beslutet."}
            )
        if not attendance.reached:
            raise ValidationError({"present": attendance.message()})
    board_changed = _board_changed(plan, meeting_date)
    requests, threads = objections(plan)
    unusual = meeting_date_unusual(plan, meeting_date)
    paragraph = paragraph.strip()
    if paragraph and not paragraph.startswith("§"):
        paragraph = f"§{paragraph}"
    diarienummer = DNR_PREFIX.sub("", diarienummer.strip())  # decision_text writes "Dnr" itself
    plan.status = PlanStatus.ANTAGEN
    plan.meeting_date = meeting_date
    plan.paragraph = paragraph
    plan.diarienummer = diarienummer
    approved, _, _ = quorum(plan, on=meeting_date)
    plan.attendance = {
        "ledamoter": [(m.user.get_full_name() or m.user.username) for m in attendance.ledamoter],
        "ersattare": [(m.user.get_full_name() or m.user.username) for m in attendance.ersattare],
        "ordinarie": attendance.total,
        "counted": attendance.counted,
        "beslutfor": attendance.reached,
        "godkannanden": approved,
        "datum": unusual,
        "datum_bekraftat": bool(unusual and date_confirmed),
        **({"styrelse_bytt": board_changed} if board_changed else {}),
    }
    plan.adopted_at = timezone.now()
    plan.adopted_by = acting_user
    plan.full_clean()
    plan.save()
    pdf = PlanPdf.objects.create(plan=plan, kind=PdfKind.ANTAGEN, requested_by=acting_user)
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
            "attendance": [
                None,
                ", ".join(plan.attendance["ledamoter"] + plan.attendance["ersattare"]),
            ],
            **(
                {
                    "objections_seen": [
                        None,
                        f"{'Sett' if objections_seen else 'Öppet, inte bekräftat sett'} före beslutet: "
                        f"{len(requests)} "
                        f"{'begäran' if len(requests) == 1 else 'begäranden'} om ändringar, "
                        f"{len(threads)} olöst{'' if len(threads) == 1 else 'a'} "
                        f"kommentar{'' if len(threads) == 1 else 'er'}",
                    ]
                }
                if requests or threads
                else {}
            ),
            **({"styrelse_bytt": [None, board_changed]} if board_changed else {}),
            **(
                {
                    "meeting_date_confirmed": [
                        None,
                        f"Beslutsdatum {unusual}, {'bekräftat' if date_confirmed else 'obekräftat'}",
                    ]
                }
                if unusual
                else {}
            ),
        },
        plan=plan,
    )
    transaction.on_commit(lambda: enqueue_pdf(pdf.pk))
    notify(plan, "adopted", actor=acting_user, detail=plan.decision_text)
    return plan
