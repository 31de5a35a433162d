"""Review and adoption of a reviewed document (plans.models.ReviewedDocument: the plan, and the
reports of its year): utkast → inlämnad → antagen, with återremiss, approvals and comments.

Each service runs in a transaction, locks the document's row, checks the acting person's role in
the förbund (the one place roles are checked for these steps; views only look the document up),
validates, and records who did what in the audit log, filed under the document's plan. What
differs between documents (what stops a submission, what is frozen, the dates a decision can
have, what is archived) the document says itself. The archived PDF waits for the commit.
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

from finsam.audit import ActingUser, audit_record
from finsam.models import AdoptionRecorder, Membership, Role, Seat
from plans.models import (
    CommentBase,
    Decision,
    Plan,
    PlanLocked,
    PlanStatus,
    ReviewedDocument,
)
from plans.notifications import notify

# "Dnr 70/21", "dnr. 70/21", "Diarienummer: 70/21" are all 70/21.
DNR_PREFIX = re.compile(r"^(dnr|diarienummer)[\s.:]*", re.IGNORECASE)


def meeting_date_unusual(doc: ReviewedDocument, meeting_date: date) -> str:
    """Why a decision on this date needs the registrar's confirmation, or "" (the document's
    own rule: for a plan, after the budget year began or long before it)."""
    return doc.meeting_date_unusual(meeting_date)


class PlanHasErrors(ValidationError):
    """The document has findings of severity fel; the messages list them."""


def _roles(user, doc: ReviewedDocument) -> list[Membership]:
    """The person's roles in the document's förbund held today: a former member keeps no right
    to act, and a coming one has none yet (DOMAIN.md §1)."""
    return list(Membership.objects.filter(user=user, forbund_id=doc.forbund_id).current())


def _require(
    acting_user: ActingUser, doc: ReviewedDocument, allowed, message: str
) -> list[Membership]:
    """The acting person's roles in the document's förbund, or PermissionDenied (403) if no
    role passes allowed(membership)."""
    roles = _roles(acting_user, doc)
    if not any(allowed(m) for m in roles):
        raise PermissionDenied(message)
    return roles


def _audit(doc: ReviewedDocument, acting_user: ActingUser, action: str, summary: str, **kwargs):
    """The step in the log, filed under the document's plan (its history page finds it)."""
    audit_record(
        forbund=doc.forbund,
        actor=acting_user,
        action=action,
        obj=kwargs.pop("obj", doc),
        summary=summary,
        plan=doc.review_plan,
        **kwargs,
    )


@transaction.atomic
def submit(*, doc: ReviewedDocument, acting_user: ActingUser) -> ReviewedDocument:
    """Kansli submits a draft to the styrelse; refused while any check is fel."""
    doc = doc.locked()
    _require(
        acting_user,
        doc,
        lambda m: m.role == Role.KANSLI,
        f"Bara kansliet lämnar in {doc.noun} till styrelsen.",
    )
    if doc.status != PlanStatus.UTKAST:
        raise ValidationError("Bara ett utkast kan lämnas in till styrelsen.")
    doc.ensure_submittable()
    errors = doc.submit_problems()
    if errors:
        raise PlanHasErrors(errors)
    doc.status = PlanStatus.INLAMNAD
    doc.submission_round += 1
    doc.submitted_at = timezone.now()
    doc.round_requires_quorum = doc.forbund.adoption_requires_quorum
    doc.round_recorder = doc.forbund.adoption_recorder
    frozen = doc.freeze()
    doc.save(
        update_fields=[
            *frozen,
            "status",
            "submission_round",
            "submitted_at",
            "round_requires_quorum",
            "round_recorder",
            "updated_at",
        ]
    )
    doc.review_rounds.create(
        round=doc.submission_round, submitted_at=doc.submitted_at, snapshot=doc.review_snapshot()
    )
    notify(doc, "submitted", actor=acting_user)
    _audit(
        doc,
        acting_user,
        f"{doc.audit_prefix}.submit",
        f"Lämnade in {doc.title} till styrelsen (omgång {doc.submission_round})",
    )
    return doc


@transaction.atomic
def send_back(*, doc: ReviewedDocument, acting_user: ActingUser, reason: str) -> ReviewedDocument:
    """Send a submitted document back to draft (återremiss), with the reason as a comment."""
    doc = doc.locked()
    _require(
        acting_user,
        doc,
        lambda m: m.role == Role.KANSLI or m.is_chair,
        f"Bara ordföranden eller kansliet återremitterar {doc.noun_indefinite}.",
    )
    if doc.status != PlanStatus.INLAMNAD:
        raise ValidationError(f"Bara {doc.noun_submitted} kan återremitteras.")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": f"Skriv varför {doc.noun} återremitteras."})
    doc.status = PlanStatus.UTKAST
    doc.save(update_fields=["status", *doc.unfreeze(), "updated_at"])
    doc.comments.create(
        author=acting_user,
        text=f"Återremitterad: {reason}",
        round=doc.submission_round,
        is_return=True,
    )
    notify(doc, "returned", actor=acting_user, detail=reason)
    _audit(
        doc,
        acting_user,
        f"{doc.audit_prefix}.return",
        f"Återremitterade {doc.title}",
        changes={"reason": ["", reason]},
    )
    return doc


@transaction.atomic
def review(*, doc: ReviewedDocument, acting_user: ActingUser, decision: str, comment: str = ""):
    """A board member approves the submitted document or asks for changes (once per round)."""
    doc = doc.locked()
    if doc.status != PlanStatus.INLAMNAD:
        raise ValidationError(f"{doc.noun.capitalize()} är inte inlämnad till styrelsen.")
    roles = _require(
        acting_user,
        doc,
        lambda m: m.role == Role.STYRELSE,
        f"Bara styrelsens ledamöter i tjänst tar ställning till {doc.noun}.",
    )
    if not any(m.role == Role.STYRELSE and m.seat == Seat.LEDAMOT for m in roles):
        raise ValidationError(
            "Ersättare har yttranderätt men ingen rösträtt; skriv en kommentar i stället."
        )
    if decision not in (Decision.GODKAND, Decision.ANDRINGAR):
        raise ValidationError({"decision": "Välj att godkänna eller begära ändringar."})
    if decision == Decision.ANDRINGAR and not comment.strip():
        raise ValidationError({"comment": "Skriv vilka ändringar du vill se."})
    approval, _ = doc.approvals.update_or_create(
        user=acting_user,
        round=doc.submission_round,
        defaults={"decision": decision, "comment": comment.strip(), "is_ordinarie": True},
    )
    _audit(
        doc,
        acting_user,
        f"{doc.audit_prefix}.review",
        f"{approval.get_decision_display()} {doc.title}",
        changes={"comment": ["", comment.strip()]} if comment.strip() else {},
    )
    return approval


def _document_of(row, doc: ReviewedDocument) -> int:
    """The id of the document a comment or section row belongs to (its key to doc's model)."""
    return getattr(row, doc.comments.field.attname)


@transaction.atomic
def comment_add(
    *,
    doc: ReviewedDocument,
    acting_user: ActingUser,
    text: str,
    section=None,
    parent: CommentBase | None = None,
) -> CommentBase:
    """A remark on the document or one of its sections, by the styrelse or the kansli; with a
    parent, a reply in that comment's thread (which a reply reopens if it was resolved)."""
    doc = doc.locked()
    _require(
        acting_user,
        doc,
        lambda m: m.role in (Role.KANSLI, Role.STYRELSE),
        f"Bara styrelsen i tjänst och kansliet kommenterar {doc.noun}.",
    )
    if doc.is_adopted:
        raise PlanLocked(
            f"{doc.noun.capitalize()} är antagen; kommentera i stället en reviderad version."
        )
    if section is not None and getattr(section, doc.sections.field.attname) != doc.pk:
        raise ValidationError({"section": f"Avsnittet hör till {doc.noun_other}."})
    if parent is not None:
        if _document_of(parent, doc) != doc.pk:
            raise ValidationError(f"Kommentaren hör till {doc.noun_other}.")
        parent = parent.parent or parent  # threads are one level deep
        section = parent.section
        if parent.resolved_at is not None:
            parent.resolved_at, parent.resolved_by = None, None
            parent.save(update_fields=["resolved_at", "resolved_by"])
    comment = doc.comments.model(
        section=section,
        author=acting_user,
        text=text.strip(),
        parent=parent,
        round=doc.submission_round,
    )
    setattr(comment, doc.comments.field.name, doc)
    comment.full_clean()
    comment.save()
    _audit(
        doc,
        acting_user,
        "comment.create",
        f"Kommenterade {section.title if section else doc.title}",
        changes={"text": [None, comment.text]},
        obj=comment,
    )
    return comment


@transaction.atomic
def comment_resolve(
    *, comment: CommentBase, acting_user: ActingUser, resolved: bool = True
) -> CommentBase:
    """Mark a thread resolved (or open again): the kansli, or whoever started the thread."""
    doc = comment.document.locked()
    root = comment.parent or comment
    roles = _roles(acting_user, doc)
    if not (any(m.role == Role.KANSLI for m in roles) or root.author_id == acting_user.pk):
        raise PermissionDenied("Bara kansliet eller den som skrev kommentaren markerar den löst.")
    if doc.is_adopted:
        raise PlanLocked(
            f"{doc.noun.capitalize()} är antagen; dess kommentarer är arkiverade som de är."
        )
    root.resolved_at = timezone.now() if resolved else None
    root.resolved_by = acting_user if resolved else None
    root.save(update_fields=["resolved_at", "resolved_by"])
    _audit(
        doc,
        acting_user,
        "comment.resolve" if resolved else "comment.reopen",
        f"{'Markerade' if resolved else 'Öppnade'} kommentaren ”{root.text[:60]}” "
        f"{'som löst' if resolved else 'igen'}",
        obj=root,
    )
    return root


def changes_since_last_review(doc: ReviewedDocument, user) -> tuple[int, list, list] | None:
    """For a board member who reviewed an earlier round of this document (or of an earlier
    version of it): (that round, figure changes, text changes) since then, or None."""
    approvals = doc.approvals.model.objects
    key = doc.approvals.field.name
    earlier = (
        approvals.filter(user=user, **doc.lineage())
        .exclude(**{key: doc}, round=doc.submission_round)
        .select_related(key)
        .order_by(f"-{key}__version", "-round")
        .first()
    )
    if earlier is None:
        return None
    then_doc = getattr(earlier, key)
    then = then_doc.review_rounds.filter(round=earlier.round).first()
    if then is None:
        return None  # reviewed before rounds were kept
    figures, texts = doc.snapshot_changes(then.snapshot)
    label = (
        earlier.round if then_doc.pk == doc.pk else f"{earlier.round} av version {then_doc.version}"
    )
    return label, figures, texts


def objections(doc: ReviewedDocument) -> tuple[list, list]:
    """What is open before the decision: this round's requests for changes and the unresolved
    comment threads. The registrar must have seen them (adopt's objections_seen)."""
    requests = list(
        doc.approvals.filter(round=doc.submission_round, decision=Decision.ANDRINGAR)
        .select_related("user")
        .order_by("at", "pk")
    )
    threads = list(
        doc.comments.filter(parent__isnull=True, resolved_at__isnull=True).select_related(
            "author", "section"
        )
    )
    return requests, threads


def quorum(doc: ReviewedDocument, on: date | None = None) -> tuple[int, int, int]:
    """(approvals by ordinarie ledamöter this round, number of ordinarie ledamöter, needed):
    the ledamöter in office on the day (today, while the board prepares the decision; the
    meeting date, for the decision's record)."""
    ordinarie = (
        Membership.objects.filter(forbund_id=doc.forbund_id)
        .ordinarie()
        .active_on(on or timezone.localdate())
        .values_list("user_id", flat=True)
    )
    ordinarie = set(ordinarie)
    approved = doc.approvals.filter(
        round=doc.submission_round, decision=Decision.GODKAND, user_id__in=ordinarie
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


def _board_roles(doc: ReviewedDocument):
    return (
        Membership.objects.filter(forbund_id=doc.forbund_id)
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


def board(
    doc: ReviewedDocument, on: date | None = None
) -> tuple[list[Membership], list[Membership]]:
    """The förbund's ordinarie ledamöter and ersättare in office on the day (today by
    default), in a stable order."""
    return _seats(_board_roles(doc).active_on(on or timezone.localdate()))


def board_since(doc: ReviewedDocument, first: date) -> tuple[list[Membership], list[Membership]]:
    """Every board role in office on some day from first to today: who may have sat at a
    meeting held since (a December decision registered in January lists the old board)."""
    today = timezone.localdate()
    return _seats(
        _board_roles(doc).filter(
            Q(starts_on__isnull=True) | Q(starts_on__lte=today),
            Q(ends_on__isnull=True) | Q(ends_on__gte=min(first, today)),
        )
    )


def submitted_on(doc: ReviewedDocument) -> date | None:
    """The day the document was last submitted to the board, in Swedish time."""
    return timezone.localdate(doc.submitted_at) if doc.submitted_at else None


def beslutforhet(
    doc: ReviewedDocument, present: Iterable[int], on: date | None = None
) -> Beslutforhet:
    """Beslutsförhet for the board memberships present (ids) at the meeting on the day: the
    board in office that day decides (DOMAIN.md §1)."""
    present = set(present)
    ledamoter, ersattare = board(doc, on=on)
    here = [m for m in ledamoter if m.pk in present]
    absent = len(ledamoter) - len(here)
    serving = [m for m in ersattare if m.pk in present][:absent]
    return Beslutforhet(here, serving, len(ledamoter), math.ceil(len(ledamoter) / 2))


def _check_in_office(doc: ReviewedDocument, present: Iterable[int], meeting_date: date) -> None:
    """Everyone marked present sat on the board on the meeting date; a name per person who
    did not, so the registrar can correct the list."""
    outside = [
        m for m in _board_roles(doc).filter(pk__in=set(present)) if not m.is_active_on(meeting_date)
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


def _board_changed(doc: ReviewedDocument, meeting_date: date) -> str:
    """The sentence the decision records when the board the document was submitted to is not the
    board that adopted it (other ordinarie roles: other people, or the same people appointed
    anew for a new mandate period), or "". It names the periods where the roles have them."""
    submitted = submitted_on(doc)
    if submitted is None:
        return ""
    roles = _board_roles(doc).filter(seat=Seat.LEDAMOT)
    then = list(roles.active_on(submitted))
    now = list(roles.active_on(meeting_date))
    if {m.pk for m in then} == {m.pk for m in now}:
        return ""
    return (
        f"{doc.noun.capitalize()} lämnades in {submitted:%Y-%m-%d}{_period_words(then)} och antogs "
        f"{meeting_date:%Y-%m-%d}{_period_words(now)}, av styrelsen i tjänst den dagen."
    )


def _period_words(roles: list[Membership]) -> str:
    """ " under mandatperioden 2023–2026" when the roles share a period's years, else ""."""
    starts = {m.starts_on.year for m in roles if m.starts_on}
    ends = {m.ends_on.year for m in roles if m.ends_on}
    if len(starts) == 1 and len(ends) == 1:
        return f" under mandatperioden {starts.pop()}–{ends.pop()}"
    return ""


def may_record_adoption(user, doc: ReviewedDocument) -> bool:
    roles = _roles(user, doc)
    return AdoptionRecorder.may_record(
        doc.adoption_recorder,
        chair=any(m.is_chair for m in roles),
        kansli=any(m.role == Role.KANSLI for m in roles),
    )


@transaction.atomic
def adopt(
    *,
    doc: ReviewedDocument,
    acting_user: ActingUser,
    meeting_date: date,
    paragraph: str,
    diarienummer: str = "",
    present: Iterable[int] | None = None,
    objections_seen: bool = False,
    date_confirmed: bool = False,
) -> ReviewedDocument:
    """Record the board's decision; the document is fixed from here on and its PDF archived once.

    present: the board memberships at the meeting. Where the förbund requires it, the board
    must have been beslutsför (Beslutforhet); the approvals in the app are its preparation.
    objections_seen: the registrar confirmed having seen the open requests for changes and
    comment threads (objections); date_confirmed: that a date meeting_date_unusual names is
    meant. AdoptForm asks for them where they apply; both are recorded with the decision."""
    doc = doc.locked()
    if doc.status == PlanStatus.ANTAGEN:
        raise PlanLocked(f"{doc.noun.capitalize()} är redan antagen.")
    if doc.status != PlanStatus.INLAMNAD:
        raise ValidationError(
            f"{doc.noun.capitalize()} måste vara inlämnad till styrelsen innan den kan antas."
        )
    if not may_record_adoption(acting_user, doc):
        raise PermissionDenied("Du får inte registrera styrelsens beslut i detta förbund.")
    errors = doc.submit_problems()
    if errors:
        raise PlanHasErrors(errors)
    doc.check_meeting_date(meeting_date)
    _check_in_office(doc, present or (), meeting_date)
    attendance = beslutforhet(doc, present or (), on=meeting_date)
    if doc.requires_quorum:
        if present is None:
            raise ValidationError(
                {"present": "Ange vilka ledamöter och ersättare som var närvarande vid beslutet."}
            )
        if not attendance.reached:
            raise ValidationError({"present": attendance.message()})
    board_changed = _board_changed(doc, meeting_date)
    requests, threads = objections(doc)
    unusual = doc.meeting_date_unusual(meeting_date)
    paragraph = paragraph.strip()
    if paragraph and not paragraph.startswith("§"):
        paragraph = f"§{paragraph}"
    diarienummer = DNR_PREFIX.sub("", diarienummer.strip())  # decision_text writes "Dnr" itself
    doc.status = PlanStatus.ANTAGEN
    doc.meeting_date = meeting_date
    doc.paragraph = paragraph
    doc.diarienummer = diarienummer
    approved, _, _ = quorum(doc, on=meeting_date)
    doc.attendance = {
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
    doc.adopted_at = timezone.now()
    doc.adopted_by = acting_user
    doc.full_clean()
    doc.save()
    follows = doc.after_adoption(acting_user)
    _audit(
        doc,
        acting_user,
        f"{doc.audit_prefix}.adopt",
        f"Registrerade att styrelsen antog {doc.title} ({doc.decision_text})",
        changes={
            "meeting_date": ["", meeting_date.isoformat()],
            "paragraph": ["", paragraph],
            "diarienummer": ["", doc.diarienummer],
            "attendance": [
                None,
                ", ".join(doc.attendance["ledamoter"] + doc.attendance["ersattare"]),
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
    )
    transaction.on_commit(follows)
    notify(doc, "adopted", actor=acting_user, detail=doc.decision_text)
    return doc


# --- The plan's steps, as its pages and commands name them --------------------------------------


def plan_submit(*, plan: Plan, acting_user: ActingUser) -> Plan:
    return submit(doc=plan, acting_user=acting_user)


def plan_return(*, plan: Plan, acting_user: ActingUser, reason: str) -> Plan:
    return send_back(doc=plan, acting_user=acting_user, reason=reason)


def plan_review(*, plan: Plan, acting_user: ActingUser, decision: str, comment: str = ""):
    return review(doc=plan, acting_user=acting_user, decision=decision, comment=comment)


def plan_adopt(*, plan: Plan, acting_user: ActingUser, **decision) -> Plan:
    return adopt(doc=plan, acting_user=acting_user, **decision)
