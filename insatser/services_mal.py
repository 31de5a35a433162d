"""Writes to mål and indikatorer, and the outcomes (utfall) recorded against them.

Each runs in a transaction, refuses a plan that is not a draft (Plan.locked_draft), validates,
and records who changed what in the audit log. Outcomes are the exception: they are the
follow-up of a plan, recorded after it is adopted, and never change the plan itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from finsam.audit import (
    EMPTY,
    ActingUser,
    Conflict,
    audit_record,
    delete_recorded,
    save_recorded,
)
from insatser.models_mal import Indikator, Mal, Utfall

if TYPE_CHECKING:
    from insatser.models import Insats
    from plans.models import Plan


def _indikator_text(i: Indikator) -> str:
    """An indikator as the history shows it: "description (kind, mål …, mätkälla …)"."""
    facts = [i.get_kind_display().lower()]
    if i.target_label:
        facts.append(f"mål {i.target_label}")
    if i.source_label:
        facts.append(f"mätkälla {i.source_label}")
    return f"{i.description} ({', '.join(facts)})"


def _indikator_snapshot(mal: Mal) -> list[str]:
    """The mål's indikatorer as the history shows them."""
    if not mal.pk:
        return []
    return [_indikator_text(i) for i in mal.indikatorer.all()]


def _indikator_conflicts(
    mal: Mal, indikatorer: Iterable[Indikator], removed: Iterable[Indikator]
) -> list[Conflict]:
    """The sent indikatorer that differ from those stored now, for a conflict's comparison:
    sending the form again saves them, so the page shows them beside the colleague's."""
    stored_rows = {i.pk: i for i in Indikator.objects.filter(mal=mal)}
    conflicts = []
    for row in indikatorer:
        theirs = stored_rows.get(row.pk)
        if theirs is None or _indikator_text(theirs) != _indikator_text(row):
            theirs_shown = EMPTY if theirs is None else _indikator_text(theirs)
            conflicts.append(Conflict("Indikator", theirs_shown, _indikator_text(row)))
    for row in removed:
        if row.pk in stored_rows:
            conflicts.append(Conflict("Indikator", _indikator_text(stored_rows[row.pk]), EMPTY))
    return conflicts


@transaction.atomic
def mal_save(
    *,
    mal: Mal,
    acting_user: ActingUser,
    data: Mapping[str, Any] | None = None,
    indikatorer: Iterable[Indikator] = (),
    removed: Iterable[Indikator] = (),
) -> Mal:
    """Create or update a mål (data: its new values) with its indikatorer (the formset's rows),
    all or nothing."""
    plan = mal.plan.locked_draft()
    if mal.standard:
        raise ValidationError(
            "Standardmålet om jämn könsfördelning slås på och av på insatsen, och ändras inte här."
        )
    indikatorer, removed = list(indikatorer), list(removed)

    def save_rows(mal, created, changes):
        # Read once the mål is locked: a colleague's indikatorer saved meanwhile are the old ones.
        old_indikatorer = _indikator_snapshot(mal)
        for row in removed:
            if row.pk and row.mal_id == mal.pk:
                row.delete()
        for order, row in enumerate(indikatorer, start=1):
            row.mal = mal
            row.order = order
            row.full_clean()
            row.save()
        new_indikatorer = _indikator_snapshot(mal)
        if old_indikatorer == new_indikatorer:
            return changes, False
        return {**changes, "indikatorer": [old_indikatorer, new_indikatorer]}, True

    def also_rows(conflict):
        conflict.conflicts += _indikator_conflicts(mal, indikatorer, removed)

    def named(mal, _):
        owner = f" för {mal.insats.name}" if mal.insats_id else ""
        return f"ett mål{owner}: {mal.text[:120]}"

    return save_recorded(
        instance=mal,
        data=data,
        acting_user=acting_user,
        forbund=plan.forbund,
        what=named,
        plan=plan,
        rows=save_rows,
        on_conflict=also_rows,
    )


@transaction.atomic
def mal_delete(*, mal: Mal, acting_user: ActingUser) -> None:
    plan = mal.plan.locked_draft()
    if mal.standard:
        raise ValidationError("Standardmålet slås av på insatsen.")
    delete_recorded(
        instance=mal,
        acting_user=acting_user,
        forbund=plan.forbund,
        what=f"målet {mal.text[:120]}",
        changes={"indikatorer": _indikator_snapshot(mal)},
        plan=plan,
    )


@dataclass(frozen=True)
class Outcome:
    """An indikator's outcome in a year as entered: a number, ja/nej, or text."""

    value: Decimal | None = None
    value_yes: bool | None = None
    value_text: str = ""

    @property
    def is_empty(self) -> bool:
        return self.value is None and self.value_yes is None and not self.value_text.strip()


@transaction.atomic
def utfall_set(
    *, mal: Mal, acting_user: ActingUser, outcomes: Mapping[tuple[int, int], Outcome]
) -> int:
    """Record the outcomes {(indikator id, year): Outcome} of a mål's indikatorer.

    Follow-up happens after adoption, so this is allowed on any plan; it changes no figure or
    text of the plan. An empty outcome removes the year's record. Returns the number changed.
    """
    plan = mal.plan
    indikatorer = {i.pk: i for i in mal.indikatorer.all()}
    existing = {(u.indikator_id, u.year): u for u in Utfall.objects.filter(indikator__mal=mal)}
    changes: dict[str, list[str]] = {}
    for (indikator_id, year), outcome in outcomes.items():
        if indikator_id not in indikatorer:
            raise ValidationError("Indikatorn hör inte till målet.")
        if year not in plan.years:
            raise ValidationError(f"{year} ingår inte i planen.")
        row = existing.get((indikator_id, year))
        old = row.label if row else ""
        if outcome.is_empty:
            if row:
                row.delete()
                changes[f"{indikatorer[indikator_id]} {year}"] = [old, ""]
            continue
        row = row or Utfall(indikator=indikatorer[indikator_id], year=year)
        row.value, row.value_yes = outcome.value, outcome.value_yes
        row.value_text = outcome.value_text.strip()
        row.full_clean()
        if row.label == old:
            continue
        row.save()
        changes[f"{indikatorer[indikator_id]} {year}"] = [old, row.label]
    if changes:
        audit_record(
            forbund=plan.forbund,
            actor=acting_user,
            action="utfall.set",
            obj=mal,
            summary=f"Registrerade utfall för målet {mal.text[:120]}",
            changes=changes,
            plan=plan,
        )
    return len(changes)


def mal_copy(mal: Mal, target: Plan, insats: Insats | None) -> None:
    """Copy a mål with its indikatorer, and the outcomes of the years the target plan covers."""
    new = Mal.objects.create(
        plan=target,
        insats=insats,
        level=mal.level,
        text=mal.text,
        standard=mal.standard,
        order=mal.order,
    )
    for indikator in mal.indikatorer.all():
        outcomes = list(indikator.utfall.all())
        indikator.pk = None
        indikator.mal = new
        indikator.save()
        for utfall in outcomes:
            if utfall.year in target.years:
                utfall.pk = None
                utfall.indikator = indikator
                utfall.save()
