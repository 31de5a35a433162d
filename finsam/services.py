"""Writes to the core models. Each runs in a transaction, validates, and records itself."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from finsam.audit import (
    EMPTY,
    ActingUser,
    Conflict,
    audit_record,
    changed_names,
    diff,
    save_recorded,
    stored,
)
from finsam.members import KOMMUN
from finsam.models import Forbund, Fordelningstal, Medlem
from finsam.money import format_plain
from finsam.signals import forbund_changing


def _fordelning_snapshot(rows: Iterable[Fordelningstal]) -> dict[str, str]:
    # A figure still carried from an earlier year says so; confirming it is a change.
    return {
        str(r.year): f"{r.weight} (hämtat från {r.carried_from})"
        if r.carried_from
        else str(r.weight)
        for r in rows
    }


def _weight_shown(row: Fordelningstal | None) -> str:
    return EMPTY if row is None or row.weight is None else format_plain(row.weight, 4)


def _fordelning_conflicts(
    medlem: Medlem, rows: Iterable[Fordelningstal], removed: Iterable[Fordelningstal]
) -> list[Conflict]:
    """The sent fördelningstal that differ from those stored now, for a conflict's comparison:
    sending the form again saves them, so the page shows them beside the colleague's."""
    stored_rows = list(Fordelningstal.objects.filter(medlem=medlem))
    by_year = {r.year: r for r in stored_rows}
    by_pk = {r.pk: r for r in stored_rows}
    conflicts = []
    for row in rows:
        theirs = by_year.get(row.year)
        if _weight_shown(theirs) != _weight_shown(row):
            conflicts.append(
                Conflict(f"Fördelningstal {row.year}", _weight_shown(theirs), _weight_shown(row))
            )
    for row in removed:
        theirs = by_pk.get(row.pk)
        if theirs is not None:
            conflicts.append(
                Conflict(f"Fördelningstal {theirs.year}", _weight_shown(theirs), EMPTY)
            )
    return conflicts


@transaction.atomic
def forbund_update(
    *, forbund: Forbund, acting_user: ActingUser, data: Mapping[str, Any]
) -> Forbund:
    """Save the changed settings of a förbund (data: the new values, e.g. a form's cleaned_data).

    Apps whose figures rest on a setting may refuse the change first (finsam.signals).
    """
    row = stored(forbund)
    changing = {name: value for name, value in data.items() if getattr(row, name) != value}
    forbund_changing.send(sender=Forbund, forbund=row, data=changing)
    return save_recorded(
        instance=row,
        data=data,
        acting_user=acting_user,
        forbund=row,
        what=lambda forbund, changes: f"förbundets uppgifter ({changed_names(forbund, changes)})",
    )


@transaction.atomic
def fordelningstal_carry(
    *, forbund: Forbund, years: Iterable[int], acting_user: ActingUser
) -> list[Fordelningstal]:
    """Give each kommun a fördelningstal for each of years it has none for, taken from its
    latest earlier year and marked as carried (to be confirmed, a warning in the plan's checks)
    until the kansli confirms or replaces it. A kommun with no earlier one is left without."""
    kommuner = list(forbund.medlemmar.filter(kind=KOMMUN).prefetch_related("fordelningstal"))
    made = []
    for medlem in kommuner:
        rows = sorted(medlem.fordelningstal.all(), key=lambda f: f.year)
        have = {f.year for f in rows}
        for year in sorted(set(years) - have):
            earlier = [f for f in rows if f.year < year]
            if not earlier:
                continue
            source = earlier[-1]
            made.append(
                Fordelningstal.objects.create(
                    medlem=medlem,
                    year=year,
                    invanare=source.invanare,
                    avtalad_andel=source.avtalad_andel,
                    carried_from=source.carried_from or source.year,
                )
            )
    if made:
        audit_record(
            forbund=forbund,
            actor=acting_user,
            action="fordelningstal.carry",
            obj=forbund,
            summary="Hämtade fördelningstal från tidigare år, att bekräfta",
            changes={
                f"{f.medlem.name} {f.year}": ["", f"{f.weight} (från {f.carried_from})"]
                for f in made
            },
        )
    return made


@transaction.atomic
def medlem_save(
    *,
    medlem: Medlem,
    acting_user: ActingUser,
    data: Mapping[str, Any] | None = None,
    fordelningstal: list[Fordelningstal] = (),
    removed: list[Fordelningstal] = (),
) -> Medlem:
    """Create or update a member (data: its new values) with its fördelningstal, all or nothing.

    Only a kommun has fördelningstal: they divide the kommun quarter among the kommuner.
    """
    kind = (data or {}).get("kind", medlem.kind)
    if fordelningstal and kind != KOMMUN:
        raise ValidationError(
            {"kind": "Fördelningstal anges bara för kommuner; töm raderna nedan."}
        )

    def save_rows(medlem, created, changes):
        # Read once the member is locked: a colleague's rows saved meanwhile are the old values.
        old_rows = _fordelning_snapshot(medlem.fordelningstal.all())
        for row in removed:
            if row.pk:
                row.delete()
        for row in fordelningstal:
            row.medlem = medlem
            row.full_clean()
            row.save()
        new_rows = _fordelning_snapshot(medlem.fordelningstal.all())
        row_changes = diff({"fordelningstal": old_rows}, {"fordelningstal": new_rows})
        return {**changes, **row_changes}, bool(row_changes)

    def also_rows(conflict):
        conflict.conflicts += _fordelning_conflicts(medlem, fordelningstal, removed)

    return save_recorded(
        instance=medlem,
        data=data,
        acting_user=acting_user,
        forbund=medlem.forbund,
        what=lambda medlem, _: f"medlemmen {medlem.name}",
        rows=save_rows,
        on_conflict=also_rows,
    )


@transaction.atomic
def notification_settings_set(*, user, memberships, wanted: set[int]) -> int:
    """Turn e-mail about plans on for the memberships in wanted and off for the others (a
    person's own memberships only); each change is recorded in its förbund's log."""
    changed = 0
    for membership in memberships:
        if membership.user_id != user.pk:
            continue
        on = membership.pk in wanted
        if membership.email_notifications == on:
            continue
        membership.email_notifications = on
        membership.save(update_fields=["email_notifications"])
        audit_record(
            forbund=membership.forbund,
            actor=user,
            action="membership.email",
            obj=membership,
            summary=f"Slog {'på' if on else 'av'} e-post om planer",
            changes={"email_notifications": [not on, on]},
        )
        changed += 1
    return changed
