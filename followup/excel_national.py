"""FK's national follow-up as a workbook: one sheet per table (insatser, financing,
administration, result), Swedish headers, amounts as numbers, sums as live formulas, every text
through finsam.xlsx.put_text (insats and line names are what people typed)."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from finsam.xlsx import (
    AMOUNT_FORMAT,
    BOLD,
    plain_text,
    put_amount,
    put_formula,
    put_row,
    put_text,
)
from followup.national import National

HEADER_ROW = 3

INSATS_HEADERS = [
    "Insats",
    "Slag",
    "Budget",
    "Utfall",
    "Individinriktat budget",
    "Individinriktat utfall",
    "Strukturövergripande budget",
    "Strukturövergripande utfall",
    "Planerade deltagare",
    "Deltagare",
    "Varav kvinnor",
    "Varav män",
]
FINANCING_HEADERS = [
    "Finansiär",
    "Slag",
    "Medlemsbidrag",
    "Övrig finansiering",
    "Summa",
    "Anmärkning",
]
UNIT_LINE = "Belopp i kronor"
ADMIN_HEADERS = ["Administrativ kostnad", "Budget", "Utfall"]
RESULT_HEADERS = ["", "Budget", "Utfall"]


def _sheet(wb: Workbook, title: str, heading: str, headers: list[str], first: bool = False):
    ws = wb.active if first else wb.create_sheet()
    ws.title = title
    put_text(ws.cell(row=1, column=1), heading).font = Font(bold=True, size=13)
    # The page shows the plan's unit (often tkr); the workbook always whole kronor.
    put_text(ws.cell(row=2, column=1), UNIT_LINE)
    for cell in put_row(ws, HEADER_ROW, headers):
        cell.font = BOLD
    ws.column_dimensions["A"].width = 40
    for col in range(2, len(headers) + 1):
        ws.column_dimensions[get_column_letter(col)].width = 16
    return ws


def _number(ws, row: int, col: int, value) -> None:
    put_amount(ws.cell(row=row, column=col), value)


def _sum_row(ws, row: int, first: int, last: int, cols: range, label: str = "Summa") -> None:
    put_text(ws.cell(row=row, column=1), label).font = BOLD
    for col in cols:
        letter = get_column_letter(col)
        cell = put_formula(ws.cell(row=row, column=col), f"SUM({letter}{first}:{letter}{last})")
        cell.number_format = AMOUNT_FORMAT
        cell.font = BOLD


def national_workbook(n: National, *, forbund_name: str) -> bytes:
    title = f"Nationell uppföljning {n.year}, {forbund_name}"
    wb = Workbook()
    wb.properties.title = plain_text(title)[:200]
    first = HEADER_ROW + 1

    ws = _sheet(wb, "Insatser", f"{title}: insatser", INSATS_HEADERS, first=True)
    for row, i in enumerate(n.insatser, start=first):
        put_text(ws.cell(row=row, column=1), i.name)
        put_text(ws.cell(row=row, column=2), i.kind)
        for col, value in enumerate(
            [
                i.budget,
                i.utfall,
                i.individ_budget,
                i.individ_utfall,
                i.struktur_budget,
                i.struktur_utfall,
                i.planned,
                i.participants,
                i.women,
                i.men,
            ],
            start=3,
        ):
            _number(ws, row, col, value)
    last = first + len(n.insatser) - 1
    _sum_row(ws, last + 1, first, last, range(3, 13))

    ws = _sheet(wb, "Finansiering", f"{title}: finansiering per finansiär", FINANCING_HEADERS)
    for row, f in enumerate(n.financing, start=first):
        put_text(ws.cell(row=row, column=1), f.name)
        put_text(ws.cell(row=row, column=2), f.kind)
        _number(ws, row, 3, f.medlemsbidrag)
        _number(ws, row, 4, f.other)
        put_formula(ws.cell(row=row, column=5), f"C{row}+D{row}").number_format = AMOUNT_FORMAT
        if f.note:
            put_text(ws.cell(row=row, column=6), f.note)
    last = first + len(n.financing) - 1
    _sum_row(ws, last + 1, first, last, range(3, 6))

    ws = _sheet(wb, "Administration", f"{title}: administrativa kostnader", ADMIN_HEADERS)
    for row, a in enumerate(n.admin, start=first):
        put_text(ws.cell(row=row, column=1), a.name)
        _number(ws, row, 2, a.budget)
        _number(ws, row, 3, a.utfall)
    last = first + len(n.admin) - 1
    _sum_row(ws, last + 1, first, last, range(2, 4))

    ws = _sheet(wb, "Resultat", f"{title}: årets resultat", RESULT_HEADERS)
    put_text(ws.cell(row=first, column=1), "Årets resultat")
    _number(ws, first, 2, n.result_budget)
    _number(ws, first, 3, n.result_utfall)

    out = BytesIO()
    wb.save(out)
    return out.getvalue()
