"""The follow-up's workbooks: the utfall template (one row per budget line, one column per month,
the typed utfall filled in, read back by the import) and the konto map as a two-column sheet.
Every text goes in through finsam.xlsx.put_text: line names are what people typed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font

from finsam.xlsx import plain_text, put_row, put_text
from followup.compute import LineRef
from followup.models import MONTH_NAMES

UTFALL_SHEET = "Utfall"
HEADER_ROW = 3
MONTH_HEADERS = [name[:3] for name in MONTH_NAMES]
SIE_NOTE = "Från bokföringen (SIE): läses inte härifrån"


def _saved(wb: Workbook) -> bytes:
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def utfall_template(
    *,
    title: str,
    refs: Sequence[LineRef],
    by_line: dict[tuple[int | None, str], list[Decimal]],
    months: Iterable[int],
    from_books: set[tuple[tuple[int | None, str], int]],
) -> bytes:
    """The sheet "Utfall": `Budgetrad | jan … dec`, one row per line as the konto map names it,
    with the typed utfall of `months` filled in. A cell that comes from the books is left empty
    (an empty cell is a month not read), so the sheet read back changes nothing."""
    filled = set(months)
    wb = Workbook()
    ws = wb.active
    ws.title = UTFALL_SHEET
    wb.properties.title = plain_text(title)[:200]
    put_text(ws.cell(row=1, column=1), title).font = Font(bold=True, size=13)
    for cell in put_row(ws, HEADER_ROW, ["Budgetrad", *MONTH_HEADERS, "Anmärkning"]):
        cell.font = Font(bold=True)
    for row, ref in enumerate(refs, start=HEADER_ROW + 1):
        put_text(ws.cell(row=row, column=1), ref.label)
        amounts = by_line.get(ref.key)
        books = False
        for month in range(1, 13):
            if (ref.key, month) in from_books:
                books = True
                continue
            if month in filled:
                value = amounts[month - 1] if amounts else Decimal(0)
                ws.cell(row=row, column=month + 1, value=int(value))
        if books:
            put_text(ws.cell(row=row, column=14), SIE_NOTE)
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["N"].width = 44
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=2)
    notes = wb.create_sheet("Anvisningar")
    for row, text in enumerate(
        [
            "Skriv utfallet per budgetrad och månad i hela kronor, intäkter och kostnader som "
            "positiva belopp, som planen visar dem.",
            "En tom ruta är en månad som inte läses in. En månad som har något belopp läses in "
            "för alla rader: rader utan belopp den månaden får 0.",
            "Rader som hämtas från bokföringen (SIE) läses inte från bladet.",
            "Ändra inte radernas namn; de ska stå som planen visar dem.",
        ],
        start=1,
    ):
        put_text(notes.cell(row=row, column=1), text)
    return _saved(wb)


def mapping_workbook(rows: Sequence[tuple[str, str]]) -> bytes:
    """The konto map as mapping_read reads it: `konto | budgetrad` on the first row."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Kontokarta"
    for cell in put_row(ws, 1, ["konto", "budgetrad"]):
        cell.font = Font(bold=True)
    for row, (konto, label) in enumerate(rows, start=2):
        put_text(ws.cell(row=row, column=1), konto)
        put_text(ws.cell(row=row, column=2), label)
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 48
    return _saved(wb)
