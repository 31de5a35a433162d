"""The årsredovisning's tables as an Excel workbook with live formulas (as plans.excel.export):
the figures the follow-up recorded are values, every sum, deviation and UB a formula, so a
revisor who changes a figure sees what follows from it. Text always goes in as text."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from budgets import calc
from finsam.xlsx import (
    AMOUNT_FORMAT,
    BOLD,
    HEAD_FILL,
    INPUT_FILL,
    plain_text,
    put_amount,
    put_formula,
    put_text,
)
from followup.annual import Annual, DriftRow, whole_kronor
from plans.excel.export import EXACT_LIMIT, largest_remainder_rows

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

    # label and put as plans.excel.export's sheets, for its largest_remainder_rows.
    def label(self, row: int, col: int, value: str, *, bold: bool = False):
        return self.text(row, col, value, bold=bold)

    def put(self, row: int, col: int, value, *, fmt: str = AMOUNT_FORMAT):
        cell = self.value(row, col, value)
        cell.number_format = fmt
        return cell

    def value(self, row: int, col: int, value: Decimal | int | None, name: str = ""):
        cell = put_amount(self.ws.cell(row=row, column=col), value)
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
    shares = annual.member_shares
    weights = [int(m.contribution) for m in shares]
    # Whole kronor by the largest remainder, as formulas (plans.excel.export's rows) while
    # every product stays exact in a binary float; the split follows a changed contribution.
    live = (
        bool(shares)
        and all(w >= 0 and w == m.contribution for w, m in zip(weights, shares, strict=True))
        and sum(weights) > 0
        and whole_kronor(annual.utfall.ub) * sum(weights) < EXACT_LIMIT
    )
    first = 13
    last = first + len(shares) - 1
    if live:
        largest_remainder_rows(
            w,
            12,
            "ROUND(ABS($C$7),0)",
            [(m.name, weight) for m, weight in zip(shares, weights, strict=True)],
            {"unit": "SIGN($C$7)"},
            [f"andel_{i}" for i in range(len(shares))],
        )
    else:
        w.header(12, ["Del", "Vikt", "", "", "", "", "Belopp"])
        for row, share in enumerate(shares, start=first):
            w.text(row, 1, share.name)
            w.value(row, 2, share.contribution)
            w.value(row, 7, share.share, f"andel_{row - first}")
    for col, label in (
        (1, "Medlem"),
        (2, f"Bidrag {annual.year}" + (" (budget)" if annual.shares_from_budget else "")),
        (7, "Andel av eget kapital"),
        (8, "Andel av bidragen"),
    ):
        cell = w.text(12, col, label, bold=True)
        cell.fill = HEAD_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in range(first, last + 1):
        w.book.cells[f"bidrag_{row - first}"] = (w.name, f"B{row}")
        w.ws.cell(row=row, column=2).number_format = AMOUNT_FORMAT
        w.formula(
            row,
            8,
            f"IF(SUM($B${first}:$B${last})=0,0,B{row}/SUM($B${first}:$B${last}))",
            fmt=PERCENT_FORMAT,
        )
    total = last + 1
    w.text(total, 1, "Summa", bold=True)
    w.formula(total, 2, f"SUM(B{first}:B{last})", "bidrag_summa").font = BOLD
    w.formula(total, 7, f"SUM(G{first}:G{last})", "andel_summa").font = BOLD
    w.formula(total, 8, f"SUM(H{first}:H{last})", fmt=PERCENT_FORMAT)
    w.text(total + 1, 1, "Skillnad mot utgående eget kapital (avrundat till kronor)")
    w.formula(total + 1, 7, f"G{total}-ROUND(C7,0)", "andel_skillnad")
    notes = [
        "Andelarna är avrundade till hela kronor så att de tillsammans blir exakt det utgående "
        "egna kapitalet: Heltal = INT(kronor·bidrag/Σbidrag), Rest = MOD(kronor·bidrag; "
        "Σbidrag); de kronor som blir över går till de största resterna (lika rester: den "
        "tidigare raden)."
    ]
    if not live:
        notes.append("Andelarna står som värden, uträknade med samma regel.")
    if annual.shares_from_budget:
        notes.append(
            "Inget medlemsbidrag är bokfört för året: andelarna följer de budgeterade bidragen."
        )
    if annual.shares_note:
        notes.append(annual.shares_note)
    for offset, note in enumerate(notes):
        w.text(total + 3 + offset, 1, note)
    w.widths([40, 18, 12, 14, 10, 12, 20, 14])


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
    w.text(8, 1, "Budgeterat resultat")
    w.formula(8, 2, _ref(RESULT_SHEET, f"B{result_rows['arets_resultat']}"), "bk_budget")
    w.text(9, 1, "Underskottet")
    # Planned: the budget had a deficit and the result is not below it.
    cell = w.formula(
        9,
        2,
        'IF(B6>=0,"Inget underskott",IF(AND(B8<0,B6>=B8),'
        '"Planerad förbrukning av eget kapital","Inte planerat"))',
        "bk_underskott",
    )
    cell.number_format = "@"
    w.widths([36, 34])


def annual_workbook(annual: Annual, *, title: str) -> AnnualWorkbook:
    book = AnnualWorkbook(Workbook())
    wb = book.workbook
    wb.properties.title = plain_text(title)[:200]
    unit_note = "Belopp i kronor."
    if not annual.complete:
        unit_note += " Preliminär: utfall saknas för " + ", ".join(annual.missing_labels) + "."
    elif annual.closed is None:
        unit_note += " Preliminär: året är inte bokslutat än."
    ws = wb.active
    ws.title = RESULT_SHEET
    result_rows = _result_sheet(_Writer(book, ws), annual, unit_note)
    _equity_sheet(_Writer(book, wb.create_sheet(EQUITY_SHEET)), annual, result_rows, unit_note)
    _drift_sheet(_Writer(book, wb.create_sheet(DRIFT_SHEET)), annual, unit_note)
    _indicator_sheet(_Writer(book, wb.create_sheet(INDICATOR_SHEET)), annual)
    _balanskrav_sheet(_Writer(book, wb.create_sheet(BALANSKRAV_SHEET)), annual, result_rows)
    return book
