"""The follow-up's long tables written in Python (CONTRIBUTING: big tables): a plan of several
hundred lines is thousands of cells, too many for the template language to write in time.
Every text is escaped."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from finsam.money import format_number

HEAD = (
    '<th scope="col">Rad</th><th scope="col" class="num">Budget året</th>'
    '<th scope="col" class="num">Budget hittills</th><th scope="col" class="num">Utfall hittills</th>'
    '<th scope="col" class="num">Avvikelse hittills</th><th scope="col" class="num">Avvikelse %</th>'
    '<th scope="col" class="num">Prognos året</th><th scope="col" class="num">Prognos mot budget</th>'
    '<th scope="col" class="num">Prognos mot budget %</th>'
)
AMOUNTS = ("budget", "budget_so_far", "utfall", "deviation")
AFTER = ("prognos", "prognos_deviation")


def _kr(value: str | None, unit: str) -> str:
    return "" if value is None else format_number(Decimal(value), unit)


def _pct(value: str | None) -> str:
    if value is None:
        return "–"
    return f"{Decimal(value):.1f}".replace(".", ",") + "&nbsp;%"


def _cells(row: Mapping, unit: str, *, percents: bool) -> str:
    out = [f'<td class="num">{_kr(row[name], unit)}</td>' for name in AMOUNTS]
    out.append(f'<td class="num">{_pct(row["deviation_percent"]) if percents else "–"}</td>')
    out += [f'<td class="num">{_kr(row[name], unit)}</td>' for name in AFTER]
    out.append(f'<td class="num">{_pct(row["prognos_percent"]) if percents else "–"}</td>')
    return "".join(out)


def _explanation(row: Mapping) -> str:
    if row["explanation"]:
        reason = f"{escape(row['reason'])}: " if row["reason"] else ""
        return f"<td>{reason}{escape(row['explanation'])}</td>"
    if row["must_explain"]:
        return '<td><span class="badge badge-fel">Förklaring saknas</span></td>'
    return "<td></td>"


def rows_table(
    rows: Iterable[Mapping],
    *,
    unit: str,
    table_id: str,
    caption: str,
    explain: bool,
    totals: Iterable[Mapping] = (),
    result: Mapping | None = None,
) -> SafeString:
    """A table of follow-up rows (followup.report.row_data) with totals and the year's result
    when given."""
    head = HEAD + ('<th scope="col">Förklaring</th>' if explain else "")
    parts = [
        f'<div class="table-scroll" role="region" aria-labelledby="{table_id}-rubrik" '
        f'tabindex="0">\n<table class="budget followup" id="{table_id}">\n'
        f'  <caption id="{table_id}-rubrik">{escape(caption)}, belopp i {escape(unit)}. '
        "Avvikelse: + är bättre än budget för resultatet (mer intäkt eller mindre kostnad), "
        "− sämre.</caption>\n"
        f"  <thead><tr>\n    {head}\n  </tr></thead>\n  <tbody>\n"
    ]
    for row in rows:
        marked = " unexplained" if row["must_explain"] and not row["explanation"] else ""
        parts.append(
            f'  <tr class="{escape(row["kind"])}{marked}"><th scope="row">{escape(row["label"])}'
            f"</th>{_cells(row, unit, percents=True)}"
            f"{_explanation(row) if explain else ''}</tr>\n"
        )
    blank = "<td></td>" if explain else ""
    for row in totals:
        parts.append(
            f'  <tr class="total"><th scope="row">{escape(row["label"])}</th>'
            f"{_cells(row, unit, percents=True)}{blank}</tr>\n"
        )
    if result:
        row = {**result, "deviation_percent": None, "prognos_percent": None}
        parts.append(
            '  <tr class="total result"><th scope="row">Årets resultat</th>'
            f"{_cells(row, unit, percents=False)}{blank}</tr>\n"
        )
    parts.append("  </tbody>\n</table>\n</div>\n")
    return mark_safe("".join(parts))  # every text in it is escaped
