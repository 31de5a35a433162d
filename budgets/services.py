"""Writes to a plan's budget. Each runs in a transaction, refuses plans that are not drafts
(Plan.locked_draft, the one gate), validates, and records who changed what in the audit log.

The plan itself is created and changed by plans.services, which calls budget_years_sync and
budget_copy here; this module never imports plans."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from djmoney.money import Money

from budgets import calc
from budgets.defaults import ensure_budget_groups
from budgets.models import (
    BudgetAmount,
    BudgetCategory,
    BudgetGroup,
    BudgetLine,
    BudgetYear,
    ColumnKind,
    Level,
    ShareKind,
    Side,
)
from budgets.selectors import plan_figures
from budgets.services_statement import statement_notes_copy
from finsam.audit import (
    ActingUser,
    Conflict,
    EditConflict,
    audit_record,
    delete_recorded,
    last_change,
    plain,
    save_recorded,
)
from finsam.models import AuditEvent, Forbund
from finsam.money import THOUSAND, UNIT_TKR, format_amount

if TYPE_CHECKING:
    from plans.models import Plan


def sek(amount: Decimal | int | None) -> Money | None:
    return None if amount is None else Money(amount, "SEK")


def year_columns(plan: Plan) -> list[tuple[int, str]]:
    """The (year, column) pairs a plan holds figures for: comparison columns first."""
    columns: list[tuple[int, str]] = []
    if plan.comparison_year is not None:
        columns += [(plan.comparison_year, kind) for kind in plan.comparison_kinds]
    columns += [(year, ColumnKind.BUDGET) for year in plan.years]
    return columns


def budget_years_sync(plan: Plan) -> None:
    """Give the plan a BudgetYear for each of its columns; drop those outside the plan.

    plans.services calls it when a plan is created or its years change.
    """
    wanted = set(year_columns(plan))
    existing = {(y.year, y.column): y for y in plan.year_rows.all()}
    for key, row in existing.items():
        if key not in wanted:
            row.delete()
    for year, column in wanted - set(existing):
        BudgetYear.objects.create(plan=plan, year=year, column=column)
    BudgetAmount.objects.filter(line__plan=plan).exclude(year__in=[y for y, _ in wanted]).delete()


# What a new last year takes from the source plan's last year when a plan is carried forward: the
# kansli's settings and figures for a year, and its balansbudget, which balances in the new year
# too since one of its rows is computed (_balanced_by_construction).
CARRIED_YEAR_FIELDS = [
    "level",
    "medlemsbidrag",
    "deficit_reason",
    "ceiling_percent",
    "ceiling_amount",
    "floor_amount",
    "target_note",
    "min_individ_percent",
    "rr_intakter",
    "rr_kostnader",
    "rr_avskrivningar",
    "rr_finansiella_intakter",
    "rr_finansiella_kostnader",
    "anlaggningstillgangar",
    "omsattningstillgangar",
    "avsattningar",
    "langfristiga_skulder",
    "kortfristiga_skulder",
    "balance_item",
]

# The row a carried balansbudget computes when the source's had every row entered: kassa och bank.
CARRIED_BALANCE_ITEM = "omsattningstillgangar"


def _balanced_by_construction(row: BudgetYear, balanced: bool = True) -> None:
    """A carried year's balansbudget computes one row, so that the new plan's first change of a
    cost does not make a statement entered for the old plan's eget kapital fail to balance.

    A year both plans share changes so only where the source's statement balances, so the
    computed row starts at the figure the förbund typed: a statement that did not balance keeps
    its rows as typed and its finding, never hidden by the carry."""
    if row.has_balance and not row.balance_item and balanced:
        row.balance_item = CARRIED_BALANCE_ITEM


def budget_copy(*, source: Plan, target: Plan, years: Iterable[int]) -> dict[int, BudgetLine]:
    """Copy a plan's year rows and lines, with the amounts of the given years, into a new plan.

    Carried into a later plan, nothing starts empty that the source knew:
    - each year past the source's last starts as the source's last year (its level, medlemsbidrag,
      targets, deficit motivation, balansbudget and the lines' amounts), for the kansli to change;
    - a balansbudget with every row entered that balances computes its omsättningstillgångar
      in the new plan (at the figure typed), so that it balances whatever the new plan's costs;
    - a comparison column of the year before the budget year that the source did not have
      (prognos, utfall) starts from what is recorded for that year: the source's budget, line by
      line (until the year's own prognos and utfall are recorded).

    Lines are copied without their insats: returns {old line id: new line}, so that
    insatser.services.insatser_copy can link the copied insatser to their lines.
    """
    years = set(years)
    source_rows = list(source.year_rows.all())
    carrying = target.budget_year > source.budget_year  # not a revision, which keeps all
    if carrying:
        statements = {(c.year, c.kind): c.result.balansbudget for c in plan_figures(source).columns}
    for row in source_rows:
        if row.year in years:
            row.pk = None
            row.plan = target
            if carrying:
                statement = statements.get((row.year, row.column))
                _balanced_by_construction(row, statement is not None and statement.balanced)
            row.save()
    line_map: dict[int, BudgetLine] = {}
    # The last day of each insats's line that has one: no money is carried past it.
    ends: dict[int, int] = {}
    for line in source.budget_lines.select_related("insats"):
        if line.insats is not None and line.insats.end is not None:
            ends[line.pk] = line.insats.end.year
        old_pk = line.pk
        line.pk = None
        line.plan = target
        line.insats_id = None
        line.save()
        line_map[old_pk] = line
    # (year, column) of the target ← (year, column) of the source it starts from.
    starts = {(a.year, a.column): (a.year, a.column) for a in source_rows if a.year in years}
    if target.budget_year > source.budget_year:
        last = (source.last_year, ColumnKind.BUDGET)
        for year in target.years:
            if year > source.last_year:
                starts[(year, ColumnKind.BUDGET)] = last
        if target.comparison_year in source.years:
            for column in target.comparison_kinds:
                key = (target.comparison_year, column)
                starts.setdefault(key, (target.comparison_year, ColumnKind.BUDGET))
    wanted = set(year_columns(target))
    starts = {key: start for key, start in starts.items() if key in wanted}
    by_key = {(r.year, r.column): r for r in source.year_rows.all()}
    have = {(y.year, y.column) for y in target.year_rows.all()}
    for key, start in starts.items():
        if key in have or start not in by_key:
            continue
        row = BudgetYear(plan=target, year=key[0], column=key[1])
        for name in CARRIED_YEAR_FIELDS:
            setattr(row, name, getattr(by_key[start], name))
        _balanced_by_construction(row)
        if key[1] == ColumnKind.BUDGET:
            row.carried_from = start[0]  # to be looked over and confirmed (budgets.checks)
        row.save()
    cells = BudgetAmount.objects.filter(line__plan=source, year__in={s[0] for s in starts.values()})
    by_start: dict[tuple[int, str], list] = {}
    for amount in cells:
        by_start.setdefault((amount.year, amount.column), []).append(amount)
    BudgetAmount.objects.bulk_create(
        BudgetAmount(
            line=line_map[amount.line_id],
            year=key[0],
            column=key[1],
            amount=amount.amount,
            note=amount.note if key == start else "",
        )
        for key, start in starts.items()
        for amount in by_start.get(start, ())
        if key[0] <= ends.get(amount.line_id, key[0])
    )
    have = {(y.year, y.column) for y in target.year_rows.all()}
    for year, column in set(year_columns(target)) - have:
        BudgetYear.objects.create(plan=target, year=year, column=column)
    statement_notes_copy(source=source, target=target)
    return line_map


def _spread(total: Decimal, weights: list[Decimal], step: int = 1) -> list[Decimal]:
    """total split in proportion to weights (not all zero), in whole steps (1 kr, or 1 000 kr
    for a plan shown in tkr when total is whole thousands), summing to total: the split's own
    largest-remainder method (calc), as the medlemsbidrag is split."""
    if total % step:
        step = 1
    step = int(step)
    parts = calc.largest_remainder(int(total) // step, calc.integer_weights(weights))
    return [Decimal(part * step) for part in parts]


def budget_year_lines_from_groups(
    *, source: Plan, target: Plan, line_map: Mapping[int, BudgetLine]
) -> None:
    """The new budget year, kept per group in the source, gets its lines.

    Called by plans.services once the insatser are carried (insatser.services.insatser_copy),
    so that no part of a group's total goes to the line of an insats left behind.

    The budget year is budgeted line by line. Each group's total in the source (its summary
    lines, per row of the resultatbudget) is spread over the group's lines in proportion to
    their amounts in the nearest year budgeted line by line (evenly when they had none there), in
    whole tkr for a plan shown in tkr; a group with no line of its own on that row gets one. The
    year is then marked pre-filled (carried_from = the year itself) until the kansli confirms it.
    """
    if target.budget_year <= source.budget_year:
        return  # a revision keeps its years as they are
    year = target.budget_year
    step = THOUSAND if target.amount_unit == UNIT_TKR else 1  # as the plan shows its amounts
    row = target.year_rows.filter(year=year, column=ColumnKind.BUDGET).first()
    if row is None or row.level != Level.GRUPPER:
        return
    source_rows = {r.year: r for r in source.year_rows.filter(column=ColumnKind.BUDGET)}
    line_years = [y for y, r in source_rows.items() if r.level == Level.RADER and y != year]
    nearest = min(line_years, key=lambda y: (abs(y - year), y)) if line_years else None
    groups = {g.pk: g for g in BudgetGroup.objects.for_forbund(target.forbund)}
    lines = [
        line for line in target.budget_lines.select_related("category") if not line.computed_room
    ]
    old_of = {new.pk: old for old, new in line_map.items()}
    had_insats = {line.pk for line in source.budget_lines.all() if line.insats_id is not None}
    amounts = {
        (a.line_id, a.year): a.amount.amount
        for a in BudgetAmount.objects.filter(line__plan=target, column=ColumnKind.BUDGET, year=year)
    }
    weights_then = {}
    if nearest is not None:
        by_old = {
            a.line_id: a.amount.amount
            for a in BudgetAmount.objects.filter(
                line__plan=source, column=ColumnKind.BUDGET, year=nearest
            )
        }
        weights_then = {new.pk: by_old.get(old, Decimal(0)) for old, new in line_map.items()}

    def top(line: BudgetLine) -> int:
        group = groups[line.category.group_id]
        return group.parent_id or group.pk

    totals: dict[tuple[int, str], Decimal] = {}
    for line in lines:
        if line.summary:
            key = (top(line), line.category.statement)
            totals[key] = totals.get(key, Decimal(0)) + amounts.get((line.pk, year), Decimal(0))
    # An insats's line whose insats did not come along (ended, or ending before the year) is
    # the comparison year's only, if it is kept at all.
    running = [
        line
        for line in lines
        if not line.summary and (old_of.get(line.pk) not in had_insats or line.insats_id)
    ]
    prefilled: dict[int, Decimal] = {line.pk: Decimal(0) for line in running}
    for (group_pk, statement), total in sorted(totals.items()):
        if total <= 0:
            continue
        # Only the group's lines of the same resultatbudget row: an avskrivning total spread
        # over verksamhetens kostnader would move it in the resultatbudget.
        bucket = [
            ln for ln in running if top(ln) == group_pk and ln.category.statement == statement
        ]
        if not bucket:
            summary = next(
                ln
                for ln in lines
                if ln.summary and top(ln) == group_pk and ln.category.statement == statement
            )
            made = BudgetLine.objects.create(
                plan=target,
                category=summary.category,
                name=f"{groups[group_pk].name}, att fördela",
                order=summary.order,
                decided=summary.decided,
                share_kind=summary.share_kind,
            )
            bucket = [made]
        weights = [weights_then.get(ln.pk, Decimal(0)) for ln in bucket]
        if not any(w > 0 for w in weights):
            weights = [Decimal(1)] * len(bucket)
        parts = _spread(total, weights, step)
        for line, part in zip(bucket, parts, strict=True):
            prefilled[line.pk] = prefilled.get(line.pk, Decimal(0)) + part
    # The group totals now stand on the lines; kept on the summary lines too, they would be
    # figures that count for nothing in a year budgeted line by line.
    spread = {ln.pk for ln in lines if ln.summary} | set(prefilled)
    BudgetAmount.objects.filter(line__plan=target, year=year, column=ColumnKind.BUDGET).filter(
        line_id__in=spread
    ).delete()
    BudgetAmount.objects.bulk_create(
        BudgetAmount(line_id=pk, year=year, column=ColumnKind.BUDGET, amount=amount)
        for pk, amount in prefilled.items()
        if amount
    )
    row.level = Level.RADER
    row.carried_from = year
    row.save(update_fields=["level", "carried_from"])


def _insats_group(groups: list[BudgetGroup], share_kind: str, esf: bool) -> BudgetGroup | None:
    if esf:
        esf_groups = [g for g in groups if g.esf]
        if esf_groups:
            return esf_groups[0]
        share_kind = ShareKind.INDIVID
    matching = [g for g in groups if g.share_kind == share_kind and not g.esf]
    # A förbund that keeps all insatser in one group without a share takes them there.
    matching = matching or [g for g in groups if g.is_insats and not g.share_kind]
    matching.sort(key=lambda g: (not g.is_insats, g.order, g.name))
    return matching[0] if matching else None


def insats_category(*, forbund: Forbund, share_kind: str, esf: bool) -> BudgetCategory | None:
    """The budget category an insats's line stands under: the first of its group's categories.

    Its group is the förbund's first cost group of the insats's share kind (individ or struktur);
    an ESF-projekt goes to the group marked for ESF-projekt if there is one, else with the
    individinriktade. A förbund without any groups gets the default groups first. None when the
    förbund has no group that fits.
    """

    def lookup() -> BudgetGroup | None:
        groups = list(
            BudgetGroup.objects.for_forbund(forbund)
            .filter(side=Side.KOSTNAD)
            .prefetch_related("categories")
        )
        return _insats_group(groups, share_kind, esf)

    group = lookup()
    if group is None:
        ensure_budget_groups(forbund)
        group = lookup()
    categories = sorted(group.categories.all(), key=lambda c: (c.order, c.name)) if group else []
    return categories[0] if categories else None


@transaction.atomic
def budget_line_create(
    *,
    plan: Plan,
    acting_user: ActingUser,
    category: BudgetCategory,
    name: str,
    note: str = "",
    decided: bool = True,
    share_kind: str = "",
    computed_room: bool = False,
    summary: bool = False,
    order: int | None = None,
    amounts: Mapping[tuple[int, str], Decimal] | None = None,
    insats=None,
) -> BudgetLine:
    """Add a line to a draft plan's budget, optionally with its amounts.

    The line of an insats (insats given) holds what the insats is granted; insatser.services
    creates it so, and a carried-forward plan links the copied lines to the copied insatser.
    """
    plan = plan.locked_draft()
    if category.group.forbund_id != plan.forbund_id:
        raise ValidationError({"category": "Kategorin hör till ett annat förbund."})
    if insats is not None and insats.plan_id != plan.pk:
        raise ValidationError("Insatsen hör till en annan plan.")
    if order is None:
        last = plan.budget_lines.order_by("-order").values_list("order", flat=True).first()
        order = (last or 0) + 10
    line = BudgetLine(
        plan=plan,
        category=category,
        name=name,
        note=note,
        decided=decided,
        share_kind=share_kind,
        computed_room=computed_room,
        summary=summary,
        order=order,
        insats=insats,
    )
    line.full_clean()
    line.save()
    valid = set(year_columns(plan))
    for (year, column), amount in (amounts or {}).items():
        if (year, column) not in valid:
            raise ValidationError(f"{year} ingår inte i planen.")
        cell = BudgetAmount(line=line, year=year, column=column, amount=sek(amount))
        cell.full_clean()
        cell.save()
    audit_record(
        forbund=plan.forbund,
        actor=acting_user,
        action="budgetline.create",
        obj=line,
        plan=plan,
        summary=f"Lade till budgetraden {line.name} i {plan.title}",
        changes={"amounts": {f"{y} {c}": plain(sek(a)) for (y, c), a in (amounts or {}).items()}},
    )
    return line


def _refuse_insats_line(line: BudgetLine) -> None:
    # An insats's line is the insats's money: removing it alone would leave the insats unfunded
    # and outside the checks, so it goes only with its insats.
    if line.insats_id:
        raise ValidationError(
            f"Raden hör till insatsen {line.insats.name}; ta bort insatsen under Insatser i stället."
        )


@transaction.atomic
def budget_line_update(
    *, line: BudgetLine, acting_user: ActingUser, data: Mapping[str, Any]
) -> BudgetLine:
    """Save the changed fields of a line (name, category, note, order, decided; an insats's
    line also its insats). An order of None keeps the line where it stands."""
    plan = line.plan.locked_draft()
    data = {k: v for k, v in data.items() if not (k == "order" and v is None)}
    category = data.get("category")
    if category is not None and category.group.forbund_id != plan.forbund_id:
        raise ValidationError({"category": "Kategorin hör till ett annat förbund."})
    return save_recorded(
        instance=line,
        data=data,
        acting_user=acting_user,
        forbund=plan.forbund,
        what=lambda line, _: f"budgetraden {line.name}",
        plan=plan,
    )


@transaction.atomic
def budget_amount_notes_set(
    *, line: BudgetLine, acting_user: ActingUser, notes: Mapping[tuple[int, str], str]
) -> int:
    """Set the footnotes on single amounts of a line, {(year, column): text}; an empty text
    removes one. Returns the number changed; each is in the audit record, old → new.

    The notes are part of the line as its form shows them: a change moves the line's version on,
    so a form opened before it is refused as a conflict (budget_line_update checks it)."""
    plan = line.plan.locked_draft()
    valid = set(year_columns(plan))
    cells = {(a.year, a.column): a for a in line.amounts.all()}
    changes: dict[str, list[str]] = {}
    for (year, column), text in notes.items():
        if (year, column) not in valid:
            raise ValidationError(f"{year} ingår inte i planen.")
        text = (text or "").strip()
        cell = cells.get((year, column))
        old = cell.note if cell else ""
        if old == text:
            continue
        if cell is None:
            cell = BudgetAmount(line=line, year=year, column=column)
        cell.note = text
        cell.full_clean()
        cell.save()
        changes[f"Fotnot till {_cell_label({line.pk: line}, (line.pk, year, column))}"] = [
            old,
            text,
        ]
    if changes:
        BudgetLine.objects.filter(pk=line.pk).update(lock_version=F("lock_version") + 1)
        audit_record(
            forbund=plan.forbund,
            actor=acting_user,
            action="budget.notes",
            obj=line,
            plan=plan,
            summary=f"Ändrade fotnoter till belopp på raden {line.name}",
            changes=changes,
        )
    return len(changes)


@transaction.atomic
def budget_line_delete(*, line: BudgetLine, acting_user: ActingUser) -> None:
    plan = line.plan.locked_draft()
    _refuse_insats_line(line)
    amounts = {f"{a.year} {a.column}": plain(a.amount) for a in line.amounts.all()}
    delete_recorded(
        instance=line,
        acting_user=acting_user,
        forbund=plan.forbund,
        what=f"budgetraden {line.name}",
        changes={"amounts": amounts},
        plan=plan,
    )


def _cell_label(lines, key) -> str:
    """How the log and a conflict name a cell: "Kansli 2027", "Medlemsbidrag 2026 prognos"."""
    if len(key) == 3:
        line_id, year, column = key
        name = lines[line_id].name if line_id in lines else "Rad"
    else:
        (year, column), name = key, "Medlemsbidrag"
    return f"{name} {year}" + (f" {column}" if column != ColumnKind.BUDGET else "")


def _refuse_stale_cells(plan, lines, cells, years, amounts, medlemsbidrag, shown) -> None:
    """EditConflict, before anything is saved, when a cell the sender changed holds another
    figure than their page showed: a colleague saved it in between."""
    conflicts = []
    for key, value in amounts.items():
        cell = cells.get(key)
        stored = cell.amount.amount if cell else Decimal(0)
        if key in shown and stored != shown[key] and stored != value:
            conflicts.append((key, stored, value))
    for key, value in medlemsbidrag.items():
        row = years.get(key)
        stored = row.medlemsbidrag.amount if row else Decimal(0)
        if key in shown and stored != shown[key] and stored != value:
            conflicts.append((key, stored, value))
    if not conflicts:
        return
    unit = plan.forbund.amount_unit
    by, at = last_change(
        AuditEvent.objects.filter(scope=f"plan:{plan.pk}", action="budget.amounts")
    )
    raise EditConflict(
        conflicts=[
            Conflict(
                _cell_label(lines, key), format_amount(stored, unit), format_amount(value, unit)
            )
            for key, stored, value in conflicts
        ],
        by=by,
        at=at,
        version=None,
    )


MANY_LINES = 500


@transaction.atomic
def budget_figures_set(
    *,
    plan: Plan,
    acting_user: ActingUser,
    amounts: Mapping[tuple[int, int, str], Decimal] | None = None,
    medlemsbidrag: Mapping[tuple[int, str], Decimal] | None = None,
    shown: Mapping[tuple, Decimal] | None = None,
    by_insats: bool = False,
) -> int:
    """Set line amounts {(line id, year, column): kr} and medlemsbidrag {(year, column): kr}.

    All or nothing: one bad cell and nothing is saved. Returns the number of changed cells;
    each change is in the audit record with its old and new value. shown holds, per cell key,
    the figure the sender's page showed: if a colleague has saved another figure there since,
    nothing is saved and EditConflict shows theirs beside the sender's.

    An amount on an insats's line is the insats's money, which its form shows: a change moves
    the insats's version on, so a form opened before it is refused as a conflict instead of
    writing the old amount back. by_insats: the insats's own save sets it (and moves it).
    """
    plan = plan.locked_draft()
    amounts = amounts or {}
    medlemsbidrag = medlemsbidrag or {}
    valid = set(year_columns(plan))
    # The lines and cells the save touches (all of them for a save of many, in one query).
    line_ids = {key[0] for key in amounts}
    lines_of_plan = plan.budget_lines.all()
    stored_cells = BudgetAmount.objects.filter(line__plan=plan)
    if len(line_ids) <= MANY_LINES:
        lines_of_plan = lines_of_plan.filter(pk__in=line_ids)
        stored_cells = stored_cells.filter(line_id__in=line_ids)
    lines = {line.pk: line for line in lines_of_plan} if line_ids else {}
    cells = {(c.line_id, c.year, c.column): c for c in stored_cells} if line_ids else {}
    years = {(y.year, y.column): y for y in plan.year_rows.all()}
    _refuse_stale_cells(plan, lines, cells, years, amounts, medlemsbidrag, shown or {})
    changes: dict[str, list[str]] = {}
    moved_insatser: set[int] = set()
    for (line_id, year, column), value in amounts.items():
        if line_id not in lines:
            raise ValidationError("Budgetraden finns inte i planen.")
        if (year, column) not in valid:
            raise ValidationError(f"{year} ingår inte i planen.")
        cell = cells.get((line_id, year, column))
        old = cell.amount.amount if cell else Decimal(0)
        if old == value:
            continue
        if cell is None:
            cell = BudgetAmount(line=lines[line_id], year=year, column=column)
        cell.amount = sek(value)
        cell.clean_read_cell()
        cell.save()
        changes[_cell_label(lines, (line_id, year, column))] = [plain(sek(old)), plain(sek(value))]
        if lines[line_id].insats_id and not by_insats:
            moved_insatser.add(lines[line_id].insats_id)
    if moved_insatser:
        insats_model = BudgetLine._meta.get_field("insats").related_model
        insats_model._default_manager.filter(pk__in=moved_insatser).update(
            lock_version=F("lock_version") + 1
        )
    for (year, column), value in medlemsbidrag.items():
        row = years.get((year, column))
        if row is None:
            raise ValidationError(f"{year} ingår inte i planen.")
        old = row.medlemsbidrag.amount
        if old == value:
            continue
        row.plan = plan  # its förbund's rounding unit is checked in BudgetYear.clean
        row.medlemsbidrag = sek(value)
        row.full_clean()
        row.save()
        changes[_cell_label(lines, (year, column))] = [plain(sek(old)), plain(sek(value))]
    if changes:
        audit_record(
            forbund=plan.forbund,
            actor=acting_user,
            action="budget.amounts",
            obj=plan,
            plan=plan,
            summary=f"Ändrade {len(changes)} belopp i budgeten för {plan.title}",
            changes=changes,
        )
    return len(changes)


@transaction.atomic
def budget_years_update(
    *, plan: Plan, acting_user: ActingUser, rows: Mapping[int, Mapping[str, Any]]
) -> None:
    """Save the changed targets and balance inputs of a plan's years: {year row id: new values}."""
    plan = plan.locked_draft()
    stored_rows = {row.pk: row for row in plan.year_rows.all()}
    for pk, data in rows.items():
        row = stored_rows.get(pk)
        if row is None:
            raise ValidationError("Året hör till en annan plan.")
        row.plan = plan
        # One event per year, about the year's row: the log shows its fields by name.
        column = f" ({row.column})" if row.column != ColumnKind.BUDGET else ""

        def then(saved, _created, changes):
            if "level" in changes and saved.level == Level.GRUPPER:
                summary_lines_ensure(plan=plan, acting_user=acting_user)
            return changes, False

        save_recorded(
            instance=row,
            data=data,
            acting_user=acting_user,
            forbund=plan.forbund,
            what=lambda saved, _, column=column: (
                f"mål och balansuppgifter för {saved.year}{column} i {plan.title}"
            ),
            plan=plan,
            rows=then,
        )


def summary_lines_ensure(*, plan: Plan, acting_user: ActingUser) -> list[BudgetLine]:
    """The first time a year of the plan is budgeted per group: give each group that stands on
    its own (not in another's total) and has lines a summary line to type its amount on, in its
    first category, after its lines. Once the plan has summary lines the kansli keeps them as
    they choose; returns the lines made."""
    lines = list(plan.budget_lines.select_related("category__group"))
    if any(ln.summary for ln in lines):
        return []
    groups = BudgetGroup.objects.for_forbund(plan.forbund).prefetch_related("categories")
    groups = {g.pk: g for g in groups}
    top_of = {pk: g.parent_id or pk for pk, g in groups.items()}
    last: dict[int, int] = {}
    for line in lines:
        top = top_of[line.category.group_id]
        last[top] = max(last.get(top, 0), line.order)
    made = []
    for pk, order in sorted(last.items(), key=lambda item: (groups[item[0]].order, item[0])):
        group = groups[pk]
        categories = sorted(group.categories.all(), key=lambda c: (c.order, c.name))
        if not categories:
            continue  # a total over groups with no category of its own: nothing to stand in
        made.append(
            budget_line_create(
                plan=plan,
                acting_user=acting_user,
                category=categories[0],
                name=f"{group.name}, per grupp",
                summary=True,
                order=order + 1,
            )
        )
    return made


@transaction.atomic
def budget_groups_default(*, forbund: Forbund, acting_user: ActingUser) -> int:
    """Give a förbund without budget groups the default ones; returns how many were made."""
    before = BudgetGroup.objects.for_forbund(forbund).count()
    ensure_budget_groups(forbund)
    created = BudgetGroup.objects.for_forbund(forbund).count() - before
    if created:
        audit_record(
            forbund=forbund,
            actor=acting_user,
            action="budgetgroup.defaults",
            obj=forbund,
            summary=f"Lade till standardgrupperna för budgeten ({created} grupper)",
            changes={"grupper": [None, [g.name for g in BudgetGroup.objects.for_forbund(forbund)]]},
        )
    return created


@transaction.atomic
def budget_structure_save(
    *,
    obj: BudgetGroup | BudgetCategory,
    acting_user: ActingUser,
    data: Mapping[str, Any] | None = None,
) -> BudgetGroup | BudgetCategory:
    """Create one of a förbund's budget groups or categories, or save its changed fields."""
    return save_recorded(
        instance=obj,
        data=data,
        acting_user=acting_user,
        forbund=obj.forbund if isinstance(obj, BudgetGroup) else obj.group.forbund,
        what=lambda obj, _: f"{obj._meta.verbose_name} {obj}",
    )


@transaction.atomic
def budget_category_delete(*, category: BudgetCategory, acting_user: ActingUser) -> None:
    """Remove a category no budget line uses (ProtectedError otherwise, nothing removed)."""
    delete_recorded(
        instance=category,
        acting_user=acting_user,
        forbund=category.group.forbund,
        what=f"{category._meta.verbose_name} {category}",
    )
