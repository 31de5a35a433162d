"""Reading an uploaded workbook, which is hostile until proven otherwise.

Only .xlsx is read. Before openpyxl sees the file: its size, that it is a zip at all (an .xls, a
CSV or a renamed PDF gets its own message), the number of parts and their uncompressed size (a
zip bomb is refused unopened). openpyxl then reads it without external links, and a formula is
read as its text, never as a result: the file's cached results are not trusted (openpyxl writes
none, and any other program's could say anything).

The Budget sheet is read into plain rows (ParsedBudget), with every problem placed by sheet, row
and column; the import (importer.py) and the audit (audit.py) take it from there.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from io import BytesIO

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from finsam.money import MAX_KR, format_kr
from plans.excel.export import (
    BUDGET_SHEET,
    BUDGETED_PREFIX,
    LINE_HEADERS,
    MEDLEMSBIDRAG_LABEL,
    NO,
    STATEMENT_GROUP,
    YES,
)

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 60 * 1024 * 1024
MAX_PARTS = 2_000
MAX_ROWS = 20_000
MAX_COLUMNS = 200
STATED_SHEET = "Uppgivna siffror"
COLUMN_LABEL = re.compile(r"^(Budget|Plan|Prognos|Utfall)\s+(\d{4})$")
HELPER_HEADERS = {"Sida", "Rad i resultatbudgeten"}


class UnreadableFile(ValueError):
    """The file cannot be read at all; the message says why, in Swedish."""


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


@dataclass(frozen=True)
class StatedFigure:
    """A figure as the source document states it: "Summa eget kapital", "Plan 2024", 613 000."""

    row: int
    figure: str
    column: str
    amount: Decimal


def open_workbook(name: str, data: bytes):
    """The workbook, or UnreadableFile with a message a person can act on."""
    if len(data) > MAX_FILE_BYTES:
        raise UnreadableFile(
            f"Filen är {len(data) / 1024 / 1024:.1f} MB; högst "
            f"{MAX_FILE_BYTES // 1024 // 1024} MB kan läsas in."
        )
    lowered = name.lower()
    head = data[:8]
    if head.startswith(b"%PDF"):
        raise UnreadableFile("Filen är en pdf, inte en Excel-arbetsbok (.xlsx).")
    if head.startswith(b"\xd0\xcf\x11\xe0") or lowered.endswith(".xls"):
        raise UnreadableFile(
            "Filen är i Excels gamla format (.xls). Spara den som Excel-arbetsbok (.xlsx) och "
            "försök igen."
        )
    if lowered.endswith((".csv", ".txt")):
        raise UnreadableFile(
            "En CSV-fil kan inte läsas in. Spara den som Excel-arbetsbok (.xlsx) och försök igen."
        )
    if not head.startswith(b"PK\x03\x04"):
        raise UnreadableFile("Filen är ingen Excel-arbetsbok (.xlsx).")
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        parts = archive.infolist()
    except (zipfile.BadZipFile, OSError) as error:
        raise UnreadableFile("Filen är skadad och kan inte läsas som en .xlsx-fil.") from error
    if len(parts) > MAX_PARTS:
        raise UnreadableFile("Filen har orimligt många delar och läses inte in.")
    if sum(p.file_size for p in parts) > MAX_UNCOMPRESSED_BYTES:
        raise UnreadableFile(
            "Filen blir för stor när den packas upp och läses inte in (över "
            f"{MAX_UNCOMPRESSED_BYTES // 1024 // 1024} MB)."
        )
    if "xl/workbook.xml" not in {p.filename for p in parts}:
        raise UnreadableFile("Filen är ingen Excel-arbetsbok (.xlsx).")
    try:
        # read_only streams the sheets; keep_links=False drops external links unread.
        return load_workbook(BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception as error:  # openpyxl raises many kinds on a malformed file
        raise UnreadableFile("Filen är skadad och kan inte läsas som en .xlsx-fil.") from error


def _text(value) -> str:
    if value is None:
        return ""
    return str(value).strip()


def _yes_no(value, default: bool) -> bool | None:
    text = _text(value).lower()
    if not text:
        return default
    if text in (YES, "j", "x", "1", "true", "sant"):
        return True
    if text in (NO, "n", "0", "false", "falskt"):
        return False
    return None


def read_amount(cell_value, data_type: str | None) -> tuple[Decimal | None, str | None]:
    """(amount, None) or (None, problem) for one amount cell; (None, None) when empty."""
    if cell_value is None or (isinstance(cell_value, str) and not cell_value.strip()):
        return None, None
    if data_type == "e" or (isinstance(cell_value, str) and cell_value.startswith("#")):
        return None, f"Cellen har felvärdet {cell_value}; skriv in ett belopp."
    if isinstance(cell_value, str) and cell_value.startswith("="):
        return None, "En formel står där ett belopp ska stå; skriv in beloppet som ett tal."
    if isinstance(cell_value, bool):
        return None, "Ett sant/falskt-värde står där ett belopp ska stå."
    if isinstance(cell_value, str):
        return None, f"Text i ett belopp: ”{cell_value[:40]}”. Skriv beloppet som ett tal i kronor."
    if not isinstance(cell_value, int | float | Decimal):
        return None, "Cellen innehåller inget belopp (t.ex. ett datum); skriv beloppet i kronor."
    try:
        amount = Decimal(str(cell_value))
    except InvalidOperation:
        return None, "Beloppet kan inte läsas."
    if not amount.is_finite():
        return None, "Beloppet kan inte läsas."
    if amount < 0:
        return None, "Beloppet kan inte vara negativt."
    if amount > MAX_KR:
        return None, f"Beloppet är för stort; högst {format_kr(Decimal(MAX_KR))}."
    if amount != amount.to_integral_value():
        return None, "Ange beloppet i hela kronor."
    return amount.quantize(Decimal(1)), None


def _sheet(workbook, name: str):
    return workbook[name] if name in workbook.sheetnames else None


def parse_budget(workbook) -> ParsedBudget:
    """Read the Budget sheet (or the only sheet) and the stated figures, if any."""
    parsed = ParsedBudget()
    ws = _sheet(workbook, BUDGET_SHEET)
    if ws is None:
        if len(workbook.sheetnames) != 1:
            parsed.problems.append(
                Problem("Arbetsboken", None, None, f"Bladet ”{BUDGET_SHEET}” saknas.")
            )
            return parsed
        ws = workbook[workbook.sheetnames[0]]
    sheet = ws.title
    rows = ws.iter_rows()
    header_row = None
    header: list[str] = []
    for number, row in enumerate(rows, start=1):
        if number > MAX_ROWS:
            parsed.problems.append(
                Problem(sheet, None, None, f"Bladet har fler än {MAX_ROWS} rader; dela upp det.")
            )
            return parsed
        if header_row is None:
            values = [_text(c.value) for c in row[:MAX_COLUMNS]]
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
        return parsed
    stated = _sheet(workbook, STATED_SHEET)
    if stated is not None:
        _read_stated(parsed, stated)
    return parsed


def _read_header(parsed: ParsedBudget, sheet: str, header: list[str], number: int) -> None:
    for index, text in enumerate(header):
        if index < len(LINE_HEADERS) or not text:
            continue
        if text.startswith(BUDGETED_PREFIX) or text in HELPER_HEADERS or text.startswith("Andel"):
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
    values = [c.value for c in cells]
    values += [None] * (len(header) - len(values))
    group, category, name = (_text(v) for v in values[:3])

    def amounts(problems: list[Problem]) -> dict[str, Decimal]:
        found = {}
        for index, label in enumerate(header):
            if label not in parsed.columns or index >= len(cells):
                continue
            amount, problem = read_amount(values[index], getattr(cells[index], "data_type", None))
            if problem:
                problems.append(Problem(sheet, number, get_column_letter(index + 1), problem))
            elif amount is not None:
                found[label] = amount
        return found

    if group == STATEMENT_GROUP:
        parsed.statement_rows[name] = amounts(parsed.problems)
        return
    if not group and name == MEDLEMSBIDRAG_LABEL:
        parsed.medlemsbidrag = amounts(parsed.problems)
        return
    if not group:
        return  # a heading, a sum or a member's part: computed, never read
    if not name:
        parsed.problems.append(Problem(sheet, number, "C", "Benämning saknas."))
        return
    if len(name) > 200:
        parsed.problems.append(Problem(sheet, number, "C", "Benämningen är längre än 200 tecken."))
        return
    summary = _yes_no(values[5], False)
    decided = _yes_no(values[6], True)
    for flag, column in ((summary, "F"), (decided, "G")):
        if flag is None:
            parsed.problems.append(Problem(sheet, number, column, "Skriv ”ja” eller ”nej”."))
    by_header = dict(zip(header, values, strict=False))
    cell_problems: list[Problem] = []
    parsed.lines.append(
        ParsedLine(
            row=number,
            group=group,
            category=category,
            name=name,
            insats=_text(values[3]),
            note=_text(values[4]),
            summary=bool(summary),
            decided=decided is not False,
            side=_text(by_header.get("Sida")).lower(),
            statement=_text(by_header.get("Rad i resultatbudgeten")).lower(),
            amounts=amounts(cell_problems),
            cell_problems=cell_problems,
        )
    )


def _read_stated(parsed: ParsedBudget, ws) -> None:
    """The figures a source document states: Figur | Kolumn | Angivet belopp, from row 2."""
    sheet = ws.title
    for number, row in enumerate(ws.iter_rows(min_row=2), start=2):
        if number > MAX_ROWS:
            break
        values = [c.value for c in row[:3]] + [None, None, None]
        figure, column = _text(values[0]), _text(values[1])
        if not figure and not column and values[2] is None:
            continue
        if not figure:
            parsed.problems.append(Problem(sheet, number, "A", "Ange vilken siffra som anges."))
            continue
        if column not in parsed.columns:
            parsed.problems.append(
                Problem(sheet, number, "B", f"Kolumnen ”{column[:40]}” finns inte i budgetbladet.")
            )
            continue
        cell = row[2] if len(row) > 2 else None
        value = values[2]
        # A stated figure may be negative (a deficit, a negative eget kapital).
        negative = isinstance(value, int | float) and not isinstance(value, bool) and value < 0
        amount, problem = read_amount(
            -value if negative else value, getattr(cell, "data_type", None)
        )
        if problem or amount is None:
            parsed.problems.append(
                Problem(sheet, number, "C", problem or "Det angivna beloppet saknas.")
            )
            continue
        parsed.stated.append(StatedFigure(number, figure, column, -amount if negative else amount))


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
    )


def read_upload(name: str, data: bytes) -> ParsedBudget:
    """Open and parse an uploaded file; an unreadable file is one problem, not an exception."""
    try:
        workbook = open_workbook(name, data)
    except UnreadableFile as error:
        return ParsedBudget(problems=[Problem("Filen", None, None, str(error))])
    try:
        return parse_budget(workbook)
    except Exception:  # a malformed part that openpyxl only trips over while streaming
        return ParsedBudget(
            problems=[Problem("Filen", None, None, "Filen är skadad och kan inte läsas.")]
        )
    finally:
        workbook.close()
