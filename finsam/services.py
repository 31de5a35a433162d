"""Writes to the core models. Each runs in a transaction, validates, and records itself."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from finsam.audit import audit_record, diff, snapshot
from finsam.models import Forbund, Fordelningstal, Medlem
from finsam.signals import forbund_changing

FORBUND_FIELDS = [
    "name",
    "organisationsnummer",
    "amount_unit",
    "rounding_unit",
    "vision",
    "founded",
    "region_has_kommun_role",
    "adoption_requires_quorum",
    "adoption_recorder",
]
MEDLEM_FIELDS = ["name", "kind", "order"]


def _fordelning_snapshot(rows: Iterable[Fordelningstal]) -> dict[str, str]:
    return {str(r.year): str(r.weight) for r in rows}


@transaction.atomic
def forbund_update(*, forbund: Forbund, acting_user, before: dict) -> Forbund:
    """Save edits made to a förbund's settings (the form has set the fields).

    Apps whose figures rest on a setting may refuse the change (finsam.signals).
    """
    forbund.full_clean()
    changes = diff(before, snapshot(forbund, FORBUND_FIELDS))
    forbund_changing.send(sender=Forbund, forbund=forbund, changed=set(changes))
    forbund.save()
    if changes:
        audit_record(
            forbund=forbund,
            actor=acting_user,
            action="forbund.update",
            obj=forbund,
            summary=f"Ändrade förbundets uppgifter ({', '.join(changes)})",
            changes=changes,
        )
    return forbund


@transaction.atomic
def medlem_save(
    *,
    medlem: Medlem,
    acting_user,
    fordelningstal: list[Fordelningstal],
    removed: list[Fordelningstal],
    before: dict | None,
) -> Medlem:
    """Create or update a member with its fördelningstal, all or nothing."""
    created = medlem.pk is None
    old_rows = {} if created else _fordelning_snapshot(medlem.fordelningstal.all())
    medlem.full_clean()
    medlem.save()
    for row in removed:
        if row.pk:
            row.delete()
    for row in fordelningstal:
        row.medlem = medlem
        row.full_clean()
        row.save()
    new_rows = _fordelning_snapshot(medlem.fordelningstal.all())
    changes = diff(before or {}, snapshot(medlem, MEDLEM_FIELDS))
    if old_rows != new_rows:
        changes["fordelningstal"] = [old_rows, new_rows]
    if created or changes:
        audit_record(
            forbund=medlem.forbund,
            actor=acting_user,
            action="medlem.create" if created else "medlem.update",
            obj=medlem,
            summary=f"{'Lade till' if created else 'Ändrade'} medlemmen {medlem.name}",
            changes=changes,
        )
    return medlem
