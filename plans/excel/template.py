"""The import template of a plan: its Budget sheet as inputs only (the plan's lines, years and
medlemsbidrag), the groups and categories that may be used, a sheet for figures a source
document states (for "Granska en plan"), and the instructions. docs/excel.md describes it."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from budgets.models import (
    STATEMENT_INPUTS,
    Level,
    ShareKind,
    StatementKind,
    statement_input_label,
)
from budgets.selectors import PlanFigures, plan_figures
from finsam.xlsx import plain_text, put_row, put_text
from plans.excel.export import (
    BALANCE_ITEM_LABELS,
    BUDGET_SHEET,
    FIRST_ROW,
    HEADER_ROW,
    LINE_HEADERS,
    MEDLEMSBIDRAG_LABEL,
    NO,
    NOTE_PREFIX,
    OWN_ROWS_SHEET,
    ROOM_HEADER,
    SHARE_KIND_HEADER,
    STATEMENT_GROUP,
    STATEMENT_NAMES,
    UNIT_LABEL,
    UNIT_ROW,
    YEAR_FIELDS,
    YEAR_SHEET,
    YES,
    in_unit,
    share_kind_text,
    write_own_rows_sheet,
    write_year_sheet,
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
    "Skriv beloppen som tal i mallens enhet, den som står i cell B3 på bladet Budget (kr eller "
    "tkr, förbundets enhet); ändra inte den cellen. I tkr får ett belopp ha decimaler (1,5 tkr "
    "är 1 500 kr). En tom cell är 0 där raden räknas. Ett belopp som ser ut att vara i fel "
    "enhet (omkring 1 000 gånger för litet eller för stort mot planens belopp eller "
    "medlemsbidraget) stoppar inläsningen.",
    f"{SHARE_KIND_HEADER}: tomt för en kostnad som räknas i andelen som insatsen eller gruppen "
    "gör, annars en av andelarna (t.ex. Förvaltning). "
    f"{ROOM_HEADER}: ja för den rad (högst en) som budgeterar utrymmet för ny verksamhet; dess "
    f"belopp räknas fram och skrivs inte. {NOTE_PREFIX}<kolumn> (t.ex. ”{NOTE_PREFIX}Budget "
    "2025”): en fotnot till just det beloppet.",
    f"Bladet {YEAR_SHEET}: varje års uppgifter, en kolumn per år: hur året budgeteras (rader, "
    "grupper eller resultat), målen för eget kapital (tak i procent eller belopp, golv), minsta "
    "andel till individinriktade insatser, en fotnot till målen (visas numrerad vid taket och golvet), motivering till underskott, ingående eget kapital "
    "för jämförelseåret och enligt planen, balansbudgetens poster och vilken post som räknas "
    "fram. En tom cell är ingen uppgift (0 för balansbudgetens poster). Under dem planens egna "
    "uppgifter: ingående eget kapital budgetåret, planerat underutnyttjande av insatser och "
    "motiveringen till planerat underskott.",
    f"Bladet {OWN_ROWS_SHEET}: förbundets egna rader i resultat- och balansbudgeten, t.ex. "
    "”Ansvarsförbindelser: Inga”: Budget (Resultatbudget eller Balansbudget), Post och "
    "Uppgift, samma text i varje års kolumn, utan belopp i någon summa. En rad som saknas på "
    "bladet tas bort; saknas hela bladet (en äldre fil) lämnas planens egna rader som de är.",
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
    unit = plan.amount_unit
    divisor = 1000 if unit == "tkr" else 1
    put_text(ws.cell(row=2, column=1), f"Belopp i {unit}. Se bladet Anvisningar.")
    put_text(ws.cell(row=UNIT_ROW, column=1), UNIT_LABEL).font = BOLD
    put_text(ws.cell(row=UNIT_ROW, column=2), unit).font = BOLD
    headers = [
        *LINE_HEADERS,
        *(c.label for c in figures.columns),
        "Sida",
        "Rad i resultatbudgeten",
        SHARE_KIND_HEADER,
        ROOM_HEADER,
        *(NOTE_PREFIX + c.label for c in figures.columns),
    ]
    for cell in put_row(ws, HEADER_ROW, headers):
        cell.font = BOLD
        cell.alignment = Alignment(wrap_text=True)
    first_amount = len(LINE_HEADERS) + 1
    row = FIRST_ROW
    put_text(ws.cell(row=row, column=3), MEDLEMSBIDRAG_LABEL).font = BOLD
    for index, c in enumerate(figures.columns):
        _put(ws, row, first_amount + index, c.entered.medlemsbidrag.amount, divisor)
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
                _put(ws, row, first_amount + index, typed, divisor)
        notes = [figures.cell_notes.get((line.pk, c.year, c.kind)) for c in figures.columns]
        put_row(
            ws,
            row,
            [
                group.side,
                STATEMENT_NAMES[line.category.statement],
                share_kind_text(line.share_kind) or None,
                YES if line.computed_room else NO,
                *notes,
            ],
            start=first_amount + len(figures.columns),
        )
        row += 1
    if any(c.level == "resultat" for c in figures.columns):
        for name, _, _ in STATEMENT_INPUTS:
            put_row(ws, row, [STATEMENT_GROUP, None, statement_input_label(name)])
            for index, c in enumerate(figures.columns):
                if c.level == "resultat":
                    _put(ws, row, first_amount + index, getattr(c.entered, name).amount, divisor)
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
    extra = first_amount + len(figures.columns) + 2
    kinds = DataValidation(
        type="list", formula1='"' + ",".join(str(k.label) for k in ShareKind) + '"'
    )
    ws.add_data_validation(kinds)
    kinds.add(f"{_letter(extra)}{FIRST_ROW + 1}:{_letter(extra)}{FIRST_ROW + 5000}")

    years = wb.create_sheet(YEAR_SHEET)
    write_year_sheet(years, figures, divisor=divisor, plan_rows=True)
    last = _letter(len(figures.columns) + 1)
    for name, choices in (
        ("level", [str(code) for code in Level.values]),
        ("balance_item", list(BALANCE_ITEM_LABELS.values())),
    ):
        r = YEAR_FIELDS.index(name) + 2
        listed = DataValidation(type="list", formula1='"' + ",".join(choices) + '"')
        years.add_data_validation(listed)
        listed.add(f"B{r}:{last}{r}")

    own_rows = wb.create_sheet(OWN_ROWS_SHEET)
    write_own_rows_sheet(own_rows, plan)
    statements = DataValidation(
        type="list", formula1='"' + ",".join(str(k.label) for k in StatementKind) + '"'
    )
    own_rows.add_data_validation(statements)
    statements.add("A2:A500")

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


def _letter(col: int) -> str:
    return get_column_letter(col)


def _put(ws, row: int, col: int, value: Decimal, divisor: int) -> None:
    shown = in_unit(value, divisor)
    cell = ws.cell(row=row, column=col, value=shown)
    cell.fill = INPUT_FILL
    cell.number_format = "#,##0" if isinstance(shown, int) else "#,##0.0##"
