"""The medlemssamråd pack as a workbook: one sheet for all members and one per member.

Amounts are the pack's (the plan's calculation); every sum and share is a live formula over
them, and every text a person typed (names) is written as text (finsam.xlsx.put_text).
"""

from __future__ import annotations

import re
from decimal import Decimal
from io import BytesIO

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from finsam.xlsx import AMOUNT_FORMAT, BOLD, plain_text, put, put_amount, put_formula, put_text
from followup.pack import MemberRow, Pack

ALL_SHEET = "Alla medlemmar"
TITLE = Font(bold=True, size=14)
PERCENT_FORMAT = "0.00%"
NONE = "–"
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def header_lines(pack: Pack) -> tuple[str, str]:
    """The title and the status line every output of the pack starts with."""
    plan = pack.plan
    title = f"Underlag till medlemssamråd – {plan.forbund.name} – budget {plan.period}"
    changed = timezone.localtime(plan.updated_at).strftime("%Y-%m-%d %H:%M")
    kind = "Utkast till plan" if pack.is_draft else "Plan"
    status = f"{kind}: status {pack.status_label.lower()}, version {plan.version}, ändrad {changed}"
    return title, status


def _amount(ws, row: int, col: int, value: Decimal | None):
    cell = ws.cell(row=row, column=col)
    if value is None:
        return put_text(cell, NONE)
    return put_amount(cell, value)


def _head(ws, row: int, values) -> None:
    for col, value in enumerate(values, start=1):
        put_text(ws.cell(row=row, column=col), value).font = BOLD


def _year_labels(pack: Pack) -> list[str]:
    labels = [f"Budget {pack.last_year}", f"Budget {pack.this_year}"]
    labels += [f"Budget {y}" if i == 0 else f"Plan {y}" for i, y in enumerate(pack.years)]
    return labels


def _title(ws, pack: Pack, subtitle: str = "") -> int:
    title, status = header_lines(pack)
    put_text(ws.cell(row=1, column=1), title).font = TITLE
    put_text(ws.cell(row=2, column=1), status).font = BOLD
    if subtitle:
        put_text(ws.cell(row=3, column=1), subtitle).font = BOLD
    # The pack's amounts are the calculation's kronor, whatever unit the plan's pages show.
    put_text(ws.cell(row=4, column=1), "Belopp i kronor")
    return 5


def _partly_known(member: MemberRow) -> bool:
    return member.period_total is None and any(a is not None for a in member.plan_years)


def _all_sheet(ws, pack: Pack) -> None:
    row = _title(ws, pack)
    labels = _year_labels(pack)
    n = len(labels)
    noted = any(m.note for m in pack.members)
    _head(ws, row, ["Medlem", "Slag", *labels, "Summa planperioden", *(["Not"] if noted else [])])
    first = row + 1
    for member in pack.members:
        row += 1
        put_text(ws.cell(row=row, column=1), member.name)
        put_text(ws.cell(row=row, column=2), member.kind_label)
        if member.note:
            put_text(ws.cell(row=row, column=4 + n), member.note)
        for col, value in enumerate(
            (member.last_year, member.this_year, *member.plan_years), start=3
        ):
            _amount(ws, row, col, value)
        lo, hi = get_column_letter(5), get_column_letter(2 + n)
        total = ws.cell(row=row, column=3 + n)
        if member.period_total is None:
            put_text(total, NONE)
        else:
            put_formula(total, f"SUM({lo}{row}:{hi}{row})").number_format = AMOUNT_FORMAT
    last = row
    row += 1
    put_text(ws.cell(row=row, column=1), "Summa medlemsbidrag").font = BOLD
    # A year with no adopted plan has no sum: its cell stays empty rather than a SUM of 0.
    column_totals = (*pack.totals["last"], *pack.totals["this"], *pack.totals["plan"])
    known = [t is not None for t in column_totals]
    for col in range(3, 4 + n):
        if col - 3 < n and not known[col - 3]:
            continue
        if col == 3 + n and any(_partly_known(m) for m in pack.members):
            continue  # a row with some plan years but no period sum would be missing from it
        letter = get_column_letter(col)
        cell = put_formula(ws.cell(row=row, column=col), f"SUM({letter}{first}:{letter}{last})")
        cell.number_format, cell.font = AMOUNT_FORMAT, BOLD
    row += 2

    if pack.kommuner:
        put_text(ws.cell(row=row, column=1), "Fördelningstal för kommunernas del").font = BOLD
        row += 1
        heads = ["Kommun"]
        for y in pack.years:
            heads += [f"Fördelningstal {y}", f"Grund {y}", f"Andel {y}"]
        _head(ws, row, heads)
        k_first = row + 1
        k_last = row + len(pack.kommuner)
        for kommun in pack.kommuner:
            row += 1
            put_text(ws.cell(row=row, column=1), kommun.name)
            for i, weight in enumerate(kommun.weights):
                col = 2 + 3 * i
                _amount(ws, row, col, weight.value)
                put_text(ws.cell(row=row, column=col + 1), weight.basis or "saknas")
                if weight.share is not None:
                    letter = get_column_letter(col)
                    cell = put_formula(
                        ws.cell(row=row, column=col + 2),
                        f"{letter}{row}/SUM({letter}{k_first}:{letter}{k_last})",
                    )
                    cell.number_format = PERCENT_FORMAT
                else:
                    put_text(ws.cell(row=row, column=col + 2), NONE)
        row += 2

    put_text(ws.cell(row=row, column=1), "Eget kapital mot tak och golv").font = BOLD
    row += 1
    _head(
        ws,
        row,
        [
            "År",
            "Ingående eget kapital",
            "Årets resultat",
            "Utgående eget kapital",
            "Tak",
            "Golv",
            "Bedömning",
        ],
    )
    for i, eq in enumerate(pack.equity):
        row += 1
        put(ws.cell(row=row, column=1), eq.year)
        if i:  # a plan year opens with the year before's closing capital
            put_formula(ws.cell(row=row, column=2), f"D{row - 1}").number_format = AMOUNT_FORMAT
        else:
            _amount(ws, row, 2, eq.ib)
        _amount(ws, row, 3, eq.resultat)
        put_formula(ws.cell(row=row, column=4), f"B{row}+C{row}").number_format = AMOUNT_FORMAT
        _amount(ws, row, 5, eq.ceiling)
        _amount(ws, row, 6, eq.floor)
        put_text(ws.cell(row=row, column=7), eq.verdict)
    row += 2

    put_text(ws.cell(row=row, column=1), "Planerade insatser").font = BOLD
    row += 1
    years = [str(y) for y in pack.years]
    _head(ws, row, ["Insats", "Slag", *years, "Summa"])
    i_first = row + 1
    for insats in pack.insatser:
        row += 1
        put_text(ws.cell(row=row, column=1), insats.name)
        put_text(ws.cell(row=row, column=2), insats.kind_label)
        for col, value in enumerate(insats.amounts, start=3):
            _amount(ws, row, col, value)
        lo, hi = get_column_letter(3), get_column_letter(2 + len(years))
        put_formula(
            ws.cell(row=row, column=3 + len(years)), f"SUM({lo}{row}:{hi}{row})"
        ).number_format = AMOUNT_FORMAT
    if pack.insatser:
        i_last = row
        row += 1
        put_text(ws.cell(row=row, column=1), "Summa insatser").font = BOLD
        year_totals = pack.insats_totals
        for col in range(3, 4 + len(years)):
            if col - 3 < len(years) and year_totals[col - 3] is None:
                put_text(ws.cell(row=row, column=col), NONE)
                continue
            letter = get_column_letter(col)
            cell = put_formula(
                ws.cell(row=row, column=col), f"SUM({letter}{i_first}:{letter}{i_last})"
            )
            cell.number_format, cell.font = AMOUNT_FORMAT, BOLD
    else:
        row += 1
        put_text(ws.cell(row=row, column=1), "Planen har inga insatser med belopp.")
    row += 2

    if pack.binding is not None:
        put_text(ws.cell(row=row, column=1), f"Bindande medlem {pack.binding.year}").font = BOLD
        row += 1
        if pack.binding.result is None:
            put_text(ws.cell(row=row, column=1), pack.binding.error)
        else:
            put_text(ws.cell(row=row, column=1), pack.binding.member_name)
            put_text(ws.cell(row=row, column=2), "Största möjliga medlemsbidrag")
            _amount(ws, row, 3, pack.binding.result.total)
        row += 2
    for note in pack.notes:
        put_text(ws.cell(row=row, column=1), note)
        row += 1
    ws.column_dimensions["A"].width = 34
    for col in range(2, 12):
        ws.column_dimensions[get_column_letter(col)].width = 16


def _member_sheet(ws, pack: Pack, member: MemberRow) -> None:
    row = _title(ws, pack, f"{member.name} ({member.kind_label})")
    _head(ws, row, ["År", "Medlemmens bidrag", "Förbundets medlemsbidrag", "Medlemmens andel"])
    totals = (pack.totals["last"][0], pack.totals["this"][0], *pack.totals["plan"])
    amounts = (member.last_year, member.this_year, *member.plan_years)
    plan_first = row + 3
    for label, own, total in zip(_year_labels(pack), amounts, totals, strict=True):
        row += 1
        put_text(ws.cell(row=row, column=1), label)
        _amount(ws, row, 2, own)
        _amount(ws, row, 3, total)
        share = ws.cell(row=row, column=4)
        if own is None or not total:
            put_text(share, NONE)
        else:
            put_formula(share, f"B{row}/C{row}").number_format = PERCENT_FORMAT
    row += 1
    put_text(ws.cell(row=row, column=1), "Summa planperioden").font = BOLD
    if member.period_total is None:
        put_text(ws.cell(row=row, column=2), NONE)
    else:
        cell = put_formula(ws.cell(row=row, column=2), f"SUM(B{plan_first}:B{row - 1})")
        cell.number_format, cell.font = AMOUNT_FORMAT, BOLD
    cell = put_formula(ws.cell(row=row, column=3), f"SUM(C{plan_first}:C{row - 1})")
    cell.number_format, cell.font = AMOUNT_FORMAT, BOLD
    if member.weights:
        row += 2
        put_text(ws.cell(row=row, column=1), "Fördelningstal").font = BOLD
        row += 1
        _head(ws, row, ["År", "Fördelningstal", "Grund", "Andel av kommunernas del"])
        for weight in member.weights:
            row += 1
            put(ws.cell(row=row, column=1), weight.year)
            _amount(ws, row, 2, weight.value)
            put_text(ws.cell(row=row, column=3), weight.basis or "saknas")
            if weight.share is None:
                put_text(ws.cell(row=row, column=4), NONE)
            else:
                cell = ws.cell(row=row, column=4)
                put(cell, weight.share).number_format = PERCENT_FORMAT
    if pack.binding is not None and pack.binding.result is not None:
        row += 2
        put_text(ws.cell(row=row, column=1), f"Bindande medlem {pack.binding.year}").font = BOLD
        put_text(ws.cell(row=row, column=2), pack.binding.member_name)
    ws.column_dimensions["A"].width = 24
    for col in "BCD":
        ws.column_dimensions[col].width = 24


def _sheet_title(name: str, taken: set[str]) -> str:
    base = _SHEET_FORBIDDEN.sub(" ", plain_text(name)).strip("'").strip()[:31] or "Medlem"
    title, n = base, 2
    while title.lower() in taken:
        suffix = f" {n}"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title


def pack_workbook(pack: Pack) -> bytes:
    """The workbook's bytes."""
    wb = Workbook()
    ws = wb.active
    ws.title = ALL_SHEET
    _all_sheet(ws, pack)
    taken = {ALL_SHEET.lower()}
    for member in pack.members:
        if not member.pays or not member.is_member:
            continue
        _member_sheet(wb.create_sheet(_sheet_title(member.name, taken)), pack, member)
    title, status = header_lines(pack)
    wb.properties.title = plain_text(title)
    wb.properties.subject = plain_text(status)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
