"""A plan as an Excel workbook in which every computed figure is a live formula.

The typed figures (the medlemsbidrag, each line's amounts, the plan's and the years' inputs) are
plain cells, filled yellow; every subtotal, total, member part, share, result, IB and UB is a
formula over them, so an auditor can follow a figure to its rows and change any input. The
figures come from plan_figures, so an adopted plan's workbook shows what was adopted.

The Budget sheet is also the import format (plans/excel/importer.py): columns A–G describe a
line, one column per year and kind of column holds its amounts. docs/excel.md describes both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from io import BytesIO

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from budgets.calc import (
    AVSKRIVNING,
    BALANCING_ASSETS,
    BALANCING_LIABILITIES,
    BALANCING_ROWS,
    EJ_ANGIVET,
    FINANSIELL,
    FORVALTNING,
    INDIVID,
    INTAKT,
    KOMMUNER,
    KOSTNAD,
    OVRIGT,
    REGION_BLOCK,
    STAT,
    STRUKTUR,
    VERKSAMHET,
    integer_weights,
)
from budgets.checks import FEL, INFO, VARNING
from budgets.models import (
    BALANCE_ITEM_CHOICES,
    STATEMENT_INPUTS,
    BudgetYear,
    ShareKind,
    Side,
    statement_input_label,
)
from budgets.selectors import PlanFigures, calc_key, line_share_kinds, plan_figures
from budgets.tables import BALANCE_ROWS, RESULT_ROWS, SHARE_LABELS, subtotal_label
from finsam.members import AF, FK, KOMMUN, REGION
from finsam.xlsx import (
    AMOUNT_FORMAT,
    BOLD,
    HEAD_FILL,
    INPUT_FILL,
    plain_text,
    put,
    put_formula,
    put_row,
    put_text,
)
from plans.models import Plan

# Sheet names, and the Budget sheet's columns that describe a line (the import reads these).
PLAN_SHEET, BUDGET_SHEET, MEMBERS_SHEET = "Planen", "Budget", "Medlemsbidrag"
EQUITY_SHEET, RESULT_SHEET, BALANCE_SHEET = "Eget kapital", "Resultatbudget", "Balansbudget"
INSATS_SHEET, FINDINGS_SHEET = "Insatser", "Kontroller"
LINE_HEADERS = ("Grupp", "Kategori", "Benämning", "Insats", "Fotnot", "Sammanfattande", "Beslutad")
HEADER_ROW = 4
FIRST_ROW = HEADER_ROW + 1
# The Grupp column of a row that holds a year's resultatbudget rows (a column typed that way).
STATEMENT_GROUP = "(resultatbudget)"
MEDLEMSBIDRAG_LABEL = "Medlemsbidrag"
BUDGETED_PREFIX = "Budgeterat"  # a column after planned under-use: computed, never imported
YES, NO = "ja", "nej"
SHARE_KINDS = (INDIVID, STRUKTUR, FORVALTNING, OVRIGT, EJ_ANGIVET)
STATEMENT_NAMES = {VERKSAMHET: "verksamhet", AVSKRIVNING: "avskrivning", FINANSIELL: "finansiell"}
# Whether a formula for the largest remainder stays exact: a spreadsheet computes in binary
# floating point, exact for integers below 2**53.
EXACT_LIMIT = 2**53

PERCENT_FORMAT = "0.0%"
SEVERITY_LABELS = {FEL: "Fel", VARNING: "Varning", INFO: "Info"}

# The Budget sheet's cell that says the unit its amounts are in (A3 the label, B3 "kr" or "tkr"):
# the export is in kronor, a template in the förbund's unit, and the import reads either.
UNIT_ROW, UNIT_LABEL = 3, "Belopp i"
# A line's inputs after the amount and helper columns, read by their headers.
SHARE_KIND_HEADER, ROOM_HEADER, NOTE_PREFIX = "Räknas i andelen", "Utrymme räknas fram", "Fotnot "
# The sheet of each year column's inputs (one column per year column), and the plan's own inputs
# (label in A, value in B) that the template puts under them and the export on Planen.
YEAR_SHEET = "År"
YEAR_FIELDS = (
    "level",
    "ceiling_percent",
    "ceiling_amount",
    "floor_amount",
    "target_note",
    "min_individ_percent",
    "deficit_reason",
    "comparison_ib",
    "stated_ib",
    "anlaggningstillgangar",
    "omsattningstillgangar",
    "avsattningar",
    "langfristiga_skulder",
    "kortfristiga_skulder",
    "balance_item",
)
PERCENT_FIELDS = {"ceiling_percent", "min_individ_percent", "under_use_percent"}
TEXT_FIELDS = {"deficit_reason", "target_note", "level", "balance_item"}
PLAN_FIELDS = {
    "opening_equity": "Ingående eget kapital, budgetåret",
    "under_use_percent": "Planerat underutnyttjande av insatser (%)",
    "deficit_reason": "Motivering till planerat underskott",
}
BALANCE_ITEM_LABELS = {code: label for code, label in BALANCE_ITEM_CHOICES if code}
# The förbund's own rows in its statements (StatementNote): a row per row, in their order.
OWN_ROWS_SHEET = "Egna rader"
OWN_ROWS_HEADERS = ("Budget", "Post", "Uppgift")


def year_field_label(name: str) -> str:
    """How the År sheet names a BudgetYear input: its verbose name."""
    return str(BudgetYear._meta.get_field(name).verbose_name).capitalize()


def share_kind_text(code: str) -> str:
    return str(ShareKind(code).label) if code else ""


def in_unit(value: Decimal, divisor: int) -> int | Decimal:
    """An amount in kronor as the sheet's unit shows it: whole numbers as int, tkr with its
    decimals (1 500 kr is 1.5 tkr)."""
    shown = Decimal(value) / divisor
    return int(shown) if shown == shown.to_integral_value() else shown.normalize()


def year_cell_value(row: BudgetYear, name: str, divisor: int):
    """What the År sheet holds for one input of a year column."""
    value = getattr(row, name)
    if name == "balance_item":
        return BALANCE_ITEM_LABELS.get(value) or None
    if name in TEXT_FIELDS:
        return value or None
    if value is None:
        return None
    if name in PERCENT_FIELDS:
        return value.normalize()
    return in_unit(value.amount, divisor)


def write_year_sheet(ws, figures: PlanFigures, *, divisor: int, plan_rows: bool) -> None:
    """The År sheet: one row per input, one column per year column (the same labels as the
    Budget sheet's amount columns); the template adds the plan's own inputs below."""
    unit = "tkr" if divisor == 1000 else "kr"
    put_text(ws.cell(row=1, column=1), f"Uppgift (belopp i {unit})").font = BOLD
    for index, c in enumerate(figures.columns, start=2):
        put_text(ws.cell(row=1, column=index), c.label).font = BOLD
    for r, name in enumerate(YEAR_FIELDS, start=2):
        put_text(ws.cell(row=r, column=1), year_field_label(name))
        for index, c in enumerate(figures.columns, start=2):
            cell = put(ws.cell(row=r, column=index), year_cell_value(c.entered, name, divisor))
            cell.fill = INPUT_FILL
            if name not in TEXT_FIELDS and name not in PERCENT_FIELDS:
                cell.number_format = AMOUNT_FORMAT
    if plan_rows:
        plan = figures.plan
        heading = len(YEAR_FIELDS) + 3
        put_text(ws.cell(row=heading, column=1), "Planen").font = BOLD
        values = {
            "opening_equity": in_unit(plan.opening_equity.amount, divisor),
            "under_use_percent": plan.under_use_percent.normalize(),
            "deficit_reason": plan.deficit_reason or None,
        }
        for r, (name, label) in enumerate(PLAN_FIELDS.items(), start=heading + 1):
            put_text(ws.cell(row=r, column=1), label)
            put(ws.cell(row=r, column=2), values[name]).fill = INPUT_FILL
    ws.column_dimensions["A"].width = 52
    for index in range(2, len(figures.columns) + 2):
        ws.column_dimensions[get_column_letter(index)].width = 16


def write_own_rows_sheet(ws, plan: Plan) -> None:
    """The Egna rader sheet: Budget (Resultatbudget or Balansbudget), Post, Uppgift; the same
    text stands in every year's column of the statement, so one row holds it."""
    for cell in put_row(ws, 1, OWN_ROWS_HEADERS):
        cell.font = BOLD
    for r, note in enumerate(plan.statement_notes.all(), start=2):
        put_text(ws.cell(row=r, column=1), note.get_statement_display())
        for col, text in ((2, note.label), (3, note.text)):
            put_text(ws.cell(row=r, column=col), text).fill = INPUT_FILL
    for letter, width in {"A": 18, "B": 40, "C": 40}.items():
        ws.column_dimensions[letter].width = width


@dataclass
class Export:
    """The workbook and, for the tests and the audit, which app figure each computed cell is:
    {(sheet, "B7"): ("col", index, "kostnader") and the like}."""

    workbook: Workbook
    figures: PlanFigures
    computed: dict[tuple[str, str], tuple] = field(default_factory=dict)

    def save(self) -> bytes:
        out = BytesIO()
        self.workbook.save(out)
        return out.getvalue()


def _ref(sheet: str, col: int, row: int, *, absolute: bool = False) -> str:
    letter = get_column_letter(col)
    cell = f"${letter}${row}" if absolute else f"{letter}{row}"
    return f"'{sheet}'!{cell}"


def _amount(value: Decimal | int | None):
    # Whole kronor as an integer: the cell shows what the app shows, to the krona.
    return None if value is None else int(value)


class _Sheet:
    """A sheet being written, with the cell styles of the workbook."""

    def __init__(self, export: Export, ws: Worksheet):
        self.export, self.ws, self.name = export, ws, ws.title

    def label(self, row: int, col: int, value, *, bold: bool = False) -> None:
        """A text (always as text, whatever a person typed: finsam.xlsx) or a plain value."""
        cell = put(self.ws.cell(row=row, column=col), value)
        if bold:
            cell.font = BOLD

    def put(self, row: int, col: int, value, *, fmt: str = AMOUNT_FORMAT) -> None:
        """A typed figure: a plain, yellow cell."""
        cell = put(self.ws.cell(row=row, column=col), value)
        cell.fill = INPUT_FILL
        cell.number_format = fmt

    def formula(self, row: int, col: int, text: str, what: tuple | None, **kw) -> None:
        """A computed figure: a formula, and which app figure it is."""
        cell = put_formula(self.ws.cell(row=row, column=col), text)
        cell.number_format = kw.get("fmt", AMOUNT_FORMAT)
        if kw.get("bold"):
            cell.font = BOLD
        if what is not None:
            self.export.computed[(self.name, cell.coordinate)] = what

    def header(self, row: int, labels: list[str], start: int = 1) -> None:
        for offset, text in enumerate(labels):
            cell = put_text(self.ws.cell(row=row, column=start + offset), text)
            cell.font = BOLD
            cell.fill = HEAD_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    def finish(self, widths: dict[int, float], *, freeze: str, title_rows: str) -> None:
        for col, width in widths.items():
            self.ws.column_dimensions[get_column_letter(col)].width = width
        self.ws.freeze_panes = freeze
        self.ws.print_title_rows = title_rows
        setup = self.ws.page_setup
        setup.orientation = "landscape"
        setup.paperSize = self.ws.PAPERSIZE_A4
        setup.fitToWidth, setup.fitToHeight = 1, 0
        self.ws.sheet_properties.pageSetUpPr.fitToPage = True


@dataclass
class _BudgetLayout:
    """Where the Budget sheet put things, for the other sheets' formulas."""

    typed_col: dict[int, int]  # column index -> its typed column
    budgeted_col: dict[int, int]  # -> the column the sums read (after under-use)
    side_col: int
    statement_col: int
    decided_col: int
    share_col: dict[str, int]
    line_row: dict[int, int]  # line pk -> row
    cost_ranges: list[tuple[int, int]]  # rows of cost lines (contiguous, per group)
    income_ranges: list[tuple[int, int]]
    medlemsbidrag_row: int
    rows: dict[str, int]  # intakter, ib, available, kostnader, resultat, ub
    extra_col: int = 0  # the share kind, the room and the amounts' footnotes, in that order


def export_plan(plan: Plan, figures: PlanFigures | None = None) -> Export:
    """The plan's workbook: Planen, Budget, Medlemsbidrag, Eget kapital, Resultatbudget,
    Balansbudget, Insatser, Kontroller, År and Egna rader."""
    figures = figures or plan_figures(plan)
    wb = Workbook()
    export = Export(wb, figures)
    wb.properties.title = plain_text(f"{plan.title} – {plan.forbund_name}")
    wb.properties.subject = plain_text(plan.forbund_name)
    wb.properties.creator = "Finsam Plan"
    wb.properties.keywords = f"verksamhetsplan, budget, {plan.budget_year}"
    wb.properties.description = f"Status: {plan.get_status_display()}, version {plan.version}"
    plan_ws = wb.active
    plan_ws.title = PLAN_SHEET
    inputs = _plan_sheet(_Sheet(export, plan_ws), plan, figures)
    budget = _Sheet(export, wb.create_sheet(BUDGET_SHEET))
    members = _Sheet(export, wb.create_sheet(MEMBERS_SHEET))
    equity = _Sheet(export, wb.create_sheet(EQUITY_SHEET))
    layout = _budget_sheet(budget, plan, figures, inputs)
    member_cells = _members_sheet(members, plan, figures, layout, inputs)
    equity_rows = _equity_sheet(equity, figures, layout, inputs)
    _budget_member_and_equity_rows(budget, figures, layout, member_cells, equity_rows)
    _result_sheet(_Sheet(export, wb.create_sheet(RESULT_SHEET)), figures, layout)
    _balance_sheet(_Sheet(export, wb.create_sheet(BALANCE_SHEET)), figures, equity_rows)
    _insats_sheet(_Sheet(export, wb.create_sheet(INSATS_SHEET)), figures, layout)
    _findings_sheet(_Sheet(export, wb.create_sheet(FINDINGS_SHEET)), figures)
    write_year_sheet(wb.create_sheet(YEAR_SHEET), figures, divisor=1, plan_rows=False)
    write_own_rows_sheet(wb.create_sheet(OWN_ROWS_SHEET), plan)
    return export


# --- Planen ------------------------------------------------------------------------------------


def _plan_sheet(sheet: _Sheet, plan: Plan, figures: PlanFigures) -> dict[str, str]:
    """The plan's facts and its inputs that are not per year; returns their cell references."""
    sheet.label(1, 1, plan.title, bold=True)
    facts = [
        ("Förbund", plan.forbund_name),
        ("Status", f"{plan.get_status_display()}, version {plan.version}"),
        ("Belopp i", "kronor (planen visar " + plan.amount_unit_label + ")"),
        ("Exporterad", timezone.localtime().strftime("%Y-%m-%d %H:%M")),
    ]
    row = 3
    for label, value in facts:
        sheet.label(row, 1, label, bold=True)
        sheet.label(row, 2, value)
        row += 1
    row += 1
    refs = {}
    for key, label, value, fmt in (
        ("unit", "Avrundningsenhet för medlemmarnas delar (kr)", plan.rounding_unit, "0"),
        ("opening", PLAN_FIELDS["opening_equity"], _amount(plan.opening_equity.amount), None),
        ("under_use", PLAN_FIELDS["under_use_percent"], plan.under_use_percent, "0.00"),
        ("deficit", PLAN_FIELDS["deficit_reason"], plan.deficit_reason or None, "@"),
    ):
        sheet.label(row, 1, label, bold=True)
        sheet.put(row, 2, value, fmt=fmt or AMOUNT_FORMAT)
        refs[key] = _ref(PLAN_SHEET, 2, row, absolute=True)
        row += 1
    row += 1
    notes = [
        "Gula celler är inmatade uppgifter; alla andra belopp räknas med formler ur dem.",
        "Medlemsbidraget fördelas med fasta andelar: staten (Försäkringskassan, som också betalar "
        "för Arbetsförmedlingen) 50 %, regionen 25 %, kommunerna 25 % (regionen 50 % när den "
        "har kommunens roll), i hela avrundningsenheter med största-rest-metoden: först "
        "blocken, sedan kommunernas block efter fördelningstal. Lika rester går till den "
        "tidigare raden. Bladet Medlemsbidrag visar uträkningen med formler.",
        "Ingående eget kapital för ett planår är förra årets utgående.",
        "Sammanfattande rader räknas de år som budgeteras per grupp, detaljrader de år som "
        "budgeteras rad för rad; en tom cell är en rad som inte gäller det året.",
    ]
    for text in notes:
        sheet.label(row, 1, text)
        row += 1
    sheet.finish({1: 48, 2: 60}, freeze="A3", title_rows="1:1")
    return refs


# --- Budget ------------------------------------------------------------------------------------


def _sum_ranges(col: int, ranges: list[tuple[int, int]]) -> str:
    letter = get_column_letter(col)
    parts = [f"{letter}{a}:{letter}{b}" for a, b in ranges]
    return f"SUM({','.join(parts)})" if parts else "0"


def _sumproduct(
    col: int,
    ranges: list[tuple[int, int]],
    *,
    where: tuple[tuple[int, str], ...] = (),
    weight: int = 0,
    sheet: str = "",
) -> str:
    """Σ over the Budget sheet's line rows of the amount column, where each (column, value) of
    `where` holds, times a weight column; `sheet` names the Budget sheet from another sheet."""
    prefix = f"'{sheet}'!" if sheet else ""

    def cells(c: int, a: int, b: int) -> str:
        letter = get_column_letter(c)
        return f"{prefix}{letter}{a}:{letter}{b}"

    parts = []
    for a, b in ranges:
        factors = [f'({cells(c, a, b)}="{value}")' for c, value in where]
        factors.append(cells(col, a, b))
        if weight:
            factors.append(cells(weight, a, b))
        joiner = "*" if where else ","
        parts.append(f"SUMPRODUCT({joiner.join(factors)})")
    return "+".join(parts) if parts else "0"


def _split_ranges(ranges: list[tuple[int, int]], skip: int) -> list[tuple[int, int]]:
    out = []
    for a, b in ranges:
        if a <= skip <= b:
            if a < skip:
                out.append((a, skip - 1))
            if skip < b:
                out.append((skip + 1, b))
        else:
            out.append((a, b))
    return out


def _budget_sheet(sheet: _Sheet, plan: Plan, figures: PlanFigures, inputs: dict) -> _BudgetLayout:
    ws = sheet.ws
    columns = figures.columns
    under_use = plan.under_use_percent > 0
    sheet.label(1, 1, f"Budget {plan.period} – {plan.forbund_name}", bold=True)
    sheet.label(
        2,
        1,
        "Belopp i kronor. Gula celler skrivs in, övriga räknas. En tom cell: raden gäller inte "
        "det året (se bladet Planen).",
    )
    sheet.label(UNIT_ROW, 1, UNIT_LABEL, bold=True)
    sheet.label(UNIT_ROW, 2, "kr")
    headers = list(LINE_HEADERS)
    typed_col, budgeted_col = {}, {}
    col = len(LINE_HEADERS) + 1
    for index, c in enumerate(columns):
        typed_col[index] = col
        headers.append(c.label)
        col += 1
        if under_use and not c.is_comparison:
            budgeted_col[index] = col
            headers.append(f"{BUDGETED_PREFIX} {c.year}")
            col += 1
        else:
            budgeted_col[index] = typed_col[index]
    side_col, statement_col = col, col + 1
    share_col = {kind: col + 2 + i for i, kind in enumerate(SHARE_KINDS)}
    decided_col = len(LINE_HEADERS)
    headers += ["Sida", "Rad i resultatbudgeten"]
    headers += [f"Andel {SHARE_LABELS[k].lower()}" for k in SHARE_KINDS]
    extra_col = len(headers) + 1
    headers += [SHARE_KIND_HEADER, ROOM_HEADER, *(NOTE_PREFIX + c.label for c in columns)]
    sheet.header(HEADER_ROW, headers)

    row = FIRST_ROW
    sheet.label(row, 3, "Intäkter", bold=True)
    row += 1
    mb_row = row
    sheet.label(row, 3, MEDLEMSBIDRAG_LABEL, bold=True)
    for index, c in enumerate(columns):
        sheet.put(row, typed_col[index], _amount(c.entered.medlemsbidrag.amount))
    row += 1
    member_rows_start = row
    row += _member_row_count(figures)

    layout = _BudgetLayout(
        typed_col=typed_col,
        budgeted_col=budgeted_col,
        side_col=side_col,
        statement_col=statement_col,
        decided_col=decided_col,
        share_col=share_col,
        line_row={},
        cost_ranges=[],
        income_ranges=[],
        medlemsbidrag_row=mb_row,
        rows={"members": member_rows_start},
        extra_col=extra_col,
    )
    row = _group_rows(sheet, plan, figures, layout, inputs, Side.INTAKT, row)
    statement_rows = {}
    if any(c.level == "resultat" for c in columns):
        for name, side, statement in STATEMENT_INPUTS:
            sheet.label(row, 1, STATEMENT_GROUP)
            sheet.label(row, 3, statement_input_label(name))
            sheet.label(row, side_col, side)
            sheet.label(row, statement_col, STATEMENT_NAMES[statement])
            sheet.label(row, share_col[EJ_ANGIVET], 1 if side == KOSTNAD else None)
            sheet.label(row, decided_col, YES)
            for index, c in enumerate(columns):
                if c.level == "resultat":
                    sheet.put(row, typed_col[index], _amount(getattr(c.entered, name).amount))
            ranges = layout.cost_ranges if side == KOSTNAD else layout.income_ranges
            ranges.append((row, row))
            statement_rows[name] = row
            row += 1
    rows = layout.rows
    rows["intakter"], rows["ib"], rows["available"] = row, row + 1, row + 2
    sheet.label(row, 3, "Summa intäkter", bold=True)
    sheet.label(row + 1, 3, "Ingående eget kapital")
    sheet.label(row + 2, 3, "Summa tillgängliga medel", bold=True)
    for index in range(len(columns)):
        t, b = typed_col[index], budgeted_col[index]
        mb = f"{get_column_letter(t)}{mb_row}"
        sheet.formula(
            row,
            b,
            f"{mb}+{_sum_ranges(b, layout.income_ranges)}",
            ("col", index, "intakter"),
            bold=True,
        )
        sheet.formula(
            row + 2,
            b,
            f"{get_column_letter(b)}{row + 1}+{get_column_letter(b)}{row}",
            ("col", index, "available"),
            bold=True,
        )
    row += 3
    sheet.label(row, 3, "Kostnader", bold=True)
    row += 1
    row = _group_rows(sheet, plan, figures, layout, inputs, Side.KOSTNAD, row)
    rows["kostnader"], rows["resultat"], rows["ub"] = row, row + 1, row + 2
    sheet.label(row, 3, "Summa kostnader", bold=True)
    sheet.label(row + 1, 3, "Årets resultat", bold=True)
    sheet.label(row + 2, 3, "Utgående eget kapital", bold=True)
    for index in range(len(columns)):
        b = budgeted_col[index]
        letter = get_column_letter(b)
        sheet.formula(
            row, b, _sum_ranges(b, layout.cost_ranges), ("col", index, "kostnader"), bold=True
        )
        sheet.formula(
            row + 1,
            b,
            f"{letter}{rows['intakter']}-{letter}{row}",
            ("col", index, "resultat"),
            bold=True,
        )
    row += 4
    rows["shares"] = row
    sheet.label(row, 3, "Andelar av kostnaderna", bold=True)
    row += 1
    for kind in SHARE_KINDS:
        sheet.label(row, 3, SHARE_LABELS[kind])
        for index, c in enumerate(columns):
            b = budgeted_col[index]
            total = f"{get_column_letter(b)}{rows['kostnader']}"
            part = _sumproduct(b, layout.cost_ranges, weight=share_col[kind])
            sheet.formula(
                row,
                b,
                f"IF({total}=0,0,({part})/{total})",
                ("share", index, kind) if kind in c.result.shares else None,
                fmt=PERCENT_FORMAT,
            )
        row += 1
    widths = {1: 24, 2: 22, 3: 40, 4: 22, 5: 24, 6: 9, 7: 9}
    widths.update({col: 14 for col in range(len(LINE_HEADERS) + 1, side_col)})
    widths.update({side_col: 9, statement_col: 12})
    widths.update({col: 11 for col in share_col.values()})
    sheet.finish(widths, freeze=f"D{FIRST_ROW}", title_rows=f"{HEADER_ROW}:{HEADER_ROW}")
    ws.auto_filter.ref = None
    return layout


def _member_row_count(figures: PlanFigures) -> int:
    rows = [
        m for m in figures.members if m.kind != AF and (m.kind != KOMMUN or figures.kommun_parts)
    ]
    has_block = not figures.kommun_parts and any(m.kind == KOMMUN for m in figures.members)
    return len(rows) + (1 if has_block else 0)


def _group_rows(sheet, plan, figures, layout, inputs, side, row) -> int:
    """The groups of one side: a heading, the lines, the subtotal, and a total over groups
    after the last of its groups (as budgets.tables lays them out)."""
    columns = figures.columns
    groups = [g for g in figures.groups if g.side == side]
    by_pk = {g.pk: g for g in groups}
    lines_of = {g.pk: [ln for ln in figures.lines if ln.category.group_id == g.pk] for g in groups}
    last_child = {}
    for g in groups:
        if lines_of[g.pk] and g.parent_id in by_pk:
            last_child[g.parent_id] = g.pk
    ranges = layout.cost_ranges if side == Side.KOSTNAD else layout.income_ranges
    parent_parts: dict[int, list[str]] = {}
    room_rows = []
    for group in groups:
        is_parent = group.pk in last_child
        if not lines_of[group.pk] and not is_parent:
            continue
        sheet.label(row, 3, group.name, bold=True)
        row += 1
        first = row
        for line in lines_of[group.pk]:
            _line_row(sheet, plan, figures, layout, inputs, line, row)
            if line.computed_room:
                room_rows.append(row)
            row += 1
        if row > first:
            ranges.append((first, row - 1))
        own = (first, row - 1) if row > first else None
        if group.parent_id in by_pk and own:
            parent_parts.setdefault(group.parent_id, [])
        if not is_parent:
            sheet.label(row, 3, subtotal_label(group.name), bold=True)
            for index, c in enumerate(columns):
                if own is None or not any(c.shows(ln) for ln in lines_of[group.pk]):
                    continue
                b = layout.budgeted_col[index]
                sheet.formula(
                    row,
                    b,
                    _sum_ranges(b, [own]),
                    ("group", index, calc_key(group)),
                    bold=True,
                )
            if group.parent_id in by_pk:
                parent_parts.setdefault(group.parent_id, []).append(str(row))
            row += 1
        else:
            parent_parts.setdefault(group.pk, [])
            if own:
                parent_parts[group.pk].append(f"own:{own[0]}:{own[1]}")
        parent = by_pk.get(group.parent_id)
        if parent is not None and last_child.get(parent.pk) == group.pk:
            sheet.label(row, 3, subtotal_label(parent.name), bold=True)
            under = [
                ln for g in groups if parent.pk in (g.pk, g.parent_id) for ln in lines_of[g.pk]
            ]
            for index, c in enumerate(columns):
                if not any(c.shows(ln) for ln in under):
                    continue
                b = layout.budgeted_col[index]
                letter = get_column_letter(b)
                terms = []
                for part in parent_parts.get(parent.pk, []):
                    if part.startswith("own:"):
                        _, a, z = part.split(":")
                        terms.append(f"SUM({letter}{a}:{letter}{z})")
                    else:
                        terms.append(f"{letter}{part}")
                sheet.formula(
                    row,
                    b,
                    "+".join(terms) or "0",
                    ("parent", index, calc_key(parent)),
                    bold=True,
                )
            row += 1
    for room_row in room_rows:
        _room_formulas(sheet, figures, layout, room_row)
    return row


def _line_row(sheet, plan, figures, layout, inputs, line, row) -> None:
    group = line.category.group
    layout.line_row[line.pk] = row
    sheet.label(row, 1, group.name)
    sheet.label(row, 2, line.category.name)
    sheet.label(row, 3, line.name)
    sheet.label(row, 4, line.insats.name if line.insats is not None else None)
    sheet.label(row, 5, line.note or None)
    sheet.label(row, 6, YES if line.summary else NO)
    sheet.label(row, 7, YES if line.decided and not line.computed_room else NO)
    sheet.label(row, layout.side_col, group.side)
    sheet.label(row, layout.statement_col, STATEMENT_NAMES[line.category.statement])
    extra = layout.extra_col
    sheet.label(row, extra, share_kind_text(line.share_kind) or None)
    sheet.label(row, extra + 1, YES if line.computed_room else NO)
    for index, c in enumerate(figures.columns):
        note = figures.cell_notes.get((line.pk, c.year, c.kind))
        sheet.label(row, extra + 2 + index, note or None)
    kinds = line_share_kinds(line, group) if group.side == Side.KOSTNAD else {}
    if group.side == Side.KOSTNAD and not kinds:
        kinds = {EJ_ANGIVET: Decimal(1)}
    for kind, col in layout.share_col.items():
        if kind in kinds:
            sheet.ws.cell(row=row, column=col, value=kinds[kind]).number_format = "0.00"
    under_use_applies = group.is_insats and group.side == Side.KOSTNAD
    for index, c in enumerate(figures.columns):
        if not c.shows(line) or line.computed_room:
            continue
        t, b = layout.typed_col[index], layout.budgeted_col[index]
        sheet.put(row, t, _amount(figures.typed.get((line.pk, c.year, c.kind), Decimal(0))))
        if b != t:
            typed = f"{get_column_letter(t)}{row}"
            text = f"ROUND({typed}*(1-{inputs['under_use']}/100),0)" if under_use_applies else typed
            sheet.formula(row, b, text, ("line", index, calc_key(line)))


def _room_formulas(sheet, figures, layout, row) -> None:
    """Utrymme för ny verksamhet as a cost: what is left after the other costs and the floor,
    never below 0. The other costs are summed over the line rows without this one, so the
    formula never refers to itself."""
    others = _split_ranges(layout.cost_ranges, row)
    for index, c in enumerate(figures.columns):
        line = next(ln for ln in figures.lines if layout.line_row.get(ln.pk) == row)
        if not c.shows(line):
            continue
        b = layout.budgeted_col[index]
        letter = get_column_letter(b)
        available = f"{letter}{layout.rows['available']}"
        floor = _ref(EQUITY_SHEET, 2 + index, EQUITY_ROWS["floor"])
        sheet.formula(
            row,
            b,
            f"MAX(0,{available}-({_sum_ranges(b, others)})-N({floor}))",
            ("line", index, calc_key(line)),
        )


# --- Medlemsbidrag -------------------------------------------------------------------------


def _members_sheet(sheet, plan, figures, layout, inputs) -> dict[tuple[int, str], str]:
    """Each column's split, by the largest remainder, with formulas: returns the cell of each
    member's part (and of the kommun block) per column, {(column index, key): reference}."""
    sheet.label(1, 1, f"Medlemsbidrag per medlem – {plan.title}", bold=True)
    sheet.label(
        2,
        1,
        "Största-rest-metoden i hela avrundningsenheter: Heltal = INT(enheter·vikt/Σvikt), "
        "Rest = MOD(enheter·vikt; Σvikt); de återstående enheterna går till de största resterna "
        "(lika rester: den tidigare raden).",
    )
    cells: dict[tuple[int, str], str] = {}
    row = 4
    for index, c in enumerate(figures.columns):
        sheet.label(row, 1, c.label, bold=True)
        row += 1
        mb = _ref(BUDGET_SHEET, layout.typed_col[index], layout.medlemsbidrag_row)
        sheet.label(row, 1, "Medlemsbidrag")
        sheet.formula(row, 2, mb, ("col", index, "medlemsbidrag"))
        sheet.label(row + 1, 1, "Enheter att fördela")
        sheet.formula(row + 1, 2, f"B{row}/{inputs['unit']}", None, fmt="0")
        units_cell = f"$B${row + 1}"
        row += 2
        if c.result.split_error:
            sheet.label(row, 1, f"Kan inte fördelas: {c.result.split_error}")
            row += 2
            continue
        members = {m.kind: m for m in c.result.members if m.kind in (FK, REGION)}
        region_role = plan.region_has_kommun_role
        blocks = [
            ("Staten (Försäkringskassan)", STAT, 2),
            ("Regionen", REGION_BLOCK, 2 if region_role else 1),
        ]
        if not region_role:
            blocks.append(("Kommunerna", KOMMUNER, 1))
        block_cells, row = largest_remainder_rows(
            sheet,
            row,
            units_cell,
            [(label, w) for label, _, w in blocks],
            inputs,
            [("block", index, key) for _, key, _ in blocks],
        )
        for (_, key, _), cell in zip(blocks, block_cells, strict=True):
            cells[(index, key)] = cell
        if FK in members:
            cells[(index, members[FK].key)] = block_cells[0]
        if REGION in members:
            cells[(index, members[REGION].key)] = block_cells[1]
        kommuner = [m for m in c.result.members if m.kind == KOMMUN]
        split_kommuner = figures.kommun_parts and kommuner and not c.result.kommun_error
        if split_kommuner and not region_role:
            weights = integer_weights([k.weight for k in kommuner])
            block_units = block_cells[2].replace(f"'{MEMBERS_SHEET}'!G", "F")  # its units
            sheet.label(row, 1, "Kommunernas block per kommun", bold=True)
            row += 1
            # The formula stays exact while every product fits a binary float's integers.
            if (
                int(c.result.split_blocks[KOMMUNER]) // plan.rounding_unit * sum(weights)
                < EXACT_LIMIT
            ):
                kommun_cells, row = largest_remainder_rows(
                    sheet,
                    row,
                    block_units,
                    [(k.name, w) for k, w in zip(kommuner, weights, strict=True)],
                    inputs,
                    [("member", index, k.key) for k in kommuner],
                )
            else:
                kommun_cells = []
                sheet.label(
                    row,
                    1,
                    "Fördelningstalen är för stora för en exakt formel; delarna står som värden, "
                    "uträknade med samma regel.",
                )
                row += 1
                for k in kommuner:
                    sheet.label(row, 1, k.name)
                    sheet.put(row, 7, _amount(c.result.member_parts.get(k.key)))
                    kommun_cells.append(_ref(MEMBERS_SHEET, 7, row))
                    row += 1
            for k, cell in zip(kommuner, kommun_cells, strict=True):
                cells[(index, k.key)] = cell
        row += 1
    sheet.finish({1: 32, 2: 10, 3: 14, 4: 14, 5: 10, 6: 10, 7: 16}, freeze="A4", title_rows="1:1")
    return cells


def largest_remainder_rows(sheet, row, units, parts, inputs, whats) -> tuple[list[str], int]:
    """Rows that split `units` (a cell) by integer weights with the largest remainder; returns
    the cell of each part's amount (kronor: units × inputs["unit"], a cell or an expression)
    and the next free row. Any sheet with label, put, formula and header as _Sheet's may
    take them (followup.excel_annual splits eget kapital with it)."""
    sheet.header(row, ["Del", "Vikt", "Heltal", "Rest", "Ordning", "Enheter", "Belopp"])
    row += 1
    first, last = row, row + len(parts) - 1
    cells = []
    for offset, (label, weight) in enumerate(parts):
        r = first + offset
        sheet.label(r, 1, label)
        sheet.put(r, 2, weight, fmt="0")
        total = f"SUM($B${first}:$B${last})"
        sheet.formula(r, 3, f"INT({units}*B{r}/{total})", None, fmt="0")
        sheet.formula(r, 4, f"MOD({units}*B{r},{total})", None, fmt="0")
        earlier = f"+COUNTIF($D${first}:D{r - 1},D{r})" if r > first else ""
        sheet.formula(r, 5, f'1+COUNTIF($D${first}:$D${last},">"&D{r}){earlier}', None, fmt="0")
        sheet.formula(
            r,
            6,
            f"C{r}+IF(E{r}<={units}-SUM($C${first}:$C${last}),1,0)",
            None,
            fmt="0",
        )
        sheet.formula(r, 7, f"F{r}*{inputs['unit']}", whats[offset])
        cells.append(_ref(sheet.name, 7, r))
    return cells, last + 2


def _budget_member_and_equity_rows(sheet, figures, layout, member_cells, equity_rows) -> None:
    """The Budget sheet's "varav" rows and its IB and UB, which read the other sheets."""
    row = layout.rows["members"]
    block_done = False
    for member in figures.members:
        if member.kind == AF:
            continue
        if member.kind == KOMMUN and not figures.kommun_parts:
            if block_done:
                continue
            block_done = True
            sheet.label(row, 3, "varav Kommunerna tillsammans")
            for index in range(len(figures.columns)):
                cell = member_cells.get((index, KOMMUNER))
                if cell:
                    sheet.formula(row, layout.typed_col[index], cell, ("block", index, KOMMUNER))
            row += 1
            continue
        sheet.label(row, 3, f"varav {member.name}")
        key = calc_key(member)
        for index in range(len(figures.columns)):
            cell = member_cells.get((index, key))
            if cell:
                sheet.formula(row, layout.typed_col[index], cell, ("member", index, key))
        row += 1
    for index in range(len(figures.columns)):
        b = layout.budgeted_col[index]
        equity_col = 2 + index
        sheet.formula(
            layout.rows["ib"],
            b,
            _ref(EQUITY_SHEET, equity_col, EQUITY_ROWS["ib"]),
            ("col", index, "ib"),
        )
        sheet.formula(
            layout.rows["ub"],
            b,
            _ref(EQUITY_SHEET, equity_col, EQUITY_ROWS["ub"]),
            ("col", index, "ub"),
            bold=True,
        )


# --- Eget kapital ----------------------------------------------------------------------------

EQUITY_ROWS = {
    "ib": 3,
    "resultat": 4,
    "ub": 5,
    "ceiling_percent": 7,
    "ceiling_amount": 8,
    "ceiling": 9,
    "floor": 10,
    "decided": 12,
    "utrymme": 13,
    "individ": 15,
    "individ_share": 16,
    "min_individ": 17,
    "stated_ib": 19,
}
EQUITY_LABELS = {
    "ib": "Ingående eget kapital",
    "resultat": "Årets resultat",
    "ub": "Utgående eget kapital",
    "ceiling_percent": "Tak för eget kapital (% av medlemsbidraget)",
    "ceiling_amount": "Tak för eget kapital (belopp)",
    "ceiling": "Tak för eget kapital",
    "floor": "Golv för eget kapital",
    "decided": "Beslutade kostnader",
    "utrymme": "Utrymme för ny verksamhet",
    "individ": "Individinriktade kostnader",
    "individ_share": "Individinriktat av medlemsbidraget",
    "min_individ": "Minsta andel individinriktat (%)",
    "stated_ib": "Ingående eget kapital enligt planen (en avvikelse är en anmärkning)",
}


def _equity_sheet(sheet, figures, layout, inputs) -> dict[str, int]:
    sheet.label(
        1, 1, "Eget kapital år för år: IB + årets resultat = UB; IB(år + 1) = UB(år)", bold=True
    )
    sheet.header(2, ["Post"] + [c.label for c in figures.columns])
    for key, row in EQUITY_ROWS.items():
        sheet.label(row, 1, EQUITY_LABELS[key], bold=key in ("ub", "utrymme"))
    first_plan = next(i for i, c in enumerate(figures.columns) if not c.is_comparison)
    for index, c in enumerate(figures.columns):
        col = 2 + index
        letter = get_column_letter(col)
        b = layout.budgeted_col[index]

        def budget(key: str, b: int = b) -> str:
            return _ref(BUDGET_SHEET, b, layout.rows[key])

        entered = c.entered
        r = EQUITY_ROWS
        if c.is_comparison:
            ib = entered.comparison_ib.amount if entered.comparison_ib is not None else 0
            sheet.put(r["ib"], col, _amount(ib))
        elif index == first_plan:
            sheet.formula(r["ib"], col, inputs["opening"], ("col", index, "ib"))
        else:
            prev = get_column_letter(col - 1)
            sheet.formula(r["ib"], col, f"{prev}{r['ub']}", ("col", index, "ib"))
        sheet.formula(r["resultat"], col, budget("resultat"), ("col", index, "resultat"))
        sheet.formula(
            r["ub"],
            col,
            f"{letter}{r['ib']}+{letter}{r['resultat']}",
            ("col", index, "ub"),
            bold=True,
        )
        if entered.ceiling_percent is not None:
            sheet.put(r["ceiling_percent"], col, entered.ceiling_percent, fmt="0.00")
        else:
            sheet.put(r["ceiling_percent"], col, None)
        amount = entered.ceiling_amount.amount if entered.ceiling_amount is not None else None
        sheet.put(r["ceiling_amount"], col, _amount(amount))
        mb = _ref(BUDGET_SHEET, layout.typed_col[index], layout.medlemsbidrag_row)
        pct, amt = f"{letter}{r['ceiling_percent']}", f"{letter}{r['ceiling_amount']}"
        sheet.formula(
            r["ceiling"],
            col,
            f'IF({amt}<>"",{amt},IF({pct}<>"",ROUND({mb}*{pct}/100,0),""))',
            ("col", index, "ceiling") if c.result.ceiling is not None else None,
        )
        floor = entered.floor_amount.amount if entered.floor_amount is not None else None
        sheet.put(r["floor"], col, _amount(floor))
        decided = _sumproduct(
            b, layout.cost_ranges, where=((layout.decided_col, YES),), sheet=BUDGET_SHEET
        )
        sheet.formula(r["decided"], col, decided, ("col", index, "decided_costs"))
        sheet.formula(
            r["utrymme"],
            col,
            f"{budget('available')}-{letter}{r['decided']}-N({letter}{r['floor']})",
            ("col", index, "utrymme"),
            bold=True,
        )
        sheet.formula(
            r["individ"],
            col,
            _sumproduct(
                b, layout.cost_ranges, weight=layout.share_col[INDIVID], sheet=BUDGET_SHEET
            ),
            ("col", index, "individ_costs"),
        )
        sheet.formula(
            r["individ_share"],
            col,
            f'IF({mb}=0,"",{letter}{r["individ"]}/{mb})',
            ("col", index, "individ_of_medlemsbidrag") if c.result.medlemsbidrag else None,
            fmt=PERCENT_FORMAT,
        )
        minimum = entered.min_individ_percent
        sheet.put(r["min_individ"], col, minimum, fmt="0.00")
        if not c.is_comparison and index > first_plan:
            stated = entered.stated_ib.amount if entered.stated_ib is not None else None
            sheet.put(r["stated_ib"], col, _amount(stated))
    widths = {1: 52} | {2 + i: 16 for i in range(len(figures.columns))}
    sheet.finish(widths, freeze="B3", title_rows="2:2")
    return EQUITY_ROWS


# --- Resultatbudget and balansbudget ------------------------------------------------------


def _result_sheet(sheet, figures, layout) -> None:
    sheet.label(1, 1, "Resultatbudget (kostnader negativa)", bold=True)
    sheet.header(2, ["Post"] + [c.label for c in figures.columns])
    rows = {attr: 3 + i for i, (_, attr, _) in enumerate(RESULT_ROWS)}
    for (label, _attr, style), row in zip(RESULT_ROWS, rows.values(), strict=True):
        sheet.label(row, 1, label, bold=bool(style))
    for index, _ in enumerate(figures.columns):
        col = 2 + index
        L = get_column_letter(col)
        b = layout.budgeted_col[index]

        def total(side: str, statement: str, b=b) -> str:
            ranges = layout.cost_ranges if side == KOSTNAD else layout.income_ranges
            where = ((layout.side_col, side), (layout.statement_col, STATEMENT_NAMES[statement]))
            return _sumproduct(b, ranges, where=where, sheet=BUDGET_SHEET)

        mb = _ref(BUDGET_SHEET, layout.typed_col[index], layout.medlemsbidrag_row)
        formulas = {
            "verksamhetens_intakter": f"{mb}+{total(INTAKT, VERKSAMHET)}",
            "verksamhetens_kostnader": f"-({total(KOSTNAD, VERKSAMHET)})",
            "avskrivningar": f"-({total(KOSTNAD, AVSKRIVNING)})",
            "verksamhetens_nettokostnader": f"{L}{rows['verksamhetens_intakter']}+{L}{rows['verksamhetens_kostnader']}+{L}{rows['avskrivningar']}",
            "finansiella_intakter": total(INTAKT, FINANSIELL),
            "finansiella_kostnader": f"-({total(KOSTNAD, FINANSIELL)})",
            "arets_resultat": f"{L}{rows['verksamhetens_nettokostnader']}+{L}{rows['finansiella_intakter']}+{L}{rows['finansiella_kostnader']}",
        }
        for attr, row in rows.items():
            sheet.formula(
                row, col, formulas[attr], ("statement", index, attr), bold=attr == "arets_resultat"
            )
    sheet.finish(
        {1: 34} | {2 + i: 16 for i in range(len(figures.columns))}, freeze="B3", title_rows="2:2"
    )


def _balance_sheet(sheet, figures, equity_rows) -> None:
    sheet.label(1, 1, "Balansbudget: eget kapital ur budgeten, övrigt inmatat", bold=True)
    sheet.header(2, ["Post"] + [c.label for c in figures.columns])
    rows = {attr: 3 + i for i, (_, attr, _) in enumerate(BALANCE_ROWS)}
    rows["difference"] = 3 + len(BALANCE_ROWS)
    for (label, _attr, style), row in zip(BALANCE_ROWS, list(rows.values()), strict=False):
        sheet.label(row, 1, label, bold=bool(style))
    sheet.label(
        rows["difference"], 1, "Skillnad (tillgångar − eget kapital, avsättningar och skulder)"
    )
    for index, c in enumerate(figures.columns):
        entered = c.entered
        if not entered.has_balance:
            continue
        col = 2 + index
        L = get_column_letter(col)
        r = rows
        balancing = entered.balance_item
        for attr in BALANCING_ROWS:
            if attr != balancing:
                value = getattr(entered, attr)
                sheet.put(rows[attr], col, _amount(value.amount if value is not None else 0))
        formulas = {}
        if balancing:
            # The row computed to make the statement balance, as a formula over the others.
            others = [a for a in BALANCING_ROWS if a != balancing]
            assets = [f"{L}{r[a]}" for a in others if a in BALANCING_ASSETS]
            claims = [f"{L}{r['summa_eget_kapital']}"]
            claims += [f"{L}{r[a]}" for a in others if a in BALANCING_LIABILITIES]
            plus, minus = (claims, assets) if balancing in BALANCING_ASSETS else (assets, claims)
            formulas[balancing] = "+".join(plus) + "".join(f"-{ref}" for ref in minus)
        formulas |= {
            "summa_tillgangar": f"{L}{r['anlaggningstillgangar']}+{L}{r['omsattningstillgangar']}",
            "balanserat_eget_kapital": _ref(EQUITY_SHEET, col, equity_rows["ib"]),
            "arets_resultat": _ref(EQUITY_SHEET, col, equity_rows["resultat"]),
            "summa_eget_kapital": f"{L}{r['balanserat_eget_kapital']}+{L}{r['arets_resultat']}",
            "summa_skulder": f"{L}{r['langfristiga_skulder']}+{L}{r['kortfristiga_skulder']}",
            "summa_eget_kapital_avsattningar_skulder": f"{L}{r['summa_eget_kapital']}+{L}{r['avsattningar']}+{L}{r['summa_skulder']}",
            "difference": f"{L}{r['summa_tillgangar']}-{L}{r['summa_eget_kapital_avsattningar_skulder']}",
        }
        for attr, text in formulas.items():
            sheet.formula(rows[attr], col, text, ("balance", index, attr))
    sheet.finish(
        {1: 48} | {2 + i: 16 for i in range(len(figures.columns))}, freeze="B3", title_rows="2:2"
    )


# --- Insatser and Kontroller ------------------------------------------------------------------


def _insats_sheet(sheet, figures, layout) -> None:
    sheet.label(1, 1, "Insatser och deras beviljade belopp per år (ur budgetbladet)", bold=True)
    sheet.header(
        2,
        ["Insats", "Slag", "Insatsägare", "Start", "Slut", "Status"]
        + [c.label for c in figures.columns],
    )
    row = 3
    members = figures.members_by_pk
    for line in figures.lines:
        insats = line.insats
        if insats is None:
            continue
        agare = members.get(insats.agare_id)
        values = [
            insats.name,
            insats.kind_label,
            agare.name if agare else "",
            insats.start.isoformat(),
            insats.end.isoformat() if insats.end else "tills vidare",
            insats.get_status_display(),
        ]
        for col, value in enumerate(values, start=1):
            sheet.label(row, col, value)
        for index, c in enumerate(figures.columns):
            if not c.shows(line):
                continue
            cell = _ref(BUDGET_SHEET, layout.typed_col[index], layout.line_row[line.pk])
            sheet.formula(row, 7 + index, cell, ("typed", index, line.pk))
        row += 1
    sheet.finish(
        {1: 40, 2: 18, 3: 26, 4: 11, 5: 12, 6: 12}
        | {7 + i: 14 for i in range(len(figures.columns))},
        freeze="B3",
        title_rows="2:2",
    )


def _findings_sheet(sheet, figures) -> None:
    sheet.label(1, 1, "Programmets kontroller av planen (när filen skapades)", bold=True)
    sheet.header(2, ["Allvarlighet", "År", "Meddelande", "Kod"])
    for row, finding in enumerate(figures.findings, start=3):
        sheet.label(row, 1, SEVERITY_LABELS.get(finding.severity, finding.severity))
        sheet.label(row, 2, finding.year)
        sheet.label(row, 3, finding.message)
        sheet.label(row, 4, finding.code)
        sheet.ws.cell(row=row, column=3).alignment = Alignment(wrap_text=True, vertical="top")
    if not figures.findings:
        sheet.label(3, 3, "Inga anmärkningar.")
    sheet.finish({1: 12, 2: 8, 3: 100, 4: 22}, freeze="A3", title_rows="2:2")
