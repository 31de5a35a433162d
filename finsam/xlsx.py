"""Excel workbooks in and out: a person's text is written as text and read back as the same text,
and an uploaded workbook is hostile until proven otherwise.

Writing. openpyxl turns a str that begins with "=" into a formula and "#N/A" into an error value
when it is assigned to a cell, so a line named =HYPERLINK(…) would be exported as a live formula.
Every cell that holds text a person typed is written with put_text, which always stores a string
cell; where the text begins with a character a spreadsheet may read as the start of a formula
(FORMULA_PREFIXES) the cell also gets Excel's quotePrefix, so that it stays text when someone
edits it. The program's own formulas are written with put_formula and nothing else.

A string cell cannot carry every character as it is: XML reads a carriage return as a line feed
and has no place at all for most control characters (openpyxl refuses them, Word's line break
\\x0b among them). Those are written in OOXML's escape, _x000D_, which Excel shows as the character
and read_text turns back, so a text reads back exactly as it was typed.

Reading. open_workbook checks an upload before openpyxl sees it: its size, that it is a zip at all
(an .xls, a CSV or a renamed PDF gets its own message), no macros, the number of parts and their
uncompressed size (a zip bomb is refused unopened); openpyxl then reads it without external links,
and a formula as its text, never as a result: the file's cached results are not trusted (openpyxl
writes none, and any other program's could say anything). read_text and read_amount read one
cell of a person's text or an amount, or say in Swedish what is wrong with it.
"""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from io import BytesIO

from openpyxl import load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font, PatternFill

from finsam.money import MAX_KR, UNIT_KR, AmountError, format_kr, parse_amount

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 60 * 1024 * 1024
MAX_PARTS = 2_000
MAX_ROWS = 20_000
MAX_COLUMNS = 200

# What a spreadsheet may take for the start of a formula (OWASP, "CSV injection"), with the
# full-width forms that an East Asian input method types and Excel reads as the same.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# The characters a string cell cannot hold as they are: XML 1.0 has no place for these control
# characters, and reads a carriage return as a line feed.
_UNWRITABLE = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]")
# OOXML's escape of one UTF-16 code unit in a string, _xHHHH_; a text that holds one literally
# has its underscore escaped (_x005F_), as Excel does.
_ESCAPE = re.compile(r"_x[0-9A-Fa-f]{4}_")
MACRO_PARTS = ("xl/vbaProject.bin", "xl/vbaProjectSignature.bin")


def _escaped(text: str) -> str:
    text = _ESCAPE.sub(lambda m: "_x005F" + m[0], text)
    return _UNWRITABLE.sub(lambda m: f"_x{ord(m[0]):04X}_", text)


def _unescaped(text: str) -> str:
    if "_x" not in text:
        return text
    return _ESCAPE.sub(lambda m: chr(int(m[0][2:6], 16)), text)


def put_text(cell: Cell, text: str | None) -> Cell:
    """Write text a person typed (or any text) into a cell as a string cell, whatever it begins
    with; an empty text leaves the cell empty."""
    if text is None or text == "":
        cell.value = None
        return cell
    text = str(text)
    cell.value = _escaped(text)
    # Assigning a str lets openpyxl decide it is a formula ("=…") or an error ("#N/A"): it is text.
    cell.data_type = "s"
    if text.startswith(FORMULA_PREFIXES):
        cell.quotePrefix = True
    return cell


def put_formula(cell: Cell, expression: str) -> Cell:
    """Write one of the program's own formulas, given without its "=" ("SUM(B5:B9)"). Never
    with text a person typed: that goes through put_text."""
    cell.value = f"={expression}"
    return cell


# The look every workbook shares: typed figures yellow, headings blue-grey, amounts in whole
# kronor with a thousands separator.
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
HEAD_FILL = PatternFill("solid", fgColor="DDE5F0")
BOLD = Font(bold=True)
AMOUNT_FORMAT = "#,##0"


def put_amount(cell: Cell, value: Decimal | int | None) -> Cell:
    """An amount as a number in AMOUNT_FORMAT (None leaves the cell empty): exact, never a
    float; whole kronor as an integer."""
    if isinstance(value, Decimal) and value == value.to_integral_value():
        value = int(value)
    cell.value = value
    cell.number_format = AMOUNT_FORMAT
    return cell


def put(cell: Cell, value) -> Cell:
    """Write a value: a str as text (put_text), a number, a date or None as itself."""
    if isinstance(value, str):
        return put_text(cell, value)
    cell.value = value
    return cell


def put_row(ws, row: int, values, *, start: int = 1) -> list[Cell]:
    """Write values into a row from column `start` on, each as put does; returns the cells."""
    return [
        put(ws.cell(row=row, column=column), value)
        for column, value in enumerate(values, start=start)
    ]


def plain_text(text: str) -> str:
    """Text for a place outside the cells (the document's title, subject, keywords), which has no
    escape: the characters XML cannot hold become spaces."""
    return _UNWRITABLE.sub(" ", text)


# --- Reading -----------------------------------------------------------------------------------


class UnreadableFile(ValueError):
    """The file cannot be read at all; the message says why, in Swedish."""


def open_workbook(name: str, data: bytes):
    """The workbook, read-only and streaming, or UnreadableFile with a message a person can act
    on."""
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
    names = {p.filename for p in parts}
    if "xl/workbook.xml" not in names:
        raise UnreadableFile("Filen är ingen Excel-arbetsbok (.xlsx).")
    if _has_macros(archive, names, lowered):
        raise UnreadableFile(
            "Filen är en arbetsbok med makron (.xlsm) och läses inte in. Spara den som "
            "Excel-arbetsbok (.xlsx) och försök igen."
        )
    try:
        # read_only streams the sheets; keep_links=False drops external links unread.
        return load_workbook(BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception as error:  # openpyxl raises many kinds on a malformed file
        raise UnreadableFile("Filen är skadad och kan inte läsas som en .xlsx-fil.") from error


def _has_macros(archive: zipfile.ZipFile, names: set[str], lowered: str) -> bool:
    # Macros are never run here, but a file that carries them is not the .xlsx it claims to be,
    # whatever its name says: its parts and its declared content types tell.
    if lowered.endswith((".xlsm", ".xltm", ".xlam")) or names & set(MACRO_PARTS):
        return True
    if "[Content_Types].xml" not in names:
        return False
    try:
        types = archive.read("[Content_Types].xml")
    except Exception:  # a damaged part: openpyxl's own reading says so
        return False
    return b"macroenabled" in types.lower() or b"vbaproject" in types.lower()


def read_text(value, data_type: str | None) -> tuple[str, str | None]:
    """(text, None) or ("", problem) for a cell that holds a person's text; ("", None) when empty.

    A text is read as written (put_text's escapes undone), without the spaces around it; a
    leading tab or carriage return stays, as a text the export wrote begins with it. A whole
    number is its digits (Excel makes "2024" typed in a cell a number); a formula, an error
    value, a date, a true/false value or a decimal number is not text.
    """
    if value is None:
        return "", None
    if data_type == "f":
        return "", "En formel står där text ska stå; skriv texten (en formel läses aldrig)."
    if data_type == "e":
        return "", f"Cellen har felvärdet {value}; skriv texten."
    if isinstance(value, bool):
        return "", "Ett sant/falskt-värde står där text ska stå."
    if isinstance(value, datetime | date | time | timedelta):
        return "", "Ett datum står där text ska stå; skriv texten (t.ex. med en apostrof först)."
    if isinstance(value, int):
        return str(value), None
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value)), None
        return (
            "",
            "Ett decimaltal står där text ska stå; skriv texten (t.ex. med en apostrof först).",
        )
    if not isinstance(value, str):
        return "", "Cellen kan inte läsas som text."
    return _unescaped(value).rstrip().lstrip(" \u00a0"), None


def read_amount(
    value, data_type: str | None, *, allow_negative: bool = False
) -> tuple[Decimal | None, str | None]:
    """(amount, None) or (None, problem) for one amount cell in kronor; (None, None) when empty.

    A text cell is read as the budget grid reads what is typed in it (finsam.money.parse_amount,
    in kronor as the template is): "2 500", "2 500 kr" and "2,5 tkr" are 2 500 kr.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if data_type == "f":
        return None, "En formel står där ett belopp ska stå; skriv in beloppet som ett tal."
    if data_type == "e":
        return None, f"Cellen har felvärdet {value}; skriv in ett belopp."
    if isinstance(value, bool):
        return None, "Ett sant/falskt-värde står där ett belopp ska stå."
    if isinstance(value, str):
        try:
            return parse_amount(value, UNIT_KR, allow_negative=allow_negative), None
        except AmountError as error:
            return None, f"Text i ett belopp: ”{value.strip()[:40]}”. {error}"
    if not isinstance(value, int | float | Decimal):
        return None, "Cellen innehåller inget belopp (t.ex. ett datum); skriv beloppet i kronor."
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None, "Beloppet kan inte läsas."
    if not amount.is_finite():
        return None, "Beloppet kan inte läsas."
    if amount < 0 and not allow_negative:
        return None, "Beloppet kan inte vara negativt."
    if abs(amount) > MAX_KR:
        return None, f"Beloppet är för stort; högst {format_kr(Decimal(MAX_KR))}."
    if amount != amount.to_integral_value():
        return None, "Ange beloppet i hela kronor."
    return amount.quantize(Decimal(1)), None
