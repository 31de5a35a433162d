"""The årsredovisning's tables as an Excel workbook with live formulas (as plans.excel.export):
the figures the follow-up recorded are values, every sum, deviation and UB a formula, so a
revisor who changes a figure sees what follows from it. Text always goes in as text."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from budgets import calc
from finsam.xlsx import plain_text, put, put_formula, put_text
from followup.annual import Annual, DriftRow

BOLD = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="DDE5F0")
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
AMOUNT_FORMAT = "#,##0"
PERCENT_FORMAT = "0.0%"

RESULT_SHEET = "Resultaträkning"
EQUITY_SHEET = "Eget kapital"
DRIFT_SHEET = "Driftredovisning"
INDICATOR_SHEET = "Indikatorer"
BALANSKRAV_SHEET = "Balanskrav"


@dataclass
class AnnualWorkbook:
    """The workbook and where its named figures stand: {name: (sheet, "C10")}, for the tests
    and anyone checking a cell against the page."""

    workbook: Workbook
    cells: dict[str, tuple[str, str]] = field(default_factory=dict)

    def save(self) -> bytes:
        out = BytesIO()
        self.workbook.save(out)
        return out.getvalue()


def _ref(sheet: str, coord: str) -> str:
    return f"'{sheet}'!{coord}"


class _Writer:
    def __init__(self, book: AnnualWorkbook, ws):
        self.book, self.ws, self.name = book, ws, ws.title

    def text(self, row: int, col: int, value: str, *, bold: bool = False):
        cell = put_text(self.ws.cell(row=row, column=col), value)
        if bold:
            cell.font = BOLD
        return cell

    def value(self, row: int, col: int, value: Decimal | int | None, name: str = ""):
        cell = put(self.ws.cell(row=row, column=col), None if value is None else int(value))
        cell.number_format = AMOUNT_FORMAT
        cell.fill = INPUT_FILL
        if name:
            self.book.cells[name] = (self.name, cell.coordinate)
        return cell

    def formula(self, row: int, col: int, text: str, name: str = "", *, fmt=AMOUNT_FORMAT):
        cell = put_formula(self.ws.cell(row=row, column=col), text)
        cell.number_format = fmt
        if name:
            self.book.cells[name] = (self.name, cell.coordinate)
        return cell

    def header(self, row: int, labels: list[str]) -> None:
        for col, label in enumerate(labels, start=1):
            cell = self.text(row, col, label, bold=True)
            cell.fill = HEAD_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    def widths(self, widths: list[float]) -> None:
        for col, width in enumerate(widths, start=1):
            self.ws.column_dimensions[get_column_letter(col)].width = width


def _title(w: _Writer, title: str, note: str) -> None:
    w.text(1, 1, title, bold=True).font = Font(bold=True, size=13)
    w.text(2, 1, note)


def _result_sheet(w: _Writer, annual: Annual, unit_note: str) -> dict[str, int]:
    _title(w, f"Resultaträkning {annual.year}", unit_note)
    w.header(4, ["Post", "Budget", "Utfall", "Avvikelse"])
    rows: dict[str, int] = {}
    for row, line in enumerate(annual.statement, start=5):
        rows[line.attr] = row
        w.text(row, 1, line.label, bold=bool(line.css))
        for col, amount in ((2, line.budget), (3, line.utfall)):
            letter = get_column_letter(col)
            which = "budget" if col == 2 else "utfall"
            name = f"{line.attr}_{which}"
            if line.attr == "verksamhetens_nettokostnader":
                first, last = rows["verksamhetens_intakter"], rows["avskrivningar"]
                w.formula(row, col, f"SUM({letter}{first}:{letter}{last})", name)
            elif line.attr == "arets_resultat":
                net = rows["verksamhetens_nettokostnader"]
                w.formula(row, col, f"{letter}{net}+SUM({letter}{net + 1}:{letter}{row - 1})", name)
            else:
                w.value(row, col, amount, name)
        w.formula(row, 4, f"C{row}-B{row}", f"{line.attr}_avvikelse")
    w.text(row + 2, 1, "Kostnader med minustecken. Avvikelse: utfall − budget; + är bättre.")
    w.widths([36, 16, 16, 16])
    return rows


def _equity_sheet(w: _Writer, annual: Annual, result_rows: dict[str, int], unit_note: str) -> None:
    _title(w, f"Eget kapital {annual.year}", unit_note)
    w.header(4, ["Post", "Budget", "Utfall", "Avvikelse"])
    result_row = result_rows["arets_resultat"]
    w.text(5, 1, "Ingående eget kapital")
    w.value(5, 2, annual.budget.ib, "ib_budget")
    w.value(5, 3, annual.utfall.ib, "ib_utfall")
    w.text(6, 1, "Årets resultat")
    w.formula(6, 2, _ref(RESULT_SHEET, f"B{result_row}"), "resultat_budget_ek")
    w.formula(6, 3, _ref(RESULT_SHEET, f"C{result_row}"), "resultat_utfall_ek")
    w.text(7, 1, "Utgående eget kapital", bold=True)
    w.formula(7, 2, "B5+B6", "ub_budget").font = BOLD
    w.formula(7, 3, "C5+C6", "ub_utfall").font = BOLD
    for row in (5, 6, 7):
        w.formula(row, 4, f"C{row}-B{row}")
    w.text(8, 1, "Tak för eget kapital")
    w.value(8, 2, annual.budget.ceiling)
    w.value(8, 3, annual.utfall.ceiling, "ceiling")
    w.text(9, 1, "Golv för eget kapital")
    w.value(9, 2, annual.budget.floor)
    w.value(9, 3, annual.utfall.floor, "floor")

    w.text(11, 1, "Medlemmarnas andelar av eget kapital (lag 2003:1210 9 § p. 8)", bold=True)
    w.header(12, ["Medlem", "Bidrag för året", "Andel av bidragen", "Andel av eget kapital"])
    first = 13
    last = first + len(annual.member_shares) - 1
    for row, share in enumerate(annual.member_shares, start=first):
        w.text(row, 1, share.name)
        w.value(row, 2, share.contribution, f"bidrag_{row - first}")
        w.formula(
            row,
            3,
            f"IF(SUM($B${first}:$B${last})=0,0,B{row}/SUM($B${first}:$B${last}))",
            fmt=PERCENT_FORMAT,
        )
        # Whole kronor by the largest remainder (followup.annual.shares_of): a value, since a
        # spreadsheet's ROUND per member need not add up to UB.
        w.value(row, 4, share.share, f"andel_{row - first}")
    total = last + 1
    w.text(total, 1, "Summa", bold=True)
    w.formula(total, 2, f"SUM(B{first}:B{last})", "bidrag_summa").font = BOLD
    w.formula(total, 3, f"SUM(C{first}:C{last})", fmt=PERCENT_FORMAT)
    w.formula(total, 4, f"SUM(D{first}:D{last})", "andel_summa").font = BOLD
    w.text(total + 1, 1, "Skillnad mot utgående eget kapital")
    w.formula(total + 1, 4, f"D{total}-C7", "andel_skillnad")
    w.text(
        total + 3,
        1,
        "Andelarna är avrundade till hela kronor så att de tillsammans blir exakt det utgående "
        "egna kapitalet: varje andel avrundas nedåt, och de kronor som blir över går till de "
        "medlemmar som har störst avrundningsrest.",
    )
    w.widths([40, 18, 18, 20])


def _drift_rows(w: _Writer, start: int, heading: str, rows: list[DriftRow], key: str) -> int:
    w.text(start, 1, heading, bold=True)
    w.header(
        start + 1,
        [
            heading.split(" ")[-1].capitalize(),
            "Slag",
            "Budget",
            "Utfall",
            "Avvikelse",
            "Avvikelse %",
            "Förklaring",
        ],
    )
    first = start + 2
    for row, line in enumerate(rows, start=first):
        w.text(row, 1, line.label)
        w.text(row, 2, line.side_label)
        w.value(row, 3, line.budget, f"{key}_{row - first}_budget")
        w.value(row, 4, line.utfall, f"{key}_{row - first}_utfall")
        sign = "D{r}-C{r}" if line.side == calc.INTAKT else "C{r}-D{r}"
        w.formula(row, 5, sign.format(r=row), f"{key}_{row - first}_avvikelse")
        w.formula(row, 6, f'IF(C{row}=0,"",E{row}/ABS(C{row}))', fmt=PERCENT_FORMAT)
        w.text(row, 7, " ".join(line.explanations))
    return first + len(rows)


def _drift_sheet(w: _Writer, annual: Annual, unit_note: str) -> None:
    _title(
        w, f"Driftredovisning {annual.year}", unit_note + " Avvikelse: + är bättre för resultatet."
    )
    after = _drift_rows(w, 4, "Per grupp", annual.groups, "grupp")
    first_group, last_group = 6, after - 1
    w.text(after, 1, "Årets resultat", bold=True)
    # Incomes count plus, costs minus: the groups' budget and utfall add up to the result.
    for col in ("C", "D"):
        w.formula(
            after,
            "CD".index(col) + 3,
            f'SUMIF(B{first_group}:B{last_group},"Intäkt",{col}{first_group}:{col}{last_group})'
            f'-SUMIF(B{first_group}:B{last_group},"Kostnad",{col}{first_group}:{col}{last_group})',
            f"drift_resultat_{'budget' if col == 'C' else 'utfall'}",
        ).font = BOLD
    w.formula(
        after, 5, f"SUM(E{first_group}:E{last_group})", "drift_resultat_avvikelse"
    ).font = BOLD
    if annual.insatser:
        end = _drift_rows(w, after + 2, "Per insats", annual.insatser, "insats")
        w.text(end, 1, "Summa insatser (nettokostnad)", bold=True)
        for col in "CDE":
            w.formula(
                end, "CDE".index(col) + 3, f"SUM({col}{after + 4}:{col}{end - 1})"
            ).font = BOLD
    w.widths([40, 10, 16, 16, 16, 12, 60])


def _indicator_sheet(w: _Writer, annual: Annual) -> None:
    _title(w, f"Indikatorer {annual.year}", "Målvärde och utfall för året.")
    w.header(4, ["Mål", "Slag", "Insats", "Indikator", "Målvärde", "Utfall", "Uppfyllt"])
    for row, ind in enumerate(annual.indicators, start=5):
        met = {True: "Ja", False: "Nej", None: "–"}[ind.met]
        for col, text in enumerate(
            [
                ind.mal,
                ind.level,
                ind.insats,
                ind.description,
                ind.target,
                ind.outcome or "Saknas",
                met,
            ],
            start=1,
        ):
            w.text(row, col, text)
    w.widths([40, 24, 24, 40, 14, 14, 10])


def _balanskrav_sheet(w: _Writer, annual: Annual, result_rows: dict[str, int]) -> None:
    _title(w, f"Balanskravsutredning {annual.year}", "Belopp i kronor.")
    w.text(4, 1, "Årets resultat")
    w.formula(4, 2, _ref(RESULT_SHEET, f"C{result_rows['arets_resultat']}"), "bk_resultat")
    w.text(5, 1, "Avgår: realisationsvinster")
    w.value(5, 2, annual.realisationsvinster, "bk_realisation")
    w.text(6, 1, "Balanskravsresultat", bold=True)
    w.formula(6, 2, "B4-B5", "bk_resultat_efter").font = BOLD
    w.text(7, 1, "Balanskravet uppfyllt")
    cell = w.formula(7, 2, 'IF(B6>=0,"Ja","Nej")', "bk_uppfyllt")
    cell.number_format = "@"
    w.widths([36, 18])


def annual_workbook(annual: Annual, *, title: str) -> AnnualWorkbook:
    book = AnnualWorkbook(Workbook())
    wb = book.workbook
    wb.properties.title = plain_text(title)[:200]
    unit_note = "Belopp i kronor."
    if not annual.complete:
        unit_note += " Preliminär: utfall saknas för " + ", ".join(annual.missing_labels) + "."
    ws = wb.active
    ws.title = RESULT_SHEET
    result_rows = _result_sheet(_Writer(book, ws), annual, unit_note)
    _equity_sheet(_Writer(book, wb.create_sheet(EQUITY_SHEET)), annual, result_rows, unit_note)
    _drift_sheet(_Writer(book, wb.create_sheet(DRIFT_SHEET)), annual, unit_note)
    _indicator_sheet(_Writer(book, wb.create_sheet(INDICATOR_SHEET)), annual)
    _balanskrav_sheet(_Writer(book, wb.create_sheet(BALANSKRAV_SHEET)), annual, result_rows)
    return book
