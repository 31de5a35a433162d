"""Writes to insatser and målgrupper (mål and indikatorer: insatser/services_mal.py).

Each runs in a transaction, refuses a plan that is not a draft (Plan.locked_draft, the one gate),
validates, and records who changed what in the audit log.

An insats's money lives in its budget line: the granted amounts are the line's amounts, written
through budgets.services, so the budget and the insats can never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from budgets import services as budget_services
from budgets.models import BudgetAmount, BudgetCategory, BudgetLine, ColumnKind, Side
from finsam.audit import (
    EMPTY,
    ActingUser,
    Conflict,
    audit_record,
    delete_recorded,
    diff,
    plain,
    save_recorded,
    snapshot,
    stored,
)
from finsam.models import Medlem
from finsam.money import format_amount, format_typed_percent
from insatser import rules
from insatser.models import Agenda2030Tag, Insats, InsatsAr, Malgrupp
from insatser.models_mal import Indikator, Mal
from insatser.services_mal import mal_copy

if TYPE_CHECKING:
    from plans.models import Plan

# Fields of an insats's form that are not columns of the insats: the service sets them itself.
AGENDA2030, GENDER_BALANCE = "agenda2030", "gender_balance"


@dataclass(frozen=True)
class YearMoney:
    """What the kansli enters for an insats in one year: the grant and other financing."""

    beviljat: Decimal
    esf_percent: Decimal | None = None
    esf_amount: Decimal | None = None
    medfinansiar: Medlem | None = None
    medfinansiering: Decimal | None = None
    planned_participants: int | None = None


def insats_snapshot(insats: Insats) -> dict:
    """The insats's fields and links as JSON-friendly values, for the audit diff."""
    if insats.pk is None:
        return {}
    data = snapshot(insats)
    data.pop("plan", None)
    data.pop("carried_from", None)
    data["parter"] = sorted(m.name for m in insats.parter.all())
    data["malgrupper"] = sorted(m.name for m in insats.malgrupper.all())
    data["agenda2030"] = [
        rules.AGENDA_2030_LABELS[goal]
        for goal in sorted(t.goal for t in insats.agenda2030_tags.all())
    ]
    data["konsfordelning"] = insats.mal.filter(standard=rules.KONSFORDELNING).exists()
    return data


# --- Where an insats's line stands in the budget ----------------------------------------------


def category_for_kind(plan: Plan, kind: str, individ_percent: int | None) -> BudgetCategory:
    """The budget category an insats of this kind stands under (budgets.services decides).

    A mixed insats goes with its larger part; an ESF-projekt to the förbund's group for them.
    """
    target = rules.group_kind(kind, individ_percent)
    category = budget_services.insats_category(
        forbund=plan.forbund,
        share_kind=rules.INDIVID if target == rules.ESF else target,
        esf=target == rules.ESF,
    )
    if category is None:
        raise ValidationError(
            {
                "kind": f"Förbundet saknar en budgetgrupp för {rules.KIND_LABELS[kind].lower()} "
                "insatser. Lägg till den under Budgetkategorier."
            }
        )
    return category


def _sync_line(
    insats: Insats, *, acting_user: ActingUser, kind_moved: bool, link: BudgetLine | None
) -> BudgetLine:
    """Give the insats its budget line: link the given one, create one, or keep it in step."""
    plan = insats.plan
    line = BudgetLine.objects.filter(insats=insats).select_related("category__group").first()
    if link is not None:
        if line is not None and line.pk != link.pk:
            raise ValidationError("Insatsen har redan en budgetrad.")
        if link.plan_id != plan.pk or link.category.group.side != Side.KOSTNAD:
            raise ValidationError("Budgetraden hör inte till planens kostnader.")
        if link.insats_id not in (None, insats.pk):
            raise ValidationError("Budgetraden hör redan till en annan insats.")
        line, kind_moved = link, False
    if line is None:
        return budget_services.budget_line_create(
            plan=plan,
            acting_user=acting_user,
            category=category_for_kind(plan, insats.kind, insats.individ_percent),
            name=insats.name,
            insats=insats,
        )
    line.plan = plan
    data = {"insats": insats, "name": insats.name}
    if kind_moved:
        data["category"] = category_for_kind(plan, insats.kind, insats.individ_percent)
    return budget_services.budget_line_update(line=line, acting_user=acting_user, data=data)


# --- Insatser ----------------------------------------------------------------------------------


def _sync_tags(plan: Plan, insats: Insats | None, goals: Iterable[int]) -> None:
    tags = Agenda2030Tag.objects.filter(plan=plan, insats=insats)
    wanted = set(goals)
    have = set(tags.values_list("goal", flat=True))
    tags.filter(goal__in=have - wanted).delete()
    for goal in sorted(wanted - have):
        tag = Agenda2030Tag(plan=plan, insats=insats, goal=goal)
        tag.full_clean()
        tag.save()


def _sync_gender_balance(insats: Insats, on: bool) -> None:
    """Switch the standard indikator "jämn könsfördelning (40–60 %)" on or off."""
    existing = insats.mal.filter(standard=rules.KONSFORDELNING).first()
    if on and existing is None:
        mal = Mal(
            plan=insats.plan,
            insats=insats,
            level=rules.INSATSMAL,
            text=rules.GENDER_BALANCE_MAL,
            standard=rules.KONSFORDELNING,
            order=999,
        )
        mal.full_clean()
        mal.save()
        indikator = Indikator(
            mal=mal,
            description=rules.GENDER_BALANCE_INDIKATOR,
            kind=rules.ANDEL,
            target_value=rules.GENDER_BALANCE_TARGET,
            direction=rules.MINST,
            source=rules.SUS,
        )
        indikator.full_clean()
        indikator.save()
    elif not on and existing is not None:
        existing.delete()


def _sync_money(
    insats: Insats, money: Mapping[int, YearMoney], line: BudgetLine, acting_user: ActingUser
) -> int:
    """Set the granted amounts and the other financing; the number of amounts changed."""
    plan = insats.plan
    unknown = set(money) - set(plan.years)
    if unknown:
        raise ValidationError(f"{min(unknown)} ingår inte i planen.")
    changed = budget_services.budget_figures_set(
        plan=plan,
        acting_user=acting_user,
        amounts={(line.pk, year, ColumnKind.BUDGET): m.beviljat for year, m in money.items()},
        by_insats=True,
    )
    rows = {row.year: row for row in insats.ar.all()}
    for year, m in money.items():
        row = rows.get(year) or InsatsAr(insats=insats, year=year)
        row.esf_percent = m.esf_percent
        row.esf_amount = budget_services.sek(m.esf_amount)
        row.medfinansiar = m.medfinansiar
        row.medfinansiering = budget_services.sek(m.medfinansiering)
        row.planned_participants = m.planned_participants
        if row.is_empty:
            if row.pk:
                row.delete()
            continue
        row.full_clean()
        row.save()
    return changed


def _financing_text(m: YearMoney, unit: str) -> str:
    """A year's ESF and co-financing as the history shows it: "ESF 47 %, Habo kommun 50 000 kr"."""
    parts = []
    if m.esf_percent is not None:
        parts.append(f"ESF {format_typed_percent(m.esf_percent)}")
    if m.esf_amount is not None:
        parts.append(f"ESF {format_amount(m.esf_amount, unit)}")
    if m.medfinansiar is not None:
        parts.append(f"{m.medfinansiar} {format_amount(m.medfinansiering or 0, unit)}")
    if m.planned_participants is not None:
        parts.append(f"{m.planned_participants} planerade deltagare")
    return ", ".join(parts)


def _stored_financing(insats: Insats) -> dict[int, YearMoney]:
    """Each year's other financing as stored (beviljat, the line's amount, left at 0)."""
    return {
        row.year: YearMoney(
            beviljat=Decimal(0),
            esf_percent=row.esf_percent,
            esf_amount=row.esf_amount.amount if row.esf_amount is not None else None,
            medfinansiar=row.medfinansiar,
            medfinansiering=row.medfinansiering.amount if row.medfinansiering is not None else None,
            planned_participants=row.planned_participants,
        )
        for row in insats.ar.select_related("medfinansiar")
    }


def _financing_snapshot(insats: Insats) -> dict[str, str]:
    """Each year's ESF and co-financing as the history shows it, amounts in the plan's unit."""
    unit = insats.plan.amount_unit
    out = {}
    for year, m in _stored_financing(insats).items():
        if text := _financing_text(m, unit):
            out[str(year)] = text
    return out


def _insats_conflicts(
    insats: Insats,
    money: Mapping[int, YearMoney] | None,
    goals: Iterable[int] | None,
    gender_balance: bool | None,
) -> list[Conflict]:
    """What the sent form would save besides the insats's own fields (its money, tags and the
    gender balance indikator) that differs from what is stored now, for a conflict's
    comparison: sending the form again saves it, so the page shows it beside the colleague's."""
    unit = insats.plan.amount_unit
    conflicts = []
    granted = {
        a.year: a.amount.amount
        for a in BudgetAmount.objects.filter(line__insats=insats, column=ColumnKind.BUDGET)
    }
    financing = _stored_financing(insats)
    for year, yours in sorted((money or {}).items()):
        theirs = financing.get(year, YearMoney(Decimal(0)))
        if granted.get(year, Decimal(0)) != yours.beviljat:
            conflicts.append(
                Conflict(
                    f"Beviljat {year}",
                    format_amount(granted.get(year, Decimal(0)), unit),
                    format_amount(yours.beviljat, unit),
                )
            )
        if _financing_text(theirs, unit) != _financing_text(yours, unit):
            conflicts.append(
                Conflict(
                    f"Övrig finansiering {year}",
                    _financing_text(theirs, unit) or EMPTY,
                    _financing_text(yours, unit) or EMPTY,
                )
            )
    if goals is not None:
        have = sorted(t.goal for t in insats.agenda2030_tags.all())
        if have != sorted(set(goals)):
            conflicts.append(
                Conflict(
                    "Agenda 2030-mål",
                    ", ".join(map(str, have)) or EMPTY,
                    ", ".join(map(str, sorted(set(goals)))) or EMPTY,
                )
            )
    if gender_balance is not None:
        on = insats.mal.filter(standard=rules.KONSFORDELNING).exists()
        if on != gender_balance:
            yes_no = {True: "ja", False: "nej"}
            conflicts.append(
                Conflict("Följ upp jämn könsfördelning", yes_no[on], yes_no[gender_balance])
            )
    return conflicts


@transaction.atomic
def insats_save(
    *,
    insats: Insats,
    acting_user: ActingUser,
    data: Mapping[str, Any] | None = None,
    money: Mapping[int, YearMoney] | None = None,
    budget_line: BudgetLine | None = None,
) -> Insats:
    """Create or update an insats with its links, its budget line and its money, all or nothing.

    data holds the new values (a form's cleaned_data): the insats's fields, parter and
    målgrupper, and agenda2030 and gender_balance; what data leaves out stays as it is. A new
    insats comes with its fields set. The line is created under its kind's group, or
    budget_line (an existing line of the plan) becomes the insats's line as it stands; a change
    of kind moves the line to the new kind's group. money {year: YearMoney} sets the granted
    amounts (the line's amounts) and the other financing.
    """
    plan = insats.plan.locked_draft()
    data = dict(data or {})
    created = insats.pk is None
    if not created:
        insats = stored(insats)
    insats.plan = plan
    before = insats_snapshot(insats)
    old_kind = rules.group_kind(insats.kind, insats.individ_percent)
    old_financing = {} if created else _financing_snapshot(insats)
    goals = data.pop(AGENDA2030, None)
    gender_balance = data.pop(GENDER_BALANCE, None)
    agare = data.get("agare") or insats.agare
    if "parter" in data:
        data["parter"] = [m for m in data["parter"] if m.pk != getattr(agare, "pk", None)]
        if any(m.forbund_id != plan.forbund_id for m in data["parter"]):
            raise ValidationError({"parter": "Välj bland förbundets medlemmar."})
    if any(m.plan_id != plan.pk for m in data.get("malgrupper", ())):
        raise ValidationError({"malgrupper": "Välj bland planens målgrupper."})

    def save_rows(saved, created, _own):
        # Its links, tags, line and money are the insats's form too: when they change, a form
        # shown before is stale. The log shows the insats as a whole, before → after.
        saved.plan = plan
        if goals is not None:
            _sync_tags(plan, saved, goals)
        if gender_balance is not None:
            _sync_gender_balance(saved, gender_balance)
        kind_moved = not created and old_kind != rules.group_kind(saved.kind, saved.individ_percent)
        line = _sync_line(saved, acting_user=acting_user, kind_moved=kind_moved, link=budget_line)
        amounts = _sync_money(saved, money, line, acting_user) if money is not None else 0
        changes = diff(before, insats_snapshot(saved))
        new_financing = _financing_snapshot(saved)
        if old_financing != new_financing:
            changes["finansiering"] = [old_financing, new_financing]
        return changes, bool(changes or amounts)

    def also_rows(conflict):
        conflict.conflicts += _insats_conflicts(insats, money, goals, gender_balance)

    return save_recorded(
        instance=insats,
        data=data,
        acting_user=acting_user,
        forbund=plan.forbund,
        what=lambda saved, _: f"insatsen {saved.name}",
        plan=plan,
        rows=save_rows,
        on_conflict=also_rows,
    )


@transaction.atomic
def insats_delete(*, insats: Insats, acting_user: ActingUser) -> None:
    """Remove an insats with its budget line, mål and tags from a draft plan."""
    plan = insats.plan.locked_draft()
    line = BudgetLine.objects.filter(insats=insats).first()
    amounts = {f"{a.year} {a.column}": plain(a.amount) for a in line.amounts.all()} if line else {}
    # The budget line, its amounts, mål and tags go with it.
    delete_recorded(
        instance=insats,
        acting_user=acting_user,
        forbund=plan.forbund,
        what=f"insatsen {insats.name} med dess budgetrad och mål",
        changes={"beviljat": amounts, **insats_snapshot(insats)},
        plan=plan,
    )


# --- Målgrupper --------------------------------------------------------------------------------


@transaction.atomic
def malgrupp_save(
    *, malgrupp: Malgrupp, acting_user: ActingUser, data: Mapping[str, Any] | None = None
) -> Malgrupp:
    """Create a målgrupp of a draft plan, or save its changed fields (data)."""
    plan = malgrupp.plan.locked_draft()
    return save_recorded(
        instance=malgrupp,
        data=data,
        acting_user=acting_user,
        forbund=plan.forbund,
        what=lambda malgrupp, _: f"målgruppen {malgrupp.name}",
        plan=plan,
    )


@transaction.atomic
def malgrupp_delete(*, malgrupp: Malgrupp, acting_user: ActingUser) -> None:
    plan = malgrupp.plan.locked_draft()
    delete_recorded(
        instance=malgrupp,
        acting_user=acting_user,
        forbund=plan.forbund,
        what=f"målgruppen {malgrupp.name}",
        changes={"insatser": sorted(i.name for i in malgrupp.insatser.all())},
        plan=plan,
    )


@transaction.atomic
def plan_agenda2030_set(*, plan: Plan, acting_user: ActingUser, goals: Iterable[int]) -> None:
    """Tag the plan itself with Agenda 2030 goals."""
    plan = plan.locked_draft()
    tags = Agenda2030Tag.objects.filter(plan=plan, insats__isnull=True)
    old = sorted(tags.values_list("goal", flat=True))
    _sync_tags(plan, None, goals)
    new = sorted(tags.values_list("goal", flat=True))
    if old != new:
        audit_record(
            forbund=plan.forbund,
            actor=acting_user,
            action="plan.agenda2030",
            obj=plan,
            summary=f"Ändrade planens Agenda 2030-mål till {', '.join(map(str, new)) or 'inga'}",
            changes={"agenda2030": [old, new]},
            plan=plan,
        )


# --- Copying into a revision or the next year's plan -------------------------------------------


def insatser_copy(*, source: Plan, target: Plan, line_map: Mapping[int, BudgetLine]) -> None:
    """Copy målgrupper, mål, insatser and Agenda 2030 tags into a new plan.

    plans.services.plan_create calls it for a revision or the next year's plan, after
    budgets.services.budget_copy has copied the budget lines (line_map: old line id -> new line).
    A revision (same budget year) takes every insats. The next year's plan takes the insatser
    still running into its budget year; an ended insats is left behind with its budget line.
    """
    carrying = target.budget_year > source.budget_year
    malgrupper: dict[int, Malgrupp] = {}
    for old in source.malgrupper.all():
        new = Malgrupp.objects.create(
            plan=target, name=old.name, description=old.description, order=old.order
        )
        malgrupper[old.pk] = new
    for tag in source.agenda2030_tags.filter(insats__isnull=True):
        Agenda2030Tag.objects.create(plan=target, goal=tag.goal)
    for mal in Mal.objects.for_plan(source).plan_level().prefetch_related("indikatorer__utfall"):
        mal_copy(mal, target, None)

    insatser = Insats.objects.for_plan(source).prefetch_related(
        "parter", "malgrupper", "agenda2030_tags", "ar", "mal__indikatorer__utfall"
    )
    if carrying:
        insatser = insatser.running_into(target.budget_year)
    lines = {line.insats_id: line for line in source.budget_lines.exclude(insats=None)}
    kept: set[int] = set()
    for old in insatser:
        new = Insats.objects.get(pk=old.pk)  # a fresh instance to save as a copy
        new.pk = None
        new.plan = target
        new.carried_from = old if carrying else old.carried_from
        new.save()
        new.parter.set(old.parter.all())
        new.malgrupper.set([malgrupper[m.pk] for m in old.malgrupper.all()])
        for tag in old.agenda2030_tags.all():
            Agenda2030Tag.objects.create(plan=target, insats=new, goal=tag.goal)
        for row in old.ar.all():
            if row.year in target.years:
                row.pk = None
                row.insats = new
                row.save()
        for mal in old.mal.all():
            mal_copy(mal, target, new)
        old_line = lines.get(old.pk)
        if old_line is not None and old_line.pk in line_map:
            new_line = line_map[old_line.pk]
            new_line.insats = new
            new_line.save(update_fields=["insats"])
            kept.add(new_line.pk)
    # Lines of insatser that did not come along leave the new budget with them, unless the
    # comparison columns show them: the year before is shown as it was budgeted, line by line.
    compared = {
        cell.line_id
        for cell in BudgetAmount.objects.filter(line__plan=target, year=target.comparison_year)
        if cell.amount.amount
    }
    for old_line in lines.values():
        new_line = line_map.get(old_line.pk)
        if new_line is None or new_line.pk in kept:
            continue
        if new_line.pk in compared:
            BudgetAmount.objects.filter(line=new_line).exclude(year=target.comparison_year).delete()
        else:
            new_line.delete()
