"""Reading an uploaded workbook: the Budget sheet and the figures a document states.

The file is opened by finsam.xlsx.open_workbook, which refuses it unopened unless it is a
plain .xlsx of a sane size (docs/excel.md); each cell is read by finsam.xlsx's read_text and
read_amount, so a text the export wrote ("=HYPERLINK(…)" as text) reads back as the same text
while a formula is never taken for text or an amount.

The Budget sheet is read into plain rows (ParsedBudget), with every problem placed by sheet, row
and column; the import (importer.py) and the audit (audit.py) take it from there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from openpyxl.cell.read_only import EMPTY_CELL as _EMPTY
from openpyxl.utils import get_column_letter

from budgets.models import BudgetYear, Level, ShareKind, StatementKind, StatementNote
from finsam.money import MAX_KR, UNIT_KR, UNIT_TKR, UNITS, AmountError, parse_amount
from finsam.xlsx import (
    MAX_COLUMNS,
    MAX_ROWS,
    UnreadableFile,
    open_workbook,
    read_amount,
    read_text,
)
from plans.excel.export import (
    BALANCE_ITEM_LABELS,
    BUDGET_SHEET,
    BUDGETED_PREFIX,
    LINE_HEADERS,
    MEDLEMSBIDRAG_LABEL,
    NO,
    NOTE_PREFIX,
    OWN_ROWS_SHEET,
    PERCENT_FIELDS,
    PLAN_FIELDS,
    PLAN_SHEET,
    ROOM_HEADER,
    SHARE_KIND_HEADER,
    STATEMENT_GROUP,
    UNIT_LABEL,
    YEAR_FIELDS,
    YEAR_SHEET,
    YES,
    year_field_label,
)

STATED_SHEET = "Uppgivna siffror"
COLUMN_LABEL = re.compile(r"^(Budget|Plan|Prognos|Utfall)\s+(\d{4})$")
HELPER_HEADERS = {"Sida", "Rad i resultatbudgeten"}
LINE_INPUT_HEADERS = {SHARE_KIND_HEADER, ROOM_HEADER}
YEAR_LABELS = {year_field_label(name).lower(): name for name in YEAR_FIELDS}
PLAN_LABELS = {label.lower(): name for name, label in PLAN_FIELDS.items()}
SHARE_KIND_CODES = {
    **{str(k.label).lower(): k.value for k in ShareKind},
    **{k.value: k.value for k in ShareKind},
}
LEVEL_CODES = {
    **{str(k.label).lower(): k.value for k in Level},
    **{k.value: k.value for k in Level},
}
STATEMENT_CODES = {
    **{str(k.label).lower(): k.value for k in StatementKind},
    **{k.value: k.value for k in StatementKind},
}
BALANCE_ITEM_CODES = {
    **{label.lower(): code for code, label in BALANCE_ITEM_LABELS.items()},
    **{code: code for code in BALANCE_ITEM_LABELS},
}


@dataclass(frozen=True)
class Problem:
    """Something wrong in the file, where it is: sheet, row, column (letter), and what."""

    sheet: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        place = self.sheet
        if self.row is not None:
            place += f", rad {self.row}"
        if self.column:
            place += f", kolumn {self.column}"
        return f"{place}: {self.message}"


@dataclass
class ParsedLine:
    row: int
    group: str
    category: str
    name: str
    insats: str
    note: str
    summary: bool
    decided: bool
    side: str  # from the Sida column when the file has one, else ""
    statement: str
    amounts: dict[str, Decimal]  # column label -> amount, only the cells that hold one
    # Problems in the line's amount cells: the import drops them for the computed room line,
    # whose cells in an export hold its formula.
    cell_problems: list[Problem] = field(default_factory=list)
    share_kind: str = ""  # a ShareKind code; "" as the insats or group
    computed_room: bool = False
    notes: dict[str, str] = field(default_factory=dict)  # column label -> footnote on the amount


@dataclass
class ParsedBudget:
    """The Budget sheet as read: the column labels that carry amounts, the medlemsbidrag, the
    lines, the resultatbudget rows, and the figures a source document states."""

    columns: list[str] = field(default_factory=list)
    medlemsbidrag: dict[str, Decimal] = field(default_factory=dict)
    lines: list[ParsedLine] = field(default_factory=list)
    statement_rows: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    stated: list[StatedFigure] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # Nothing of the budget could be read (not a workbook, no Budget sheet, no header row): the
    # file's one problem says why, and nothing is compared with the plan, since every line of
    # the plan would look removed.
    unreadable: bool = False
    unit: str = UNIT_KR  # what the file's amounts are in (its unit cell); all read as kronor
    # The År sheet: column label -> {BudgetYear field: value as text, None for empty}; only the
    # columns the sheet has. And the plan's own inputs (År below the years, or the export's
    # Planen sheet).
    years: dict[str, dict[str, str | None]] = field(default_factory=dict)
    plan_inputs: dict[str, str | None] = field(default_factory=dict)
    # The Egna rader sheet's rows; None for a file without the sheet (an older one), which leaves
    # the plan's own rows as they are.
    own_rows: list[OwnRow] | None = None
    # The line inputs' columns the file has (share kind, room, a footnote per amount column);
    # None: all of them (a session kept from before the list existed).
    line_inputs: list[str] | None = None


@dataclass(frozen=True)
class OwnRow:
    """A row of the förbund's own in a statement: "Balansbudget", "Ansvarsförbindelser", "Inga"."""

    row: int
    statement: str  # a StatementKind code
    label: str
    text: str


@dataclass(frozen=True)
class StatedFigure:
    """A figure as the source document states it: "Summa eget kapital", "Plan 2024", 613 000."""

    row: int
    figure: str
    column: str
    amount: Decimal


def _sheet(workbook, name: str):
    return workbook[name] if name in workbook.sheetnames else None


def _too_long(sheet: str) -> Problem:
    return Problem(sheet, None, None, f"Bladet har fler än {MAX_ROWS} rader; dela upp det.")


def _plain(cell) -> str:
    """A cell's text where anything else is not worth a problem (a heading, a helper column):
    a formula, an error value or a date reads as no text."""
    return read_text(cell.value, getattr(cell, "data_type", None))[0]


def _yes_no(cell, default: bool) -> bool | None:
    value = cell.value
    if isinstance(value, bool):
        return value  # Excel's SANT/FALSKT
    text, problem = read_text(value, getattr(cell, "data_type", None))
    text = text.lower()
    if problem:
        return None
    if not text:
        return default
    if text in (YES, "j", "x", "1", "true", "sant"):
        return True
    if text in (NO, "n", "0", "false", "falskt"):
        return False
    return None


def parse_budget(workbook) -> ParsedBudget:
    """Read the Budget sheet (or the only sheet) and the stated figures, if any."""
    parsed = ParsedBudget()
    ws = _sheet(workbook, BUDGET_SHEET)
    if ws is None:
        if len(workbook.sheetnames) != 1:
            parsed.problems.append(
                Problem("Arbetsboken", None, None, f"Bladet ”{BUDGET_SHEET}” saknas.")
            )
            parsed.unreadable = True
            return parsed
        ws = workbook[workbook.sheetnames[0]]
    sheet = ws.title
    # Never wider than MAX_COLUMNS: a row whose last cell is in column XFD would otherwise be
    # read as 16 384 cells, and every row of the sheet as wide.
    rows = ws.iter_rows(max_col=min(ws.max_column or MAX_COLUMNS, MAX_COLUMNS))
    header_row = None
    header: list[str] = []
    for number, row in enumerate(rows, start=1):
        if number > MAX_ROWS:
            # Too long to be read at all: nothing of it is kept, and it is said once.
            return ParsedBudget(problems=[_too_long(sheet)], unreadable=True)
        if header_row is None:
            values = [_plain(c) for c in row[:MAX_COLUMNS]]
            if values[:1] == [UNIT_LABEL]:
                unit = values[1].strip().lower() if len(values) > 1 else ""
                if unit not in UNITS:
                    parsed.problems.append(
                        Problem(
                            sheet,
                            number,
                            "B",
                            f"Okänd enhet ”{unit[:20]}”; mallens belopp är i kr eller tkr och "
                            "cellen ska stå som mallen skrev den.",
                        )
                    )
                    parsed.unreadable = True
                    return parsed
                parsed.unit = unit
                continue
            if values[:3] == list(LINE_HEADERS[:3]):
                header_row, header = number, values
                _read_header(parsed, sheet, header, number)
            elif number >= 20:
                break
            continue
        _read_row(parsed, sheet, header, number, row)
    if header_row is None:
        parsed.problems.append(
            Problem(
                sheet,
                None,
                None,
                "Rubrikraden saknas: den ska börja med kolumnerna Grupp, Kategori och Benämning "
                "(se mallen).",
            )
        )
        parsed.unreadable = True
        return parsed
    stated = _sheet(workbook, STATED_SHEET)
    if stated is not None:
        _read_stated(parsed, stated)
    years = _sheet(workbook, YEAR_SHEET)
    if years is not None:
        _read_years(parsed, years)
    plan_sheet = _sheet(workbook, PLAN_SHEET)
    if plan_sheet is not None:
        _read_plan_inputs(parsed, plan_sheet, first_row=1)
    own_rows = _sheet(workbook, OWN_ROWS_SHEET)
    if own_rows is not None:
        _read_own_rows(parsed, own_rows)
    return parsed


def _read_own_rows(parsed: ParsedBudget, ws) -> None:
    """The Egna rader sheet: Budget | Post | Uppgift, from row 2; each checked as the form
    checks it (a known statement, a post and an uppgift of at most their length, a post once)."""
    sheet = ws.title
    parsed.own_rows = []
    seen: dict[tuple[str, str], int] = {}
    limits = {
        "B": StatementNote._meta.get_field("label").max_length,
        "C": StatementNote._meta.get_field("text").max_length,
    }
    for number, row in enumerate(ws.iter_rows(min_row=2, max_col=3), start=2):
        if number > 500:
            parsed.problems.append(
                Problem(
                    sheet,
                    None,
                    None,
                    "Bladet har fler än 500 rader; så många egna rader har ingen budget.",
                )
            )
            return
        cells = list(row) + [_EMPTY] * (3 - len(row))
        read = [read_text(c.value, getattr(c, "data_type", None)) for c in cells[:3]]
        problems = [
            Problem(sheet, number, letter, problem)
            for (_, problem), letter in zip(read, "ABC", strict=True)
            if problem
        ]
        if problems:
            parsed.problems += problems
            continue
        (kind, _), (label, _), (text, _) = read
        if not kind and not label and not text:
            continue
        statement = STATEMENT_CODES.get(kind.lower())
        if statement is None:
            parsed.problems.append(
                Problem(sheet, number, "A", "Skriv Resultatbudget eller Balansbudget.")
            )
            continue
        placed = False
        for letter, value, what in (("B", label, "Posten"), ("C", text, "Uppgiften")):
            if not value:
                parsed.problems.append(
                    Problem(
                        sheet,
                        number,
                        letter,
                        f"{what} saknas; skriv t.ex. "
                        + ("”Ansvarsförbindelser”." if letter == "B" else "”Inga”."),
                    )
                )
                placed = True
            elif len(value) > limits[letter]:
                parsed.problems.append(
                    Problem(
                        sheet, number, letter, f"{what} får vara högst {limits[letter]} tecken."
                    )
                )
                placed = True
        if placed:
            continue
        if (statement, label) in seen:
            parsed.problems.append(
                Problem(
                    sheet,
                    number,
                    "B",
                    f"Raden ”{label}” finns redan på rad {seen[(statement, label)]} i samma budget.",
                )
            )
            continue
        seen[(statement, label)] = number
        parsed.own_rows.append(OwnRow(number, statement, label, text))


def _read_header(parsed: ParsedBudget, sheet: str, header: list[str], number: int) -> None:
    parsed.line_inputs = []
    for index, text in enumerate(header):
        if index < len(LINE_HEADERS) or not text:
            continue
        if text.startswith(BUDGETED_PREFIX) or text in HELPER_HEADERS or text.startswith("Andel"):
            continue
        if text in LINE_INPUT_HEADERS:
            parsed.line_inputs = [*(parsed.line_inputs or []), text]
            continue
        if text.startswith(NOTE_PREFIX) and COLUMN_LABEL.match(text[len(NOTE_PREFIX) :]):
            parsed.line_inputs = [*(parsed.line_inputs or []), text]
            if text[len(NOTE_PREFIX) :] not in parsed.columns:
                parsed.problems.append(
                    Problem(
                        sheet,
                        number,
                        get_column_letter(index + 1),
                        f"Kolumnen ”{text}” hör till en beloppskolumn som saknas.",
                    )
                )
            continue
        if COLUMN_LABEL.match(text):
            if text in parsed.columns:
                parsed.problems.append(
                    Problem(
                        sheet,
                        number,
                        get_column_letter(index + 1),
                        f"Kolumnen ”{text}” finns två gånger.",
                    )
                )
            parsed.columns.append(text)
        else:
            parsed.problems.append(
                Problem(
                    sheet,
                    number,
                    get_column_letter(index + 1),
                    f"Okänd kolumn ”{text[:40]}”; en beloppskolumn heter t.ex. ”Budget 2025” "
                    "eller ”Plan 2026”.",
                )
            )


def _read_row(parsed: ParsedBudget, sheet: str, header: list[str], number: int, row) -> None:
    cells = list(row[: len(header)])
    cells += [_EMPTY] * (len(header) - len(cells))
    values = [c.value for c in cells]

    def text(index: int, problems: list[Problem]) -> str:
        found, problem = read_text(values[index], getattr(cells[index], "data_type", None))
        if problem:
            problems.append(Problem(sheet, number, get_column_letter(index + 1), problem))
        return found

    def amounts(problems: list[Problem]) -> dict[str, Decimal]:
        found = {}
        for index, label in enumerate(header):
            if label not in parsed.columns:
                continue
            amount, problem = read_scaled(
                values[index], getattr(cells[index], "data_type", None), parsed.unit
            )
            if problem:
                problems.append(Problem(sheet, number, get_column_letter(index + 1), problem))
            elif amount is not None:
                found[label] = amount
        return found

    problems: list[Problem] = []
    group = text(0, problems)
    if problems:
        parsed.problems += problems
        return
    if not group:
        if _plain(cells[2]) == MEDLEMSBIDRAG_LABEL:
            parsed.medlemsbidrag = amounts(parsed.problems)
        return  # a heading, a sum or a member's part: computed, never read
    category, name, insats, note = (text(index, problems) for index in range(1, 5))
    if problems:
        parsed.problems += problems
        return
    if group == STATEMENT_GROUP:
        parsed.statement_rows[name] = amounts(parsed.problems)
        return
    if not name:
        parsed.problems.append(Problem(sheet, number, "C", "Benämning saknas."))
        return
    if len(name) > 200:
        parsed.problems.append(Problem(sheet, number, "C", "Benämningen är längre än 200 tecken."))
        return
    summary = _yes_no(cells[5], False)
    decided = _yes_no(cells[6], True)
    for flag, column in ((summary, "F"), (decided, "G")):
        if flag is None:
            parsed.problems.append(Problem(sheet, number, column, "Skriv ”ja” eller ”nej”."))
    by_header = dict(zip(header, cells, strict=False))
    columns = {label: get_column_letter(i + 1) for i, label in enumerate(header)}
    share_text = _plain(by_header.get(SHARE_KIND_HEADER, _EMPTY)).strip().lower()
    share_kind = SHARE_KIND_CODES.get(share_text, "") if share_text else ""
    if share_text and not share_kind:
        parsed.problems.append(
            Problem(
                sheet,
                number,
                columns[SHARE_KIND_HEADER],
                f"Okänd andel ”{share_text[:40]}”; välj en av "
                f"{', '.join(str(k.label) for k in ShareKind)}, eller lämna tomt.",
            )
        )
    room = _yes_no(by_header.get(ROOM_HEADER, _EMPTY), False)
    if room is None:
        parsed.problems.append(
            Problem(sheet, number, columns[ROOM_HEADER], "Skriv ”ja” eller ”nej”.")
        )
    notes = {}
    for label in parsed.columns:
        cell = by_header.get(NOTE_PREFIX + label)
        if cell is None:
            continue
        footnote, problem = read_text(cell.value, getattr(cell, "data_type", None))
        if problem:
            parsed.problems.append(Problem(sheet, number, columns[NOTE_PREFIX + label], problem))
        elif len(footnote) > 500:
            parsed.problems.append(
                Problem(
                    sheet, number, columns[NOTE_PREFIX + label], "Fotnoten är längre än 500 tecken."
                )
            )
        elif footnote:
            notes[label] = footnote
    cell_problems: list[Problem] = []
    parsed.lines.append(
        ParsedLine(
            row=number,
            group=group,
            category=category,
            name=name,
            insats=insats,
            note=note,
            summary=bool(summary),
            decided=decided is not False,
            side=_plain(by_header.get("Sida", _EMPTY)).lower(),
            statement=_plain(by_header.get("Rad i resultatbudgeten", _EMPTY)).lower(),
            amounts=amounts(cell_problems),
            cell_problems=cell_problems,
            share_kind=share_kind,
            computed_room=bool(room),
            notes=notes,
        )
    )


def read_scaled(
    value, data_type: str | None, unit: str, *, allow_negative: bool = False
) -> tuple[Decimal | None, str | None]:
    """One amount cell in the file's unit, as kronor: 1,5 in a tkr file is 1 500 kr."""
    if unit != UNIT_TKR or value is None or data_type in ("f", "e") or isinstance(value, bool):
        return read_amount(value, data_type, allow_negative=allow_negative)
    if isinstance(value, str):
        if not value.strip():
            return None, None
        try:
            amount = parse_amount(value, UNIT_TKR, allow_negative=allow_negative)
        except AmountError as error:
            return None, f"Text i ett belopp: ”{value.strip()[:40]}”. {error}"
        return read_amount(amount, None, allow_negative=allow_negative)
    if isinstance(value, int | float | Decimal):
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            return None, "Beloppet kan inte läsas."
        if amount.is_finite():
            kronor = amount * 1000
            if kronor != kronor.to_integral_value():
                return None, "Ange beloppet i tkr med högst tre decimaler (hela kronor)."
            return read_amount(kronor, None, allow_negative=allow_negative)
    return read_amount(value, data_type, allow_negative=allow_negative)


def _year_value(name: str, cell, unit: str) -> tuple[str | None, str | None]:
    """(value as text, None) or (None, problem) for one input of the År sheet; a text's None is
    its default (rader, no computed row, no reason)."""
    value, data_type = cell.value, getattr(cell, "data_type", None)
    if name in ("level", "balance_item", "deficit_reason", "target_note"):
        text, problem = read_text(value, data_type)
        if problem:
            return None, problem
        if name in ("deficit_reason", "target_note"):
            return text, None
        codes = LEVEL_CODES if name == "level" else BALANCE_ITEM_CODES
        if not text:
            return (Level.RADER.value if name == "level" else ""), None
        code = codes.get(text.lower())
        if code is None:
            if name == "level":
                return None, "Skriv rader, grupper eller resultat."
            return None, "Välj en av posterna: " + ", ".join(BALANCE_ITEM_LABELS.values()) + "."
        return code, None
    if name in PERCENT_FIELDS:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None, None
        if data_type in ("f", "e") or isinstance(value, bool):
            return None, "Skriv en procentsats som ett tal, t.ex. 20."
        text = str(value).replace("%", "").replace(",", ".").replace(" ", "").strip()
        try:
            number = Decimal(text)
        except InvalidOperation:
            return None, "Skriv en procentsats som ett tal, t.ex. 20."
        if not number.is_finite():
            return None, "Skriv en procentsats som ett tal, t.ex. 20."
        return str(number), None
    amount, problem = read_scaled(value, data_type, unit, allow_negative=True)
    if problem:
        return None, problem
    if amount is not None and abs(amount) > MAX_KR:
        return None, "Beloppet är för stort."
    if amount is None:
        nullable = name == "opening_equity" or BudgetYear._meta.get_field(name).null
        return (None if nullable else "0"), None
    return str(amount), None


def _read_years(parsed: ParsedBudget, ws) -> None:
    """The År sheet: row 1 names the year columns, then one row per input; the plan's own
    inputs below them (label in A, value in B)."""
    sheet = ws.title
    labels: dict[int, str] = {}
    for number, row in enumerate(ws.iter_rows(max_col=MAX_COLUMNS), start=1):
        if number > 200:
            break
        if number == 1:
            for index, cell in enumerate(row[1:], start=1):
                text = _plain(cell)
                if not text:
                    continue
                if text not in parsed.columns:
                    parsed.problems.append(
                        Problem(
                            sheet,
                            1,
                            get_column_letter(index + 1),
                            f"Kolumnen ”{text[:40]}” finns inte i budgetbladet.",
                        )
                    )
                    continue
                labels[index] = text
                parsed.years[text] = {}
            continue
        if not row:
            continue
        label = _plain(row[0]).lower()
        if not label or label == "planen":
            continue
        name = YEAR_LABELS.get(label)
        if name is None:
            if label in PLAN_LABELS:
                _plan_input(parsed, sheet, number, PLAN_LABELS[label], row)
                continue
            parsed.problems.append(
                Problem(sheet, number, "A", f"Okänd uppgift ”{_plain(row[0])[:60]}”.")
            )
            continue
        for index, column in labels.items():
            cell = row[index] if index < len(row) else _EMPTY
            value, problem = _year_value(name, cell, parsed.unit)
            if problem:
                parsed.problems.append(
                    Problem(sheet, number, get_column_letter(index + 1), problem)
                )
            else:
                parsed.years[column][name] = value


def _plan_input(parsed: ParsedBudget, sheet: str, number: int, name: str, row) -> None:
    cell = row[1] if len(row) > 1 else _EMPTY
    value, problem = _year_value(name, cell, parsed.unit)
    if problem:
        parsed.problems.append(Problem(sheet, number, "B", problem))
    elif name == "under_use_percent" and value is None:
        parsed.plan_inputs[name] = "0"
    else:
        parsed.plan_inputs[name] = value if value is not None else "0"


def _read_plan_inputs(parsed: ParsedBudget, ws, *, first_row: int) -> None:
    """The export's Planen sheet: the plan's own inputs, by their labels in column A."""
    for number, row in enumerate(ws.iter_rows(min_row=first_row, max_col=2), start=first_row):
        if number > 100:
            break
        if not row:
            continue
        name = PLAN_LABELS.get(_plain(row[0]).lower())
        if name is not None:
            _plan_input(parsed, ws.title, number, name, row)


def _read_stated(parsed: ParsedBudget, ws) -> None:
    """The figures a source document states: Figur | Kolumn | Angivet belopp, from row 2."""
    sheet = ws.title
    for number, row in enumerate(ws.iter_rows(min_row=2, max_col=3), start=2):
        if number > MAX_ROWS:
            parsed.stated.clear()
            parsed.problems.append(_too_long(sheet))
            return
        cells = list(row) + [_EMPTY] * (3 - len(row))
        read = [read_text(c.value, getattr(c, "data_type", None)) for c in cells[:2]]
        problems = [
            Problem(sheet, number, letter, problem)
            for (_, problem), letter in zip(read, "AB", strict=True)
            if problem
        ]
        if problems:
            parsed.problems += problems
            continue
        (figure, _), (column, _) = read
        value = cells[2].value
        if not figure and not column and value is None:
            continue
        if not figure:
            parsed.problems.append(Problem(sheet, number, "A", "Ange vilken siffra som anges."))
            continue
        if column not in parsed.columns:
            parsed.problems.append(
                Problem(sheet, number, "B", f"Kolumnen ”{column[:40]}” finns inte i budgetbladet.")
            )
            continue
        # A stated figure may be negative (a deficit, a negative eget kapital).
        amount, problem = read_scaled(
            value, getattr(cells[2], "data_type", None), parsed.unit, allow_negative=True
        )
        if problem or amount is None:
            parsed.problems.append(
                Problem(sheet, number, "C", problem or "Det angivna beloppet saknas.")
            )
            continue
        parsed.stated.append(StatedFigure(number, figure, column, amount))


def to_session(parsed: ParsedBudget) -> dict:
    """The parsed workbook as plain JSON, kept between the preview and the confirmation."""
    return {
        "columns": parsed.columns,
        "medlemsbidrag": {k: str(v) for k, v in parsed.medlemsbidrag.items()},
        "statement_rows": {
            k: {c: str(v) for c, v in row.items()} for k, row in parsed.statement_rows.items()
        },
        "lines": [
            {
                **vars(line),
                "amounts": {k: str(v) for k, v in line.amounts.items()},
                "cell_problems": [vars(p) for p in line.cell_problems],
            }
            for line in parsed.lines
        ],
        "stated": [vars(s) | {"amount": str(s.amount)} for s in parsed.stated],
        "problems": [vars(p) for p in parsed.problems],
        "unit": parsed.unit,
        "years": parsed.years,
        "plan_inputs": parsed.plan_inputs,
        "own_rows": None if parsed.own_rows is None else [vars(r) for r in parsed.own_rows],
        "line_inputs": parsed.line_inputs,
        "unreadable": parsed.unreadable,
    }


def from_session(data: dict) -> ParsedBudget:
    return ParsedBudget(
        columns=list(data["columns"]),
        medlemsbidrag={k: Decimal(v) for k, v in data["medlemsbidrag"].items()},
        statement_rows={
            k: {c: Decimal(v) for c, v in row.items()} for k, row in data["statement_rows"].items()
        },
        lines=[
            ParsedLine(
                **{
                    **line,
                    "amounts": {k: Decimal(v) for k, v in line["amounts"].items()},
                    "cell_problems": [Problem(**p) for p in line["cell_problems"]],
                }
            )
            for line in data["lines"]
        ],
        problems=[Problem(**p) for p in data.get("problems", [])],
        stated=[
            StatedFigure(**{**s, "amount": Decimal(s["amount"])}) for s in data.get("stated", [])
        ],
        unit=data.get("unit", UNIT_KR),
        years=data.get("years", {}),
        plan_inputs=data.get("plan_inputs", {}),
        own_rows=(
            None if data.get("own_rows") is None else [OwnRow(**r) for r in data["own_rows"]]
        ),
        line_inputs=data.get("line_inputs"),
        unreadable=data.get("unreadable", False),
    )


def read_upload(name: str, data: bytes) -> ParsedBudget:
    """Open and parse an uploaded file; an unreadable file is one problem, not an exception."""
    try:
        workbook = open_workbook(name, data)
    except UnreadableFile as error:
        return ParsedBudget(problems=[Problem("Filen", None, None, str(error))], unreadable=True)
    try:
        return parse_budget(workbook)
    except Exception:  # a malformed part that openpyxl only trips over while streaming
        return ParsedBudget(
            problems=[Problem("Filen", None, None, "Filen är skadad och kan inte läsas.")],
            unreadable=True,
        )
    finally:
        workbook.close()
