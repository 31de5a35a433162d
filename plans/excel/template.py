"""The import template of a plan: its Budget sheet as inputs only (the plan's lines, years and
medlemsbidrag), the groups and categories that may be used, a sheet for figures a source
document states (for "Granska en plan"), and the instructions. docs/excel.md describes it."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from budgets.models import STATEMENT_INPUTS, statement_input_label
from budgets.selectors import PlanFigures, plan_figures
from finsam.xlsx import plain_text, put_row, put_text
from plans.excel.export import (
    BUDGET_SHEET,
    FIRST_ROW,
    HEADER_ROW,
    LINE_HEADERS,
    MEDLEMSBIDRAG_LABEL,
    NO,
    STATEMENT_GROUP,
    STATEMENT_NAMES,
    YES,
)
from plans.excel.reader import STATED_SHEET
from plans.models import Plan

GROUPS_SHEET, HELP_SHEET = "Grupper", "Anvisningar"
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
BOLD = Font(bold=True)
INSTRUCTIONS = [
    "Så fylls mallen i",
    "",
    "Bladet Budget: en rad per budgetrad. Grupp och Kategori väljs bland dem på bladet Grupper "
    "(förbundets egna). Benämning är radens namn. Insats: lämna som den står (en insats rad "
    "läggs till under Insatser i programmet). Fotnot visas i planen. Sammanfattande: ja för en "
    "rad som bär gruppens belopp de år som budgeteras per grupp. Beslutad: nej för medel som "
    "ännu inte är fördelade.",
    "Beloppskolumnerna heter som i planen (t.ex. ”Budget 2025”, ”Plan 2026”, ”Prognos 2024”). "
    "Skriv hela kronor som tal. En tom cell är 0 där raden räknas.",
    "Raden Medlemsbidrag: årets totala medlemsbidrag. Medlemmarnas delar, summor, resultat och "
    "eget kapital räknas av programmet och skrivs aldrig in.",
    "En rad som finns i planen men saknas i filen tas bort när filen läses in; förhandsvisningen "
    "visar det innan något ändras.",
    f"Bladet {STATED_SHEET} (frivilligt): siffror som ett dokument anger, t.ex. en summa, ett "
    "resultat eller eget kapital. Granska en plan jämför dem med det som räknas fram ur raderna.",
    "Importera en export: en arbetsbok som programmet har exporterat kan läsas in som den är; "
    "formlerna läses aldrig, bara de inmatade beloppen.",
]


def template_workbook(plan: Plan, figures: PlanFigures | None = None) -> bytes:
    figures = figures or plan_figures(plan)
    wb = Workbook()
    ws = wb.active
    ws.title = BUDGET_SHEET
    wb.properties.title = plain_text(f"Importmall – {plan.title}")
    wb.properties.subject = plain_text(plan.forbund_name)
    title = f"Importmall för {plan.title} – {plan.forbund_name}"
    put_text(ws.cell(row=1, column=1), title).font = BOLD
    put_text(ws.cell(row=2, column=1), "Belopp i hela kronor. Se bladet Anvisningar.")
    headers = [*LINE_HEADERS, *(c.label for c in figures.columns), "Sida", "Rad i resultatbudgeten"]
    for cell in put_row(ws, HEADER_ROW, headers):
        cell.font = BOLD
        cell.alignment = Alignment(wrap_text=True)
    first_amount = len(LINE_HEADERS) + 1
    row = FIRST_ROW
    put_text(ws.cell(row=row, column=3), MEDLEMSBIDRAG_LABEL).font = BOLD
    for index, c in enumerate(figures.columns):
        _put(ws, row, first_amount + index, c.entered.medlemsbidrag.amount)
    row += 1
    for line in figures.lines:
        group = line.category.group
        values = [
            group.name,
            line.category.name,
            line.name,
            line.insats.name if line.insats_id else None,
            line.note or None,
            YES if line.summary else NO,
            NO if line.computed_room or not line.decided else YES,
        ]
        put_row(ws, row, values)
        for index, c in enumerate(figures.columns):
            if c.shows(line) and not line.computed_room:
                typed = figures.typed.get((line.pk, c.year, c.kind), Decimal(0))
                _put(ws, row, first_amount + index, typed)
        put_row(
            ws,
            row,
            [group.side, STATEMENT_NAMES[line.category.statement]],
            start=first_amount + len(figures.columns),
        )
        row += 1
    if any(c.level == "resultat" for c in figures.columns):
        for name, _, _ in STATEMENT_INPUTS:
            put_row(ws, row, [STATEMENT_GROUP, None, statement_input_label(name)])
            for index, c in enumerate(figures.columns):
                if c.level == "resultat":
                    _put(ws, row, first_amount + index, getattr(c.entered, name).amount)
            row += 1
    widths = {"A": 26, "B": 24, "C": 40, "D": 22, "E": 28, "F": 14, "G": 10}
    for letter, width in widths.items():
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = f"D{FIRST_ROW}"

    groups = wb.create_sheet(GROUPS_SHEET)
    for cell in put_row(groups, 1, ("Grupp", "Kategori", "Sida", "Rad i resultatbudgeten")):
        cell.font = BOLD
    names = []
    r = 2
    for group in figures.groups:
        names.append(group.name)
        for category in group.categories.all():
            put_row(
                groups,
                r,
                (group.name, category.name, group.side, STATEMENT_NAMES[category.statement]),
            )
            r += 1
    for letter, width in {"A": 30, "B": 30, "C": 10, "D": 22}.items():
        groups.column_dimensions[letter].width = width
    listing = wb.create_sheet("_grupper")
    for i, name in enumerate(dict.fromkeys(names), start=1):
        put_text(listing.cell(row=i, column=1), name)
    listing.sheet_state = "hidden"
    check = DataValidation(
        type="list",
        formula1=f"='_grupper'!$A$1:$A${max(1, len(set(names)))}",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Okänd grupp",
        error="Välj en av förbundets grupper (bladet Grupper).",
    )
    ws.add_data_validation(check)
    check.add(f"A{FIRST_ROW + 1}:A{FIRST_ROW + 5000}")

    stated = wb.create_sheet(STATED_SHEET)
    for cell in put_row(stated, 1, ("Figur", "Kolumn", "Angivet belopp", "Kommentar")):
        cell.font = BOLD
    for letter, width in {"A": 40, "B": 16, "C": 16, "D": 50}.items():
        stated.column_dimensions[letter].width = width
    columns = DataValidation(
        type="list", formula1='"' + ",".join(c.label for c in figures.columns) + '"'
    )
    stated.add_data_validation(columns)
    columns.add("B2:B2000")

    help_ws = wb.create_sheet(HELP_SHEET)
    help_ws.column_dimensions["A"].width = 120
    for r, text in enumerate(INSTRUCTIONS, start=1):
        cell = put_text(help_ws.cell(row=r, column=1), text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if r == 1:
            cell.font = BOLD
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _put(ws, row: int, col: int, value: Decimal) -> None:
    cell = ws.cell(row=row, column=col, value=int(value))
    cell.fill = INPUT_FILL
    cell.number_format = "#,##0"
