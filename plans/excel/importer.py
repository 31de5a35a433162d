"""Import of a budget workbook into a draft plan: first a preview of every change (lines added,
changed, removed, old and new amounts) and every problem, then, when the user confirms, all of
it in one transaction or nothing. Never into a submitted or adopted plan; the import is one
event in the audit log, listing its changes.

A line in the file is matched to the plan's by group, category and name. A line of the plan
that the file lacks is removed (an insats's line only with its insats: that is a problem). A
cell of a line left empty in a column where the line counts means 0, as in the editor.
"""

from __future__ import annotations

import copy
import hashlib
import statistics
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from moneyed import Money

from budgets.models import (
    STATEMENT_INPUTS,
    BudgetAmount,
    BudgetCategory,
    BudgetLine,
    BudgetYear,
    Level,
    StatementKind,
    StatementNote,
    rounding_problem,
    statement_input_label,
)
from budgets.selectors import PlanFigures, plan_figures
from budgets.services_statement import statement_note_delete, statement_note_save
from finsam.audit import ActingUser, audit_record, plain
from finsam.money import UNIT_TKR, format_kr
from plans.excel.export import (
    BALANCE_ITEM_LABELS,
    BUDGET_SHEET,
    MEDLEMSBIDRAG_LABEL,
    NOTE_PREFIX,
    PERCENT_FIELDS,
    PLAN_FIELDS,
    ROOM_HEADER,
    SHARE_KIND_HEADER,
    STATEMENT_GROUP,
    YEAR_SHEET,
    share_kind_text,
    year_field_label,
)
from plans.excel.reader import OwnRow, ParsedBudget, ParsedLine, Problem
from plans.models import Plan

ZERO = Decimal(0)
# An import whose amounts stand at about 1/1000 (or 1000 times) of the plan's own figures was
# typed in the other unit: the median ratio of the file's non-zero amounts to the plan's current
# non-zero amounts of the same lines and columns (and of the medlemsbidrag) between these bounds.
SCALE_LOW = (Decimal(1) / 2000, Decimal(1) / 500)
SCALE_HIGH = (Decimal(500), Decimal(2000))
# A plan without figures yet: the file's lines against its own medlemsbidrag. All of a column's
# lines (at least three) together below 1/500 of its medlemsbidrag, or above 500 times it, in
# the median column: no budget is that, 1/1000 of one is.
SCALE_OWN = Decimal(500)
YEAR_FIELD_NAMES = {f.name for f in BudgetYear._meta.fields}


class ImportRefused(ValueError):
    """The file has problems, or the plan changed since the preview; nothing was written."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.problems = problems or []


@dataclass
class LineChange:
    """A line added, changed or removed, with its amounts and fields old → new."""

    group: str
    category: str
    name: str
    amounts: list[tuple[str, Decimal | None, Decimal | None]] = field(default_factory=list)
    fields: list[tuple[str, str, str]] = field(default_factory=list)
    notes: list[tuple[str, str, str]] = field(default_factory=list)  # column label, old, new
    line: BudgetLine | None = None
    parsed: ParsedLine | None = None
    budget_category: BudgetCategory | None = None  # where a new line goes


@dataclass
class OwnRowChange:
    """A row of the förbund's own in a statement added, changed (its text) or removed."""

    statement: str  # "Resultatbudget", "Balansbudget"
    label: str
    old: str  # "" for an added row
    new: str  # "" for a removed row
    note: StatementNote | None = None
    parsed: OwnRow | None = None


@dataclass
class ImportPreview:
    """What an import would change, and the problems that keep it from being made."""

    plan: Plan
    problems: list[Problem] = field(default_factory=list)
    added: list[LineChange] = field(default_factory=list)
    changed: list[LineChange] = field(default_factory=list)
    removed: list[LineChange] = field(default_factory=list)
    year_changes: list[tuple[BudgetYear, str, str, Decimal, Decimal]] = field(default_factory=list)
    # The other inputs of a year (År) and of the plan: (object, field, label, old text, new
    # text, new value).
    settings: list[tuple[object, str, str, str, str, object]] = field(default_factory=list)
    fingerprint: str = ""
    columns: dict[str, tuple[int, str]] = field(default_factory=dict)  # label -> (year, kind)
    own_rows: list[OwnRowChange] = field(default_factory=list)
    # A file without the Egna rader sheet (older than it) leaves the plan's own rows; the
    # preview says so when the plan has any.
    own_rows_kept: int = 0

    @property
    def has_changes(self) -> bool:
        return bool(
            self.added
            or self.changed
            or self.removed
            or self.year_changes
            or self.settings
            or self.own_rows
        )

    @property
    def amount_count(self) -> int:
        return sum(len(c.amounts) for c in self.added + self.changed) + len(self.year_changes)


def _fingerprint(figures: PlanFigures, years: list[BudgetYear]) -> str:
    """What the plan's budget is now; a confirm against another state is refused."""
    digest = hashlib.sha256()
    digest.update(f"p{figures.plan.lock_version};".encode())
    for key in sorted(figures.cell_notes):
        digest.update(f"{key}={figures.cell_notes[key]};".encode())
    for line in sorted(figures.lines, key=lambda ln: ln.pk):
        digest.update(f"{line.pk}:{line.lock_version};".encode())
    for key in sorted(figures.typed):
        digest.update(f"{key}={figures.typed[key]};".encode())
    for row in sorted(years, key=lambda r: r.pk):
        digest.update(f"y{row.pk}:{row.lock_version};".encode())
    for note in figures.plan.statement_notes.all():
        digest.update(f"n{note.pk}:{note.lock_version};".encode())
    return digest.hexdigest()


def _statement_fields() -> dict[str, str]:
    return {statement_input_label(name): name for name, _, _ in STATEMENT_INPUTS}


def prepare_import(plan: Plan, parsed: ParsedBudget) -> ImportPreview:
    """The preview of importing the parsed workbook into the plan (nothing is written)."""
    figures = plan_figures(plan)
    years = list(plan.year_rows.all())
    preview = ImportPreview(plan=plan, problems=list(parsed.problems))
    preview.fingerprint = _fingerprint(figures, years)
    if parsed.unreadable:
        return preview
    problem = preview.problems.append
    columns = {c.label: c for c in figures.columns}
    preview.columns = {c.label: (c.year, c.kind) for c in figures.columns}
    for label in parsed.columns:
        if label not in columns:
            problem(
                Problem(
                    BUDGET_SHEET,
                    None,
                    None,
                    f"Kolumnen ”{label}” ingår inte i planen; planens kolumner är "
                    f"{', '.join(columns)}.",
                )
            )
    shared = [label for label in parsed.columns if label in columns]
    categories = {(g.name, c.name): c for g in figures.groups for c in g.categories.all()}
    groups = {g.name for g in figures.groups}
    existing: dict[tuple[str, str, str], list[BudgetLine]] = {}
    for line in figures.lines:
        key = (line.category.group.name, line.category.name, line.name)
        existing.setdefault(key, []).append(line)
    seen: dict[tuple[str, str, str], int] = {}
    matched: set[int] = set()
    for pl in parsed.lines:
        key = (pl.group, pl.category, pl.name)
        if pl.group not in groups:
            problem(Problem(BUDGET_SHEET, pl.row, "A", f"Okänd grupp ”{pl.group[:60]}”."))
            continue
        category = categories.get((pl.group, pl.category))
        if category is None:
            problem(
                Problem(
                    BUDGET_SHEET,
                    pl.row,
                    "B",
                    f"Gruppen {pl.group} har ingen kategori ”{pl.category[:60]}”.",
                )
            )
            continue
        if key in seen:
            problem(
                Problem(
                    BUDGET_SHEET,
                    pl.row,
                    "C",
                    f"Raden ”{pl.name}” finns redan på rad {seen[key]} i samma kategori.",
                )
            )
            continue
        seen[key] = pl.row
        candidates = [ln for ln in existing.get(key, []) if ln.pk not in matched]
        line = candidates[0] if candidates else None
        if line is not None:
            matched.add(line.pk)
            _keep_absent_inputs(parsed, pl, line, figures, columns)
        change = LineChange(
            pl.group, pl.category, pl.name, line=line, parsed=pl, budget_category=category
        )
        _compare(preview, change, pl, line, category, figures, shared, columns, parsed.years)
    for line in figures.lines:
        if line.pk in matched:
            continue
        if line.insats_id:
            problem(
                Problem(
                    BUDGET_SHEET,
                    None,
                    None,
                    f"Raden ”{line.name}” hör till insatsen {line.insats.name} och saknas i "
                    "filen; ta bort insatsen under Insatser om den ska bort.",
                )
            )
            continue
        change = LineChange(line.category.group.name, line.category.name, line.name, line=line)
        for label in shared:
            column = columns[label]
            old = figures.typed.get((line.pk, column.year, column.kind))
            if old and column.shows(line) and not line.computed_room:
                change.amounts.append((label, old, None))
        preview.removed.append(change)
    rooms = [pl for pl in parsed.lines if pl.computed_room]
    for pl in rooms[1:]:
        problem(
            Problem(
                BUDGET_SHEET,
                pl.row,
                None,
                f"Bara en rad kan vara utrymmet för ny verksamhet (”{ROOM_HEADER}”); rad "
                f"{rooms[0].row} är det redan.",
            )
        )
    _year_changes(preview, parsed, figures, shared, columns)
    _settings(preview, parsed, columns)
    _own_rows(preview, parsed)
    scale = _scale_problem(parsed, figures, shared, columns, existing)
    if scale:
        preview.problems.insert(0, Problem(BUDGET_SHEET, None, None, scale))
    return preview


def _level(years: dict, label: str, column) -> str:
    """How the column is budgeted once the file is read: its År sheet's level, else as now."""
    return years.get(label, {}).get("level") or column.level


def _ratio_in(ratio: Decimal, bounds: tuple[Decimal, Decimal]) -> bool:
    return bounds[0] <= ratio <= bounds[1]


def _scale_problem(parsed, figures, shared, columns, existing) -> str | None:
    """Whether the file's amounts are in another unit than it says (see SCALE_LOW)."""
    ratios = []
    for pl in parsed.lines:
        lines = existing.get((pl.group, pl.category, pl.name))
        if not lines:
            continue
        for label in shared:
            column = columns[label]
            old = figures.typed.get((lines[0].pk, column.year, column.kind))
            new = pl.amounts.get(label)
            if old and new:
                ratios.append(new / old)
    for label, new in parsed.medlemsbidrag.items():
        column = columns.get(label)
        old = column.entered.medlemsbidrag.amount if column else None
        if old and new:
            ratios.append(new / old)
    unit, other = parsed.unit, ("kr" if parsed.unit == UNIT_TKR else "tkr")
    if ratios:
        median = statistics.median(ratios)
        wrong = _ratio_in(median, SCALE_LOW) or _ratio_in(median, SCALE_HIGH)
    else:
        for label, medlemsbidrag in parsed.medlemsbidrag.items():
            amounts = [pl.amounts[label] for pl in parsed.lines if pl.amounts.get(label)]
            if medlemsbidrag and len(amounts) >= 3:
                ratios.append(sum(amounts) / medlemsbidrag)
        if not ratios:
            return None
        median = statistics.median(ratios)
        wrong = median < 1 / SCALE_OWN or median > SCALE_OWN
    if wrong:
        size = "1/1 000" if median < 1 else "1 000 gånger"
        return (
            f"Beloppen ser ut att vara i {other} men mallen är i {unit}: de är omkring {size} "
            "av planens belopp (eller av medlemsbidraget). Skriv beloppen i "
            f"{unit}, som cell B3 på bladet Budget säger; inget lästes in."
        )
    return None


def _shown(name: str, value) -> str:
    if value is None or value == "":
        return ""
    if name == "level":
        return str(Level(value).label)
    if name == "balance_item":
        return BALANCE_ITEM_LABELS.get(value, value)
    if name in PERCENT_FIELDS:
        return f"{Decimal(value).normalize()} %"
    if isinstance(value, Money):
        value = value.amount
    if isinstance(value, Decimal):
        return format_kr(value).replace("\xa0", " ")
    return str(value)


def _typed(instance, name: str, text: str | None):
    """The value a field takes from the file's text (Money for an amount)."""
    if text is None:
        return None
    model_field = instance._meta.get_field(name)
    if name in PERCENT_FIELDS:
        return Decimal(text)
    if model_field.get_internal_type() in ("CharField", "TextField"):
        return text
    return Money(Decimal(text), "SEK")


def _settings(preview, parsed, columns) -> None:
    """The År sheet's inputs of each year column and the plan's own, old → new, each checked
    as the forms check them (full_clean on a copy)."""
    targets: list[tuple[object, str, dict, str]] = []
    for label, values in parsed.years.items():
        column = columns.get(label)
        if column is not None and values:
            targets.append((column.entered, label, values, YEAR_SHEET))
    if parsed.plan_inputs:
        targets.append((preview.plan, "", parsed.plan_inputs, YEAR_SHEET))
    for instance, label, values, sheet in targets:
        probe = copy.copy(instance)
        changed = []
        for name, text in values.items():
            new = _typed(instance, name, text)
            old = getattr(instance, name)
            if new != old:
                setattr(probe, name, new)
                changed.append((name, old, new))
        if not changed:
            continue
        names = [name for name, _, _ in changed]
        try:
            probe.clean_fields(
                exclude=[f.name for f in instance._meta.fields if f.name not in names]
            )
            if label:
                probe.clean()
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                if name in PLAN_FIELDS and not label:
                    where = f"Planen, {PLAN_FIELDS[name]}"
                elif name in YEAR_FIELD_NAMES:
                    where = f"{label}, {year_field_label(name)}"
                else:
                    where = label or "Planen"
                for message in messages:
                    preview.problems.append(Problem(sheet, None, None, f"{where}: {message}"))
            continue
        for name, old, new in changed:
            title = year_field_label(name) if label else PLAN_FIELDS[name]
            where = f"{title}, {label}" if label else title
            preview.settings.append(
                (instance, name, where, _shown(name, old), _shown(name, new), new)
            )


def _own_rows(preview, parsed) -> None:
    """The Egna rader sheet against the plan's own rows, matched by statement and post."""
    notes = list(preview.plan.statement_notes.all())
    if parsed.own_rows is None:
        preview.own_rows_kept = len(notes)
        return
    existing = {(n.statement, n.label): n for n in notes}
    for row in parsed.own_rows:
        note = existing.pop((row.statement, row.label), None)
        statement = str(StatementKind(row.statement).label)
        if note is None:
            preview.own_rows.append(OwnRowChange(statement, row.label, "", row.text, parsed=row))
        elif note.text != row.text:
            preview.own_rows.append(
                OwnRowChange(statement, row.label, note.text, row.text, note=note, parsed=row)
            )
    for note in existing.values():
        preview.own_rows.append(
            OwnRowChange(note.get_statement_display(), note.label, note.text, "", note=note)
        )


def _keep_absent_inputs(parsed, pl, line, figures, columns) -> None:
    """A file without a line input's column (a template from before the column, a förbund's own
    sheet) leaves that input of the line as it is, as a form post without a field does."""
    present = parsed.line_inputs
    if present is None:
        return
    if SHARE_KIND_HEADER not in present:
        pl.share_kind = line.share_kind
    if ROOM_HEADER not in present:
        pl.computed_room = line.computed_room
    for label in parsed.columns:
        if NOTE_PREFIX + label not in present:
            column = columns.get(label)
            if column is not None:
                old = figures.cell_notes.get((line.pk, column.year, column.kind), "")
                if old:
                    pl.notes[label] = old


def _compare(preview, change, pl, line, category, figures, shared, columns, parsed_years) -> None:
    problem = preview.problems.append
    if line is None:
        if pl.insats:
            problem(
                Problem(
                    BUDGET_SHEET,
                    pl.row,
                    "D",
                    f"Insatsen ”{pl.insats[:60]}” kan inte knytas till en ny rad här; lägg till "
                    "insatsen under Insatser.",
                )
            )
        probe = BudgetLine(category=category, summary=pl.summary, computed_room=pl.computed_room)
    else:
        probe = line
        insats_name = line.insats.name if line.insats_id else ""
        if pl.insats and pl.insats != insats_name:
            problem(
                Problem(
                    BUDGET_SHEET,
                    pl.row,
                    "D",
                    f"Raden hör till {('insatsen ' + insats_name) if insats_name else 'ingen insats'}"
                    f", inte till ”{pl.insats[:60]}”.",
                )
            )
        for label, old, new in (
            ("Fotnot", line.note, pl.note),
            ("Sammanfattande", "ja" if line.summary else "nej", "ja" if pl.summary else "nej"),
            ("Beslutad", "ja" if line.decided else "nej", "ja" if pl.decided else "nej"),
            (SHARE_KIND_HEADER, share_kind_text(line.share_kind), share_kind_text(pl.share_kind)),
            (
                ROOM_HEADER,
                "ja" if line.computed_room else "nej",
                "ja" if pl.computed_room else "nej",
            ),
        ):
            if (line.computed_room or pl.computed_room) and label == "Beslutad":
                continue
            if old != new:
                change.fields.append((label, old, new))
        probe = copy.copy(line)
        probe.summary, probe.computed_room = pl.summary, pl.computed_room
    probe.share_kind = pl.share_kind
    try:
        probe.clean()
    except ValidationError as error:
        for messages in error.message_dict.values():
            problem(Problem(BUDGET_SHEET, pl.row, None, " ".join(messages)))
        return
    for label in shared:
        column = columns[label]
        old = figures.cell_notes.get((line.pk, column.year, column.kind), "") if line else ""
        new = pl.notes.get(label, "")
        if old != new:
            change.notes.append((label, old, new))
            change.fields.append((NOTE_PREFIX + label, old, new))
    if probe.computed_room:
        # Computed in every column, whatever the file says (an export: its formula).
        if line is None:
            preview.added.append(change)
        elif change.fields:
            preview.changed.append(change)
        return
    preview.problems.extend(pl.cell_problems)
    for label in shared:
        column = columns[label]
        new = pl.amounts.get(label)
        level = _level(parsed_years, label, column)
        if not probe.counts_in(level):
            if new:
                problem(
                    Problem(
                        BUDGET_SHEET,
                        pl.row,
                        None,
                        f"Raden räknas inte i {label} ({Level(level).label.lower()}); "
                        "lämna cellen tom.",
                    )
                )
            continue
        new = new if new is not None else ZERO
        old = figures.typed.get((line.pk, column.year, column.kind), ZERO) if line else None
        if line is None and new == ZERO:
            continue
        if old != new:
            change.amounts.append((label, old, new))
    if line is None:
        preview.added.append(change)
    elif change.amounts or change.fields:
        preview.changed.append(change)


def _year_changes(preview, parsed, figures, shared, columns) -> None:
    unit = preview.plan.forbund.rounding_unit
    for label, value in parsed.medlemsbidrag.items():
        column = columns.get(label)
        if column is None:
            continue
        problem = rounding_problem(value, unit)
        if problem:
            preview.problems.append(Problem(BUDGET_SHEET, None, None, f"{label}: {problem}"))
            continue
        old = column.entered.medlemsbidrag.amount
        if value != old:
            preview.year_changes.append(
                (column.entered, "medlemsbidrag", MEDLEMSBIDRAG_LABEL, old, value)
            )
    names = _statement_fields()
    for row_label, values in parsed.statement_rows.items():
        name = names.get(row_label)
        if name is None:
            preview.problems.append(
                Problem(
                    BUDGET_SHEET,
                    None,
                    "C",
                    f"Okänd rad ”{row_label[:60]}” under {STATEMENT_GROUP}.",
                )
            )
            continue
        for label in shared:
            column = columns[label]
            value = values.get(label)
            if _level(parsed.years, label, column) != Level.RESULTAT:
                if value:
                    preview.problems.append(
                        Problem(
                            BUDGET_SHEET,
                            None,
                            None,
                            f"{row_label}: {label} budgeteras inte som resultatbudget; lämna "
                            "cellen tom.",
                        )
                    )
                continue
            value = value if value is not None else ZERO
            old = getattr(column.entered, name).amount
            if value != old:
                preview.year_changes.append((column.entered, name, row_label, old, value))


@transaction.atomic
def apply_import(
    *,
    plan: Plan,
    parsed: ParsedBudget,
    acting_user: ActingUser,
    filename: str,
    fingerprint: str | None = None,
) -> ImportPreview:
    """Make the import: everything the preview shows, or nothing (ImportRefused)."""
    plan = plan.locked_draft()
    preview = prepare_import(plan, parsed)
    if preview.problems:
        raise ImportRefused("Filen har fel; inget lästes in.", preview.problems)
    if fingerprint is not None and fingerprint != preview.fingerprint:
        raise ImportRefused(
            "Planens budget har ändrats sedan förhandsgranskningen. Granska ändringarna igen "
            "innan du läser in."
        )
    columns = preview.columns
    changes: dict[str, object] = {}
    cells: dict[tuple[int, int, str], Decimal] = {}

    def kr(value: Decimal | None):
        return None if value is None else plain(Money(value, "SEK"))

    # New lines, in the file's order after the plan's last line. Every check but uniqueness is
    # made line by line (full_clean); an imported line is never the one computed room line.
    last = max((ln.order for ln in plan.budget_lines.all()), default=0)
    new_lines = []
    for index, change in enumerate(preview.added, start=1):
        pl = change.parsed
        line = BudgetLine(
            plan=plan,
            category=change.budget_category,
            name=pl.name,
            note=pl.note,
            decided=pl.decided and not pl.computed_room,
            summary=pl.summary,
            share_kind=pl.share_kind,
            computed_room=pl.computed_room,
            order=last + index * 10,
        )
        line.full_clean(validate_unique=False, validate_constraints=False)
        new_lines.append(line)
    # The room line leaves its place before a new line takes it, so that no moment has two (one
    # per plan, a constraint): a removed line goes first, a changed one gives it up.
    BudgetLine.objects.filter(pk__in=[c.line.pk for c in preview.removed]).delete()
    leaving = [
        c.line.pk for c in preview.changed if c.line.computed_room and not c.parsed.computed_room
    ]
    BudgetLine.objects.filter(pk__in=leaving).update(computed_room=False)
    BudgetLine.objects.bulk_create(new_lines)
    notes: dict[tuple[int, int, str], str] = {}
    for change, line in zip(preview.added, new_lines, strict=True):
        for label, _, new in change.amounts:
            cells[(line.pk, *columns[label])] = new
            changes[f"{line.name}, {label}"] = [None, kr(new)]
        for label, _, new in change.notes:
            notes[(line.pk, *columns[label])] = new
            changes[f"{line.name}: {NOTE_PREFIX.lower()}{label}"] = [None, new]
    # The room line leaves its place first, so that no moment has two of them.
    rooms_first = sorted(preview.changed, key=lambda c: c.parsed.computed_room)
    for change in rooms_first:
        line, pl = change.line, change.parsed
        if change.fields:
            line.note, line.summary, line.decided = pl.note, pl.summary, pl.decided
            line.share_kind, line.computed_room = pl.share_kind, pl.computed_room
            line.full_clean(validate_constraints=False)
            line.save(update_fields=["note", "summary", "decided", "share_kind", "computed_room"])
            for label, old, new in change.fields:
                changes[f"{line.name}: {label.lower()}"] = [old, new]
        for label, _, new in change.notes:
            notes[(line.pk, *columns[label])] = new
        for label, old, new in change.amounts:
            cells[(line.pk, *columns[label])] = new
            changes[f"{line.name}, {label}"] = [kr(old), kr(new)]
    # A line changed here moves its version on, so a form opened before the import is refused
    # as a conflict instead of overwriting it.
    BudgetLine.objects.filter(pk__in=[c.line.pk for c in preview.changed]).update(
        lock_version=F("lock_version") + 1
    )
    stored = {
        (a.line_id, a.year, a.column): a
        for a in BudgetAmount.objects.filter(line_id__in={key[0] for key in cells | notes})
    }
    updated, created = [], []
    for key in cells | notes:
        line_id, year, kind = key
        amount = stored.get(key)
        if amount is None:
            amount = BudgetAmount(line_id=line_id, year=year, column=kind)
            created.append(amount)
        else:
            updated.append(amount)
        if key in cells:
            amount.amount = Money(cells[key], "SEK")
        if key in notes:
            amount.note = notes[key]
    BudgetAmount.objects.bulk_create(created, batch_size=2000)
    BudgetAmount.objects.bulk_update(updated, ["amount", "note"], batch_size=2000)
    for change in preview.removed:
        changes[f"{change.name} (borttagen rad)"] = [
            ", ".join(f"{label}: {old}" for label, old, _ in change.amounts) or "rad",
            None,
        ]
    BudgetLine.objects.filter(pk__in=[c.line.pk for c in preview.removed]).delete()
    for row, name, label, old, new in preview.year_changes:
        setattr(row, name, Money(new, "SEK"))
        row.lock_version += 1
        row.save()
        changes[f"{label}, {row.year}"] = [kr(old), kr(new)]
    saved = {}
    for instance, name, label, old, new, value in preview.settings:
        # The year rows above are the same objects as the preview's: one save each.
        setattr(instance, name, value)
        saved[id(instance)] = instance
        changes[label] = [old or None, new or None]
    for instance in saved.values():
        instance.lock_version += 1
        instance.save()
    # Through the service, so each own row's change is recorded as when typed on its page.
    for own in preview.own_rows:
        if own.note is None:
            statement_note_save(
                note=StatementNote(
                    plan=plan, statement=own.parsed.statement, label=own.label, text=own.new
                ),
                acting_user=acting_user,
            )
        elif own.parsed is None:
            statement_note_delete(note=own.note, acting_user=acting_user)
        else:
            statement_note_save(note=own.note, acting_user=acting_user, data={"text": own.new})
        changes[f"{own.label} ({own.statement.lower()})"] = [own.old or None, own.new or None]
    audit_record(
        forbund=plan.forbund,
        actor=acting_user,
        action="budget.import",
        obj=plan,
        plan=plan,
        summary=(
            f"Läste in {filename} i {plan.title}: {len(preview.added)} nya rader, "
            f"{len(preview.changed)} ändrade, {len(preview.removed)} borttagna"
        ),
        changes=changes,
    )
    return preview
