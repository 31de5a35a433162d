"""The budget table as rows and cells, built once from the computed figures.

The editor, the statements page, the PDF and the Excel export lay out the same rows; none of
them adds or divides anything on its own. A cell holds a computed figure from budgets/calc.py,
or a typed amount (with its form field in the editor).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from budgets.charts import cost_chart, equity_chart
from budgets.checks import FEL, INFO
from budgets.forms import amount_name, medlemsbidrag_name
from budgets.models import ShareKind, Side
from budgets.selectors import PlanFigures
from finsam.members import AF


@dataclass
class Cell:
    """One figure of a row in one column."""

    value: Decimal | None
    field_name: str | None = None  # the editor's input for a typed amount
    budgeted: Decimal | None = None  # after planned under-use, when it differs from typed
    share: Decimal | None = None  # of total costs, for cost groups
    bound_field: object = None
    shown: str = ""  # the value the page showed, sent back as the field's "o-" twin


@dataclass
class Row:
    """A row of the budget table: a heading, a typed line, a member part or a computed sum."""

    kind: str  # heading, medlemsbidrag, member, line, subtotal, total, result, equity
    label: str
    cells: list[Cell] = field(default_factory=list)
    line: object = None
    note_number: int | None = None
    ref: str = ""


def _lower_first(name: str) -> str:
    # "Förvaltning" -> "förvaltning", but "ESF-medel" keeps its capitals.
    return name if name[:2].isupper() else name[:1].lower() + name[1:]


def budget_rows(figures: PlanFigures) -> tuple[list[Row], list[tuple[int, str]]]:
    """The rows of the budget table and the numbered footnotes of its lines."""
    columns = figures.columns
    rows: list[Row] = [Row("heading", "Intäkter")]
    rows.append(
        Row(
            "medlemsbidrag",
            "Medlemsbidrag",
            [
                Cell(c.result.medlemsbidrag, field_name=medlemsbidrag_name(c.year, c.kind))
                for c in columns
            ],
            ref="medlemsbidrag",
        )
    )
    for member in figures.members:
        key = str(member.pk)
        cells = [Cell(c.result.member_parts.get(key)) for c in columns]
        label = member.name + (" (genom Försäkringskassan)" if member.kind == AF else "")
        rows.append(Row("member", label, cells, ref=f"member:{key}"))

    notes: list[tuple[int, str]] = []

    def line_row(line) -> Row:
        note_number = None
        if line.note:
            notes.append((len(notes) + 1, line.note))
            note_number = len(notes)
        cells = []
        for c in columns:
            typed = figures.typed.get((line.pk, c.year, c.kind), Decimal(0))
            budgeted = c.result.line_amounts.get(str(line.pk), typed)
            cells.append(
                Cell(
                    typed,
                    field_name=amount_name(line.pk, c.year, c.kind),
                    budgeted=budgeted if budgeted != typed else None,
                )
            )
        return Row(
            "line", line.name, cells, line=line, note_number=note_number, ref=f"line:{line.pk}"
        )

    def group_rows(side: str) -> list[Row]:
        out: list[Row] = []
        for group in figures.groups:
            if group.side != side:
                continue
            lines = [ln for ln in figures.lines if ln.category.group_id == group.pk]
            if not lines:
                continue
            key = str(group.pk)
            out.append(Row("group", group.name, ref=f"group:{key}"))
            out += [line_row(ln) for ln in lines]
            out.append(
                Row(
                    "subtotal",
                    f"Summa {_lower_first(group.name)}",
                    [
                        Cell(
                            c.result.group_totals.get(key, Decimal(0)),
                            share=c.result.group_shares.get(key) if side == Side.KOSTNAD else None,
                        )
                        for c in columns
                    ],
                    ref=f"group:{key}",
                )
            )
        return out

    rows += group_rows(Side.INTAKT)
    rows.append(Row("total", "Summa intäkter", [Cell(c.result.intakter) for c in columns]))
    rows.append(
        Row("equity", "Ingående eget kapital", [Cell(c.result.ib) for c in columns], ref="ib")
    )
    rows.append(
        Row("total", "Summa tillgängliga medel", [Cell(c.result.available) for c in columns])
    )
    rows.append(Row("heading", "Kostnader"))
    rows += group_rows(Side.KOSTNAD)
    rows.append(Row("total", "Summa kostnader", [Cell(c.result.kostnader) for c in columns]))
    rows.append(
        Row("result", "Årets resultat", [Cell(c.result.resultat) for c in columns], ref="resultat")
    )
    rows.append(
        Row("total", "Utgående eget kapital", [Cell(c.result.ub) for c in columns], ref="ub")
    )
    return rows, notes


def attach_fields(rows: list[Row], form) -> None:
    """Give each typed cell its bound form field, for the editor."""
    for row in rows:
        for cell in row.cells:
            if cell.field_name and cell.field_name in form.fields:
                cell.bound_field = form[cell.field_name]
                cell.shown = form.shown[cell.field_name]


SHARE_LABELS = dict(ShareKind.choices)
# (label, attribute of calc.ResultStatement / BalanceStatement, row style), for every reader.
RESULT_ROWS = [
    ("Verksamhetens intäkter", "verksamhetens_intakter", ""),
    ("Verksamhetens kostnader", "verksamhetens_kostnader", ""),
    ("Avskrivningar", "avskrivningar", ""),
    ("Verksamhetens nettokostnader", "verksamhetens_nettokostnader", "subtotal"),
    ("Finansiella intäkter", "finansiella_intakter", ""),
    ("Finansiella kostnader", "finansiella_kostnader", ""),
    ("Årets resultat", "arets_resultat", "total"),
]
BALANCE_ROWS = [
    ("Anläggningstillgångar", "anlaggningstillgangar", ""),
    ("Omsättningstillgångar", "omsattningstillgangar", ""),
    ("Summa tillgångar", "summa_tillgangar", "subtotal"),
    ("Balanserat eget kapital", "balanserat_eget_kapital", ""),
    ("Årets resultat", "arets_resultat", ""),
    ("Summa eget kapital", "summa_eget_kapital", "subtotal"),
    ("Summa avsättningar", "avsattningar", ""),
    ("Långfristiga skulder", "langfristiga_skulder", ""),
    ("Kortfristiga skulder", "kortfristiga_skulder", ""),
    ("Summa skulder", "summa_skulder", "subtotal"),
    (
        "Summa eget kapital, avsättningar och skulder",
        "summa_eget_kapital_avsattningar_skulder",
        "total",
    ),
]


def share_rows(figures: PlanFigures) -> list[tuple[str, list[Decimal | None]]]:
    """(label, share per column) for each share kind the plan's costs count in."""
    kinds: list[str] = []
    for column in figures.columns:
        kinds += [kind for kind in column.result.shares if kind not in kinds]
    return [
        (SHARE_LABELS.get(kind, kind), [c.result.shares.get(kind) for c in figures.columns])
        for kind in kinds
    ]


def budget_context(figures: PlanFigures) -> dict:
    """Everything a page, the document or the PDF needs to show a plan's budget."""
    rows, notes = budget_rows(figures)
    return {
        "figures": figures,
        "rows": rows,
        "notes": notes,
        "has_balance": any(c.result.balansbudget for c in figures.columns),
        "result_rows": RESULT_ROWS,
        "balance_rows": BALANCE_ROWS,
        "share_rows": share_rows(figures),
        "equity_svg": equity_chart(figures),
        "cost_svg": cost_chart(figures),
        "fel_count": sum(1 for f in figures.findings if f.severity == FEL),
        "finding_refs": {f.ref for f in figures.findings if f.severity != INFO},
    }
