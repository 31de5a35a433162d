"""Writes to the core models. Each runs in a transaction, validates, and records itself."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from finsam.audit import (
    ActingUser,
    audit_record,
    changed_names,
    diff,
    record_save,
    save_changes,
    save_recorded,
    stored,
)
from finsam.members import KOMMUN
from finsam.models import Forbund, Fordelningstal, Medlem
from finsam.signals import forbund_changing


def _fordelning_snapshot(rows: Iterable[Fordelningstal]) -> dict[str, str]:
    return {str(r.year): str(r.weight) for r in rows}


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
    old_rows = {} if medlem.pk is None else _fordelning_snapshot(medlem.fordelningstal.all())
    medlem, created, changes = save_changes(instance=medlem, data=data)
    for row in removed:
        if row.pk:
            row.delete()
    for row in fordelningstal:
        row.medlem = medlem
        row.full_clean()
        row.save()
    new_rows = _fordelning_snapshot(medlem.fordelningstal.all())
    changes.update(diff({"fordelningstal": old_rows}, {"fordelningstal": new_rows}))
    record_save(
        obj=medlem,
        created=created,
        changes=changes,
        acting_user=acting_user,
        forbund=medlem.forbund,
        what=f"medlemmen {medlem.name}",
    )
    return medlem


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
