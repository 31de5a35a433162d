"""Writing the year's participants per insats (FK's national follow-up, followup.national)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from finsam.audit import audit_record
from finsam.models import Forbund
from followup.models import InsatsDeltagare

CONFLICT_MESSAGE = (
    "Någon annan har ändrat deltagarna för {name} sedan du öppnade sidan. Inget sparades: "
    "ladda om sidan och skriv in dina siffror igen."
)

GONE_MESSAGE = (
    "{name} är inte längre en av årets insatser: planen har ändrats sedan du öppnade sidan. "
    "Inget sparades: ladda om sidan och skriv in dina siffror igen."
)


@dataclass(frozen=True)
class Count:
    """What the form sent for one insats: the version it was shown at (0: none stored)."""

    version: int
    total: int | None
    women: int | None
    men: int | None


def _text(row: InsatsDeltagare | None) -> str:
    if row is None:
        return "–"
    parts = [f"{row.total} deltagare"]
    if row.women is not None:
        parts.append(f"{row.women} kvinnor")
    if row.men is not None:
        parts.append(f"{row.men} män")
    return ", ".join(parts)


@transaction.atomic
def participants_set(
    *, forbund: Forbund, year: int, counts: Mapping[str, Count], names: set[str], acting_user
) -> int:
    """Set the year's participants per insats name, all or nothing; the number changed. A
    count stored at another version than the form showed is a conflict (ValidationError,
    nothing saved); an empty total removes the insats's count."""
    Forbund.objects.select_for_update().filter(pk=forbund.pk).first()
    stored = {d.insats_name: d for d in InsatsDeltagare.objects.filter(forbund=forbund, year=year)}
    changed = 0
    for name, count in counts.items():
        if name not in names:
            raise ValidationError(GONE_MESSAGE.format(name=name))
        row = stored.get(name)
        if (row.lock_version if row else 0) != count.version:
            raise ValidationError(CONFLICT_MESSAGE.format(name=name))
        before = _text(row)
        if count.total is None:
            if row is None:
                continue
            after = "–"
        else:
            if row is None:
                row = InsatsDeltagare(forbund=forbund, year=year, insats_name=name, total=0)
            if (row.total, row.women, row.men) == (count.total, count.women, count.men):
                continue
            row.total, row.women, row.men = count.total, count.women, count.men
            row.lock_version = (row.lock_version or 0) + 1 if row.pk else 1
            row.full_clean()
            row.save()
            after = _text(row)
        audit_record(
            forbund=forbund,
            actor=acting_user,
            action="followup.participants",
            obj=row,
            summary=f"Deltagare {year} i {name}: {before} → {after}",
            changes={"deltagare": [before, after]},
        )
        if count.total is None:
            row.delete()
        changed += 1
    return changed
