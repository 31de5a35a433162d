"""Text a person typed reaches every workbook as text, never as a formula: the export, the import
template and the audit report, with every prefix a spreadsheet may read as the start of a formula
(OWASP's list and its full-width forms). Such text reads back as the same text, the figures do
not move, and hostile workbooks (macros, 100 000 rows, wrong types, formulas where amounts belong)
end in a Swedish message at their place with the plan unchanged."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl.utils.escape import unescape
from openpyxl.worksheet.formula import ArrayFormula

from budgets import services
from budgets.models import BudgetCategory, BudgetGroup
from budgets.selectors import plan_figures
from finsam import services as finsam_services
from finsam.models import AuditEvent, Fordelningstal
from finsam.xlsx import put_row
from insatser.models_mal import Indikator
from plans.excel.export import BUDGET_SHEET, export_plan
from plans.excel.importer import apply_import, prepare_import
from plans.excel.reader import STATED_SHEET, read_upload
from tests import factories
from tests.excel import mismatches, recompute

pytestmark = pytest.mark.django_db

MARK = "x.invalid"
PAYLOADS = {
    "lika-med": '=HYPERLINK("http://x.invalid/{tag}","{tag}")',
    "dde": "=cmd|' /C calc {tag} x.invalid'!A0",
    "plus": '+HYPERLINK("http://x.invalid/{tag}","{tag}")',
    "minus": '-HYPERLINK("http://x.invalid/{tag}","{tag}")',
    "snabel-a": '@HYPERLINK("http://x.invalid/{tag}","{tag}")',
    "tab": '\t=HYPERLINK("http://x.invalid/{tag}","{tag}")',
    "vagnretur": '\r=HYPERLINK("http://x.invalid/{tag}","{tag}")',
    "helbredd-lika-med": '\uff1dHYPERLINK("http://x.invalid/{tag}","{tag}")',
    "helbredd-plus": '\uff0bHYPERLINK("http://x.invalid/{tag}","{tag}")',
    "helbredd-minus": '\uff0dHYPERLINK("http://x.invalid/{tag}","{tag}")',
    "helbredd-snabel-a": '\uff20HYPERLINK("http://x.invalid/{tag}","{tag}")',
}


def _plan(text):
    """A plan in which every text a person types is text(tag): the förbund's and its members'
    names, a budget group, a category, lines and their footnotes, an insats, its målgrupp, a mål
    and its indikator."""
    forbund = factories.complete_forbund(name=text("förbund"), kommuner=2, rounding_unit=100)
    kommuner = forbund.medlemmar.filter(kind="kommun").order_by("order")
    plan_years = (2027, 2028, 2029)
    for i, kommun in enumerate(kommuner, start=1):
        finsam_services.medlem_save(
            medlem=kommun,
            acting_user=None,
            data={"name": text(f"kommun {i}")},
            fordelningstal=[Fordelningstal(year=y, invanare=10_000 * i + 7) for y in plan_years],
        )
    finsam_services.medlem_save(
        medlem=forbund.medlemmar.get(kind="region"), acting_user=None, data={"name": text("region")}
    )
    plan = factories.plan(forbund, budget_year=2027)
    group = services.budget_structure_save(
        obj=BudgetGroup(forbund=forbund, name=text("grupp"), side="kostnad", order=300),
        acting_user=None,
    )
    category = services.budget_structure_save(
        obj=BudgetCategory(group=group, name=text("kategori")), acting_user=None
    )
    kansli = forbund.budget_groups.get(name="Förvaltning").categories.get(name="Kansli")
    for cat, tag, amount in ((category, "rad", 400_000), (kansli, "kansli-rad", 900_000)):
        services.budget_line_create(
            plan=plan,
            acting_user=None,
            category=cat,
            name=text(tag),
            note=text(f"{tag} fotnot"),
            amounts={(y, "budget"): Decimal(amount + i * 10_001) for i, y in enumerate(plan.years)},
        )
    malgrupp = factories.malgrupp(plan, name=text("målgrupp"), description=text("beskrivning"))
    insats = factories.insats(
        plan,
        name=text("insats"),
        description=text("insatsens beskrivning"),
        malgrupper=[malgrupp],
        money={2027: 1_234_567, 2028: 1_300_001},
    )
    factories.mal(
        plan,
        text=text("mål"),
        insats=insats,
        indikatorer=[
            Indikator(
                description=text("indikator"),
                kind="antal",
                target_value=100,
                direction="minst",
                source="sus",
            )
        ],
    )
    services.budget_figures_set(
        plan=plan,
        acting_user=None,
        medlemsbidrag={(y, "budget"): Decimal(4_000_000) for y in plan.years},
    )
    return plan


def _hostile(name: str):
    return lambda tag: PAYLOADS[name].format(tag=tag)


def _typed(plan) -> dict[str, str]:
    """The texts of the plan that its workbooks show, by what they are."""
    figures = plan_figures(plan)
    lines = [ln for ln in figures.lines if MARK in ln.name]
    texts = {"förbund": plan.forbund.name}
    texts |= {f"medlem {m.pk}": m.name for m in figures.members if MARK in m.name}
    for line in lines:
        texts |= {
            f"rad {line.pk}": line.name,
            f"grupp {line.pk}": line.category.group.name,
            f"kategori {line.pk}": line.category.name,
        }
        if line.note:
            texts[f"fotnot {line.pk}"] = line.note
        if line.insats is not None:
            texts[f"insats {line.pk}"] = line.insats.name
    return {k: v for k, v in texts.items() if MARK in v}


def _client(plan, role=factories.kansli):
    client = Client()
    client.force_login(role(plan.forbund).user)
    return client


def _workbook(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def _text_cells(wb) -> list[tuple[str, str, object, str, bool]]:
    """Every cell that holds something a person typed: (sheet, cell, value, type, quotePrefix)."""
    found = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if MARK in str(cell.value):
                    # As Excel shows it: a carriage return is stored as OOXML's _x000D_.
                    value = unescape(cell.value) if isinstance(cell.value, str) else cell.value
                    found.append(
                        (ws.title, cell.coordinate, value, cell.data_type, cell.quotePrefix)
                    )
    return found


def _assert_text_as_typed(wb, typed: set[str]) -> None:
    cells = _text_cells(wb)
    assert cells
    formulas = [c for c in cells if c[3] != "s"]
    assert formulas == []
    values = {c[2] for c in cells}
    assert typed <= values  # each exactly as typed, in a cell of its own
    assert all(c[4] for c in cells if c[2] in typed)  # and kept text when edited in Excel


def _state(plan):
    figures = plan_figures(plan)
    return (
        sorted((k, v) for k, v in figures.typed.items()),
        sorted((ln.name, ln.note) for ln in figures.lines),
        [c.entered.medlemsbidrag.amount for c in figures.columns],
    )


@pytest.mark.parametrize("payload", list(PAYLOADS))
def test_typed_text_with_a_formula_prefix_is_text_in_the_export_and_reads_back_the_same(payload):
    plan = _plan(_hostile(payload))
    typed = _typed(plan)
    assert len(typed) >= 10
    client = _client(plan)
    export = client.get(reverse("plan_excel", args=[plan.forbund.slug, plan.pk]))
    assert export.status_code == 200
    wb = _workbook(export.content)
    _assert_text_as_typed(wb, set(typed.values()))
    # The document's properties have no escape: a carriage return there is a space.
    assert wb.properties.subject.split() == plan.forbund.name.split()
    # The whole plan goes back in unchanged: the same lines by the same names and notes.
    before = _state(plan)
    parsed = read_upload("export.xlsx", export.content)
    preview = prepare_import(plan, parsed)
    assert preview.problems == [] and not preview.has_changes
    lines = {ln.name: ln for ln in plan_figures(plan).lines}
    assert {(p.group, p.category, p.name, p.note, p.insats) for p in parsed.lines} == {
        (
            ln.category.group.name,
            ln.category.name,
            ln.name,
            ln.note,
            ln.insats.name if ln.insats else "",
        )
        for ln in lines.values()
    }
    apply_import(plan=plan, parsed=parsed, acting_user=None, filename="export.xlsx")
    assert _state(plan) == before


@pytest.mark.parametrize("payload", list(PAYLOADS))
def test_typed_text_with_a_formula_prefix_is_text_in_the_template_and_the_audit_report(payload):
    plan = _plan(_hostile(payload))
    typed = _typed(plan)
    client = _client(plan, factories.revisor)
    template = client.get(reverse("plan_excel_template", args=[plan.forbund.slug, plan.pk]))
    wb = _workbook(template.content)
    in_template = {v for k, v in typed.items() if not k.startswith(("förbund", "medlem"))}
    _assert_text_as_typed(wb, in_template)
    preview = prepare_import(plan, read_upload("mall.xlsx", template.content))
    assert preview.problems == [] and not preview.has_changes
    # A revisor states the hostile group's total wrongly, and names a figure no plan has.
    group = next(v for k, v in typed.items() if k.startswith("grupp") and "grupp" in v)
    unknown = _hostile(payload)("okänd siffra")
    stated = wb[STATED_SHEET]
    for row, (figure, amount) in enumerate(
        [("Ingående eget kapital", 0), (group, 1), (unknown, 1)], start=2
    ):
        # Typed as text, as Excel keeps a text that begins with "=" after an apostrophe.
        put_row(stated, row, [figure, "Budget 2027", amount])
    url = reverse("forbund_audit", args=[plan.forbund.slug])
    page = client.post(url, {"fil": SimpleUploadedFile("plan.xlsx", _bytes(wb))})
    assert page.status_code == 200
    token = page.content.decode().split("?rapport=")[1].split("&")[0]
    report = client.get(url, {"rapport": token, "format": "xlsx"})
    ws = _workbook(report.content).active
    # The figure as the audit reads it: without the spaces, tabs and returns around it.
    assert (ws["A5"].value, ws["A5"].data_type, ws["A5"].quotePrefix) == (group.strip(), "s", True)
    cells = _text_cells(ws.parent)
    assert [c for c in cells if c[3] != "s"] == []
    assert any(unknown.strip()[:40] in str(c[2]) for c in cells)


def test_hostile_texts_move_no_figure_of_the_exported_workbook():
    names = list(PAYLOADS)
    tags: list[str] = []

    def mixed(tag):
        # Every prefix in one plan: the next text a person types gets the next prefix.
        tags.append(tag)
        return PAYLOADS[names[len(tags) % len(names)]].format(tag=tag)

    hostile, harmless = _plan(mixed), _plan(lambda tag: f"Text {tag}")
    results = []
    for plan in (hostile, harmless):
        figures = plan_figures(plan)
        export = export_plan(plan, figures)
        values = recompute(export.save())
        assert mismatches(figures, export, values) == []
        results.append((export, values))
    (export, values), (same_export, same_values) = results
    assert set(export.computed) == set(same_export.computed)
    assert len(export.computed) > 100
    moved = [
        (sheet, cell)
        for sheet, cell in export.computed
        if values.get((sheet.upper(), cell)) != same_values.get((sheet.upper(), cell))
    ]
    assert moved == []


def test_a_name_that_reads_like_an_error_value_and_a_footnote_with_control_characters_go_both_ways():
    forbund = factories.complete_forbund(kommuner=1)
    plan = factories.plan(forbund, budget_year=2027)
    kansli = forbund.budget_groups.get(name="Förvaltning").categories.get(name="Kansli")
    # Word's line break (\x0b) and a textarea's \r\n, pasted into the footnote; "_x000D_" typed.
    note = "Första raden\x0bandra\r\ntredje _x000D_ och\x07 klocka"
    services.budget_line_create(
        plan=plan,
        acting_user=None,
        category=kansli,
        name="#N/A",
        note=note,
        amounts={(2027, "budget"): Decimal(5)},
    )
    export = _client(plan).get(reverse("plan_excel", args=[plan.forbund.slug, plan.pk]))
    assert export.status_code == 200
    ws = _workbook(export.content)[BUDGET_SHEET]
    row = next(r for r in ws.iter_rows() if r[2].value == "#N/A")
    assert row[2].data_type == "s"
    preview = prepare_import(plan, read_upload("export.xlsx", export.content))
    assert preview.problems == [] and not preview.has_changes


# --- Hostile workbooks -------------------------------------------------------------------------


def _small_plan():
    forbund = factories.complete_forbund(kommuner=1)
    plan = factories.plan(forbund, budget_year=2027)
    kansli = forbund.budget_groups.get(name="Förvaltning").categories.get(name="Kansli")
    for name, amount in (("Lön", 600_000), ("Lokal", 120_000)):
        services.budget_line_create(
            plan=plan,
            acting_user=None,
            category=kansli,
            name=name,
            note="Enligt avtal",
            amounts={(y, "budget"): Decimal(amount) for y in plan.years},
        )
    services.budget_figures_set(
        plan=plan,
        acting_user=None,
        medlemsbidrag={(y, "budget"): Decimal(2_000_000) for y in plan.years},
    )
    return plan


def _bytes(wb) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _template(plan, client) -> bytes:
    return client.get(reverse("plan_excel_template", args=[plan.forbund.slug, plan.pk])).content


def _rezip(data: bytes, change) -> bytes:
    """The workbook with its parts changed: change(parts) edits {name: bytes} in place."""
    source = zipfile.ZipFile(io.BytesIO(data))
    parts = {info.filename: source.read(info.filename) for info in source.infolist()}
    change(parts)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, part in parts.items():
            archive.writestr(name, part)
    return out.getvalue()


def _macro_type(parts):
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )


def _vba_part(parts):
    parts["xl/vbaProject.bin"] = b"\xd0\xcf\x11\xe0" + b"Attribute VB_Name = Module1" * 20


def _xlsm(parts):
    _macro_type(parts)
    _vba_part(parts)
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>',
    )


@pytest.mark.parametrize(
    ("name", "change"),
    [("budget.xlsm", _xlsm), ("budget.xlsx", _macro_type), ("budget.xlsx", _vba_part)],
    ids=["xlsm", "xlsx-namn-makrotyp", "xlsx-namn-vba-del"],
)
@pytest.mark.parametrize("page", ["plan_import", "forbund_audit"])
def test_a_workbook_with_macros_is_refused_with_a_message_and_changes_nothing(name, change, page):
    plan = _small_plan()
    client = _client(plan)
    wb = _workbook(_template(plan, client))
    ws = wb[BUDGET_SHEET]
    lon = next(r[0].row for r in ws.iter_rows() if r[2].value == "Lön")
    ws.cell(row=lon, column=8, value=650_000)  # a change that would be read
    wb[STATED_SHEET].append(["Ingående eget kapital", "Budget 2027", 0])
    data = _rezip(_bytes(wb), change)
    before, events = _state(plan), AuditEvent.objects.count()
    args = [plan.forbund.slug, plan.pk] if page == "plan_import" else [plan.forbund.slug]
    response = client.post(reverse(page, args=args), {"fil": SimpleUploadedFile(name, data)})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Filen är en arbetsbok med makron (.xlsm) och läses inte in" in html
    assert 'name="token"' not in html and "?rapport=" not in html
    assert (_state(plan), AuditEvent.objects.count()) == (before, events)


def _cell_xml(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _sheet_xml(header: list[str], row, count: int) -> bytes:
    """A sheet of a header and `count` rows written as XML directly (openpyxl takes seconds)."""
    rows = ['<row r="1">' + "".join(_cell_xml(f"{chr(65 + i)}1", t) for i, t in enumerate(header))]
    for n in range(2, count + 2):
        rows.append(f'<row r="{n}">' + row(n))
    body = "</row>".join(rows) + "</row>"
    return (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        f'spreadsheetml/2006/main"><sheetData>{body}</sheetData></worksheet>'
    ).encode()


def test_a_sheet_of_100_000_rows_is_refused_by_the_import_and_the_audit():
    plan = _small_plan()
    client = _client(plan)
    wb = _workbook(_template(plan, client))
    budget = f"xl/worksheets/sheet{wb.sheetnames.index(BUDGET_SHEET) + 1}.xml"
    stated = f"xl/worksheets/sheet{wb.sheetnames.index(STATED_SHEET) + 1}.xml"
    template = _bytes(wb)

    def line(n):
        return (
            _cell_xml(f"A{n}", "Förvaltning")
            + _cell_xml(f"B{n}", "Kansli")
            + _cell_xml(f"C{n}", f"Rad {n}")
            + f'<c r="H{n}"><v>{n}</v></c><c r="XFD{n}"><v>1</v></c>'
        )

    def figure(n):
        return (
            _cell_xml(f"A{n}", "Summa kostnader")
            + _cell_xml(f"B{n}", "Budget 2027")
            + (f'<c r="C{n}"><v>{n}</v></c>')
        )

    header = ["Grupp", "Kategori", "Benämning", "Insats", "Fotnot", "Sammanfattande", "Beslutad"]
    long_budget = _rezip(
        template,
        lambda parts: parts.update({budget: _sheet_xml([*header, "Budget 2027"], line, 100_000)}),
    )
    long_stated = _rezip(
        template,
        lambda parts: parts.update(
            {stated: _sheet_xml(["Figur", "Kolumn", "Angivet belopp"], figure, 100_000)}
        ),
    )
    before = _state(plan)
    url = reverse("plan_import", args=[plan.forbund.slug, plan.pk])
    response = client.post(url, {"fil": SimpleUploadedFile("b.xlsx", long_budget)})
    assert response.status_code == 400
    assert "<td>Budget</td><td>–</td><td>–</td><td>Bladet har fler än 20000 rader" in (
        response.content.decode()
    )
    audit = reverse("forbund_audit", args=[plan.forbund.slug])
    response = client.post(audit, {"fil": SimpleUploadedFile("b.xlsx", long_stated)})
    assert response.status_code == 400
    assert f"{STATED_SHEET}: Bladet har fler än 20000 rader; dela upp det." in (
        response.content.decode()
    )
    assert _state(plan) == before


WRONG = {
    "text": "kanske",
    "datum": datetime(2027, 3, 1),
    "sant": True,
    "decimaltal": 1.5,
    "felvärde": "#DIV/0!",
}
# What the import says of each wrong value in each column of a line (None: it is no wrong type
# there, as text in a text column or Excel's SANT in a ja/nej column).
TEXT_COLUMN = {
    "datum": "Ett datum står där text ska stå",
    "sant": "Ett sant/falskt-värde står där text ska stå",
    "decimaltal": "Ett decimaltal står där text ska stå",
    "felvärde": "Cellen har felvärdet #DIV/0!",
}
YES_NO = dict.fromkeys(("text", "datum", "decimaltal", "felvärde"), "Skriv ”ja” eller ”nej”.")
AMOUNT = {
    "text": "Text i ett belopp: ”kanske”",
    "datum": "Cellen innehåller inget belopp (t.ex. ett datum)",
    "sant": "Ett sant/falskt-värde står där ett belopp ska stå",
    "decimaltal": "Ange beloppet i hela kronor",
    "felvärde": "Cellen har felvärdet #DIV/0!",
}
EXPECTED = {
    "A": TEXT_COLUMN | {"text": "Okänd grupp ”kanske”"},
    "B": TEXT_COLUMN | {"text": "Gruppen Förvaltning har ingen kategori ”kanske”"},
    "C": TEXT_COLUMN,
    "D": TEXT_COLUMN | {"text": "Raden hör till ingen insats, inte till ”kanske”"},
    "E": TEXT_COLUMN,
    "F": YES_NO,
    "G": YES_NO,
    "H": AMOUNT,
}
CASES = [
    (column, kind, message)
    for column, messages in EXPECTED.items()
    for kind, message in messages.items()
    if message
]


@pytest.mark.parametrize(
    ("column", "kind", "message"), CASES, ids=[f"{c}-{k}" for c, k, _ in CASES]
)
def test_a_wrong_type_in_any_column_of_the_template_is_said_at_its_cell(column, kind, message):
    plan = _small_plan()
    client = _client(plan)
    wb = _workbook(_template(plan, client))
    ws = wb[BUDGET_SHEET]
    lon = next(r[0].row for r in ws.iter_rows() if r[2].value == "Lön")
    ws[f"{column}{lon}"] = WRONG[kind]
    before = _state(plan)
    url = reverse("plan_import", args=[plan.forbund.slug, plan.pk])
    response = client.post(url, {"fil": SimpleUploadedFile("b.xlsx", _bytes(wb))})
    assert response.status_code == 400
    html = response.content.decode()
    assert f"<td>{BUDGET_SHEET}</td><td>{lon}</td><td>{column}</td><td>{message}" in html
    assert _state(plan) == before


@pytest.mark.parametrize(
    ("column", "kind", "message"),
    [
        ("A", "datum", "Ett datum står där text ska stå"),
        ("A", "felvärde", "Cellen har felvärdet #DIV/0!"),
        ("B", "sant", "Ett sant/falskt-värde står där text ska stå"),
        ("B", "decimaltal", "Ett decimaltal står där text ska stå"),
        ("C", "text", "Text i ett belopp: ”kanske”"),
        ("C", "datum", "Cellen innehåller inget belopp (t.ex. ett datum)"),
        ("C", "felvärde", "Cellen har felvärdet #DIV/0!"),
    ],
)
def test_a_wrong_type_on_the_sheet_of_stated_figures_is_said_at_its_cell(column, kind, message):
    plan = _small_plan()
    client = _client(plan, factories.revisor)
    wb = _workbook(_template(plan, client))
    ws = wb[STATED_SHEET]
    ws.append(["Ingående eget kapital", "Budget 2027", 0])
    ws.append(["Summa kostnader", "Budget 2027", 720_000])
    ws[f"{column}3"] = WRONG[kind]
    url = reverse("forbund_audit", args=[plan.forbund.slug])
    response = client.post(url, {"fil": SimpleUploadedFile("b.xlsx", _bytes(wb))})
    assert response.status_code == 400
    assert f"{STATED_SHEET}, rad 3, kolumn {column}: {message}" in response.content.decode()


FORMULAS = {
    "formel": "=1+1",
    "summa": "=SUM(H5:H6)",
    "annat-blad": "='Grupper'!A2",
    "matrisformel": ArrayFormula("{ref}", "=SUM(H5:H6*2)"),
}


@pytest.mark.parametrize("formula", list(FORMULAS))
@pytest.mark.parametrize("where", ["belopp", "medlemsbidrag", "benämning", "fotnot", "uppgiven"])
def test_a_formula_where_an_amount_or_a_text_belongs_is_refused_at_its_cell(formula, where):
    plan = _small_plan()
    client = _client(plan)
    wb = _workbook(_template(plan, client))
    ws = wb[BUDGET_SHEET]
    rows = {r[2].value: r[0].row for r in ws.iter_rows() if r[2].value}
    sheet, ref = {
        "belopp": (ws, f"H{rows['Lön']}"),
        "medlemsbidrag": (ws, f"I{rows['Medlemsbidrag']}"),
        "benämning": (ws, f"C{rows['Lön']}"),
        "fotnot": (ws, f"E{rows['Lokal']}"),
        "uppgiven": (wb[STATED_SHEET], "C3"),
    }[where]
    value = FORMULAS[formula]
    if isinstance(value, ArrayFormula):
        value = ArrayFormula(ref, value.text)
    wb[STATED_SHEET].append(["Ingående eget kapital", "Budget 2027", 0])
    wb[STATED_SHEET].append(["Summa kostnader", "Budget 2027", 720_000])
    sheet[ref] = value
    row, column = re.match(r"([A-Z]+)(\d+)", ref).group(2, 1)
    place = f"<td>{sheet.title}</td><td>{row}</td><td>{column}</td><td>En formel står där"
    before = _state(plan)
    import_url = reverse("plan_import", args=[plan.forbund.slug, plan.pk])
    audit_url = reverse("forbund_audit", args=[plan.forbund.slug])
    for url in (import_url, audit_url):
        response = client.post(url, {"fil": SimpleUploadedFile("b.xlsx", _bytes(wb))})
        assert response.status_code == 400
        html = response.content.decode()
        if url == import_url:
            assert place in html
        else:
            assert f"{sheet.title}, rad {row}, kolumn {column}: En formel står där" in html
    assert _state(plan) == before
