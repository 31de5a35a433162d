"""A new mandate period for the board: each seat of the board as it stands either continues
(the same person, a new role for the new period) or goes to a new person (an invitation for the
new period), with the new chair and vice chair; the current roles end the day before.

mandate_preview says what will change; mandate_period_start does it all in one transaction.
Both take the same MandateChoice, so what is confirmed is what was shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from finsam import people
from finsam.audit import ActingUser, audit_record, plain
from finsam.models import Forbund, Membership, Role, Seat

CONTINUES = "fortsatter"
NEW_PERSON = "ny"
EMPTY_SEAT = "tom"
ENDED_REASON = "Mandatperioden slutade."


def next_mandate_period(day: date) -> tuple[date, date]:
    """The four-year period after the one the day falls in. Periods start on 1 January of the
    year after an election year (2023, 2027, …), so in 2026 the next is 2027–2030."""
    first = day.year - (day.year - 3) % 4 + 4
    return date(first, 1, 1), date(first + 3, 12, 31)


def board_seats(forbund: Forbund) -> list[Membership]:
    """The board's current roles, one per seat: by member, ordinarie ledamot before ersättare."""
    return sorted(
        Membership.objects.for_forbund(forbund).board().current().select_related("user", "medlem"),
        key=lambda m: (
            m.medlem.order if m.medlem else 10_000,
            m.medlem.name if m.medlem else "",
            m.seat != Seat.LEDAMOT,
            m.user.last_name,
            m.user.first_name,
        ),
    )


def seat_label(membership: Membership) -> str:
    """ "Anna Ek (Sundsvalls kommun, ledamot)"."""
    where = [membership.medlem.name] if membership.medlem else []
    where.append("ledamot" if membership.seat == Seat.LEDAMOT else "ersättare")
    return f"{people.person_name(membership.user)} ({', '.join(where)})"


@dataclass(frozen=True)
class SeatChoice:
    """What happens to one seat: it continues, goes to a new address, or is left empty."""

    membership: Membership
    action: str
    email: str = ""
    name: str = ""


@dataclass(frozen=True)
class MandateChoice:
    starts_on: date
    ends_on: date
    seats: tuple[SeatChoice, ...]
    # The seat (its current membership's pk) whose holder in the new period is chair / vice.
    chair: int | None = None
    vice_chair: int | None = None


@dataclass
class MandatePreview:
    changes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _check(forbund: Forbund, choice: MandateChoice) -> None:
    """Every problem as {field: messages}; the seat's fields are named s<pk>_action/_email."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if choice.ends_on < choice.starts_on:
        add("ends_on", "Perioden kan inte sluta innan den börjar.")
    seats = {s.membership.pk: s for s in choice.seats}
    emails: set[str] = set()
    for seat in choice.seats:
        m = seat.membership
        if m.forbund_id != forbund.pk or m.role != Role.STYRELSE:
            raise ValidationError("Platsen hör inte till förbundets styrelse.")
        if m.starts_on and m.starts_on >= choice.starts_on:
            add(
                "starts_on",
                f"{seat_label(m)} började {m.starts_on:%Y-%m-%d}; den nya perioden måste börja "
                "senare.",
            )
        if seat.action == NEW_PERSON:
            email = seat.email.strip().lower()
            try:
                validate_email(email)
            except ValidationError:
                add(f"s{m.pk}_email", "Ange den nya personens e-postadress.")
                continue
            if email in emails:
                add(f"s{m.pk}_email", "Samma adress står vid en annan plats.")
            emails.add(email)
        elif seat.action not in (CONTINUES, EMPTY_SEAT):
            add(f"s{m.pk}_action", "Välj fortsätter, ny person eller tom plats.")
    for name, pk, label in (
        ("chair", choice.chair, "Ordföranden"),
        ("vice_chair", choice.vice_chair, "Vice ordföranden"),
    ):
        if pk is None:
            continue
        seat = seats.get(pk)
        if seat is None or seat.membership.seat != Seat.LEDAMOT:
            add(name, f"{label} ska ha en plats som ordinarie ledamot.")
        elif seat.action == EMPTY_SEAT:
            add(name, f"{label}s plats lämnas tom; välj en annan.")
    if choice.chair is not None and choice.chair == choice.vice_chair:
        add("vice_chair", "Vice ordföranden kan inte vara ordföranden.")
    if errors:
        raise ValidationError(errors)


def _period(choice: MandateChoice) -> str:
    return f"{choice.starts_on:%Y-%m-%d} – {choice.ends_on:%Y-%m-%d}"


def _role_words(seat: SeatChoice, choice: MandateChoice) -> str:
    if choice.chair == seat.membership.pk:
        return ", ordförande"
    if choice.vice_chair == seat.membership.pk:
        return ", vice ordförande"
    return ""


def mandate_preview(*, forbund: Forbund, choice: MandateChoice) -> MandatePreview:
    """What mandate_period_start would do, a line per seat; ValidationError as it would."""
    _check(forbund, choice)
    last_day = choice.starts_on - timedelta(days=1)
    preview = MandatePreview()
    for seat in choice.seats:
        m = seat.membership
        ending = m.ends_on is None or m.ends_on > last_day
        ends = f"slutar {last_day:%Y-%m-%d}" if ending else f"slutar redan {m.ends_on:%Y-%m-%d}"
        words = _role_words(seat, choice)
        if seat.action == CONTINUES:
            preview.changes.append(f"{seat_label(m)} {ends}; fortsätter {_period(choice)}{words}.")
        elif seat.action == NEW_PERSON:
            preview.changes.append(
                f"{seat_label(m)} {ends}; ny: {_new_person(seat)}{words} (inbjudan)."
            )
        else:
            preview.changes.append(f"{seat_label(m)} {ends}; platsen lämnas tom.")
            preview.warnings.append(
                f"Platsen efter {seat_label(m)} är tom i den nya perioden; bjud in någon senare."
            )
    if choice.chair is None:
        preview.warnings.append("Ingen ordförande är vald för den nya perioden.")
    return preview


@transaction.atomic
def mandate_period_start(
    *, forbund: Forbund, choice: MandateChoice, acting_user: ActingUser
) -> MandatePreview:
    """End the board's current roles the day before the new period (where they run longer),
    give each continuing person a role for the new period and invite each new person to theirs,
    chair and vice chair as chosen; all in the log, all or nothing."""
    preview = mandate_preview(forbund=forbund, choice=choice)
    last_day = choice.starts_on - timedelta(days=1)
    # Locked, and read again: the roles as they are now, not as the form saw them.
    rows = {
        m.pk: m
        for m in Membership.objects.select_for_update(of=("self",))
        .select_related("user", "medlem")
        .filter(pk__in=[s.membership.pk for s in choice.seats], forbund=forbund)
    }
    for seat in choice.seats:
        row = rows.get(seat.membership.pk)
        if row is None:
            raise ValidationError("En av platserna har ändrats sedan sidan visades; börja om.")
        if row.ends_on is None or row.ends_on > last_day:
            old = row.ends_on
            row.ends_on = last_day
            row.ended_reason = ENDED_REASON
            row.full_clean()
            row.save(update_fields=["ends_on", "ended_reason"])
            audit_record(
                forbund=forbund,
                actor=acting_user,
                action="membership.end",
                obj=row,
                summary=f"Avslutade rollen för {seat_label(row)} inför den nya mandatperioden",
                changes={
                    "ends_on": [plain(old), plain(last_day)],
                    "ended_reason": ["", ENDED_REASON],
                },
            )
    for seat in choice.seats:
        row = rows[seat.membership.pk]
        chair = choice.chair == row.pk
        vice = choice.vice_chair == row.pk
        if seat.action == CONTINUES:
            new = Membership(
                user=row.user,
                forbund=forbund,
                role=Role.STYRELSE,
                seat=row.seat,
                medlem=row.medlem,
                title=row.title,
                email_notifications=row.email_notifications,
                is_chair=chair,
                is_vice_chair=vice,
                starts_on=choice.starts_on,
                ends_on=choice.ends_on,
            )
            try:
                new.full_clean()
            except ValidationError as error:
                raise ValidationError({f"s{row.pk}_action": error.messages}) from error
            new.save()
            audit_record(
                forbund=forbund,
                actor=acting_user,
                action="membership.create",
                obj=new,
                summary=f"{seat_label(new)} fortsätter i styrelsen {_period(choice)}",
                changes={
                    "seat": [None, new.seat],
                    "starts_on": [None, plain(new.starts_on)],
                    "ends_on": [None, plain(new.ends_on)],
                    **({"is_chair": [None, True]} if chair else {}),
                    **({"is_vice_chair": [None, True]} if vice else {}),
                },
            )
        elif seat.action == NEW_PERSON:
            try:
                people.invitation_create(
                    forbund=forbund,
                    email=seat.email.strip().lower(),
                    name=seat.name,
                    role=Role.STYRELSE,
                    seat=row.seat,
                    medlem=row.medlem,
                    is_chair=chair,
                    is_vice_chair=vice,
                    starts_on=choice.starts_on,
                    ends_on=choice.ends_on,
                    acting_user=acting_user,
                )
            except ValidationError as error:
                raise ValidationError({f"s{row.pk}_email": error.messages}) from error
    audit_record(
        forbund=forbund,
        actor=acting_user,
        action="mandate.start",
        obj=forbund,
        summary=f"Ny mandatperiod för styrelsen, {_period(choice)}",
        changes={"Förändringar": [None, " ".join(preview.changes)]},
    )
    return preview


def _new_person(seat: SeatChoice) -> str:
    email = seat.email.strip().lower()
    return f"{seat.name} <{email}>" if seat.name else email
