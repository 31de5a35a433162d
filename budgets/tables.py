"""The budget table as rows and cells, built once from the computed figures.

The editor, the statements page, the PDF and the Excel export lay out the same rows; none of
them adds or divides anything on its own. A cell holds a computed figure from budgets/calc.py,
or a typed amount (with its form field in the editor).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from budgets.calc import EJ_ANGIVET, KOMMUNER, RADER, RESULTAT
from budgets.charts import cost_chart, equity_chart
from budgets.checks import FEL, INFO
from budgets.forms import amount_name, medlemsbidrag_name
from budgets.models import ShareKind, Side, StatementKind
from budgets.selectors import PlanFigures, calc_key
from finsam.members import AF, KOMMUN


@dataclass
class Cell:
    """One figure of a row in one column."""

    value: Decimal | None
    field_name: str | None = None  # the editor's input for a typed amount
    budgeted: Decimal | None = None  # after planned under-use, when it differs from typed
    share: Decimal | None = None  # of total costs, for cost groups
    note_number: int | None = None  # a footnote on this one amount
    bound_field: object = None
    shown: str = ""  # the value the page showed, sent back as the field's "o-" twin
    # An amount stored on a line for a column whose level does not count it (calc.counts_at):
    # the editor shows it beside the "–", so a figure that counts for nothing is not hidden.
    uncounted: Decimal | None = None


@dataclass
class Row:
    """A row of the budget table: a heading, a typed line, a member part or a computed sum."""

    kind: str  # heading, medlemsbidrag, member, line, subtotal, total, result, equity
    label: str
    cells: list[Cell] = field(default_factory=list)
    line: object = None
    note_number: int | None = None
    ref: str = ""


def subtotal_label(name: str) -> str:
    """ "Summa förvaltning" for the group "Förvaltning"; "ESF-medel" keeps its capitals."""
    return f"Summa {name if name[:2].isupper() else name[:1].lower() + name[1:]}"


def member_rows(figures: PlanFigures) -> list[Row]:
    """The medlemsbidrag by member: Försäkringskassan pays the state's half (Arbetsförmedlingen's
    share goes through it, so AF has no row), the region, and each kommun, or the kommuner's
    quarter as one sum where the plan states only that."""
    rows = []
    kommun_row_done = False
    for member in figures.members:
        if member.kind == AF:
            continue
        if member.kind == KOMMUN and not figures.kommun_parts:
            if not kommun_row_done:
                cells = [Cell(c.result.split_blocks.get(KOMMUNER)) for c in figures.columns]
                rows.append(Row("member", "Kommunerna tillsammans", cells, ref="kommuner"))
                kommun_row_done = True
            continue
        key = calc_key(member)
        cells = [Cell(c.result.member_parts.get(key)) for c in figures.columns]
        rows.append(Row("member", member.name, cells, ref=f"member:{key}"))
    return rows


def budget_rows(
    figures: PlanFigures, *, only_lines: set[int] | None = None
) -> tuple[list[Row], list[tuple[int, str]]]:
    """The rows of the budget table and the numbered footnotes of its lines; with only_lines,
    of the lines only those (for what a save changed: see changed_lines), numbered as in the
    whole table."""
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
    rows += member_rows(figures)

    notes: list[tuple[int, str]] = []

    def count_notes(line) -> None:
        if line.note:
            notes.append((len(notes) + 1, line.note))
        for c in columns:
            if c.shows(line) and not line.computed_room:
                cell_note = figures.cell_notes.get((line.id, c.year, c.kind))
                if cell_note:
                    notes.append((len(notes) + 1, cell_note))

    noted = {key[0] for key in figures.cell_notes}

    def line_rows(lines) -> list[Row]:
        if only_lines is None:
            return [line_row(ln) for ln in lines]
        out = []
        for ln in lines:
            if ln.id in only_lines:
                out.append(line_row(ln))
            elif ln.note or ln.id in noted:
                count_notes(ln)  # the lines after it keep their footnotes' numbers
        return out

    def line_row(line) -> Row:
        note_number = None
        if line.note:
            notes.append((len(notes) + 1, line.note))
            note_number = len(notes)
        cells = []
        for c in columns:
            if not c.shows(line):  # the line has no amount at this column's level
                stored = figures.typed.get((line.id, c.year, c.kind))
                cells.append(Cell(None, uncounted=stored or None))
                continue
            if line.computed_room:  # computed in every column, never typed
                cells.append(Cell(c.result.line_amounts.get(calc_key(line))))
                continue
            typed = figures.typed.get((line.id, c.year, c.kind), Decimal(0))
            budgeted = c.result.line_amounts.get(calc_key(line), typed)
            cell_note = figures.cell_notes.get((line.id, c.year, c.kind))
            if cell_note:
                notes.append((len(notes) + 1, cell_note))
            cells.append(
                Cell(
                    typed,
                    field_name=amount_name(line.id, c.year, c.kind),
                    budgeted=budgeted if budgeted != typed else None,
                    note_number=len(notes) if cell_note else None,
                )
            )
        return Row(
            "line", line.name, cells, line=line, note_number=note_number, ref=f"line:{line.id}"
        )

    def subtotal(label: str, totals: str, shares: str, key: str, side: str, lines) -> Row:
        # A sum over no line that counts at the column's level (a group of detail lines in a
        # year budgeted per group, any group in a year known only as its resultatbudget) is
        # left empty, not shown as 0.
        return Row(
            "subtotal",
            subtotal_label(label),
            [
                Cell(
                    getattr(c.result, totals).get(key, Decimal(0)),
                    share=getattr(c.result, shares).get(key) if side == Side.KOSTNAD else None,
                )
                if any(c.shows(ln) for ln in lines)
                else Cell(None)
                for c in columns
            ],
            ref=f"group:{key}",
        )

    def group_rows(side: str) -> list[Row]:
        # A group that counts in another's total follows it (selectors.group_sort_keys); the
        # total over them stands after the last of them that has lines.
        groups = [g for g in figures.groups if g.side == side]
        lines_of: dict[int, list] = {g.pk: [] for g in groups}
        for ln, group_id in zip(figures.lines, figures.line_group_ids, strict=True):
            if group_id in lines_of:
                lines_of[group_id].append(ln)
        by_pk = {g.pk: g for g in groups}
        with_lines = [g for g in groups if lines_of[g.pk]]
        last_child = {}
        for g in with_lines:
            if g.parent_id in by_pk:
                last_child[g.parent_id] = g.pk
        out: list[Row] = []
        for group in groups:
            key = calc_key(group)
            is_parent = group.pk in last_child
            if not lines_of[group.pk] and not is_parent:
                continue
            out.append(Row("group", group.name, ref=f"group:{key}"))
            out += line_rows(lines_of[group.pk])
            if not is_parent:
                out.append(
                    subtotal(
                        group.name, "group_totals", "group_shares", key, side, lines_of[group.pk]
                    )
                )
            parent = by_pk.get(group.parent_id)
            if parent is not None and last_child.get(parent.pk) == group.pk:
                under = [
                    ln for g in groups if parent.pk in (g.pk, g.parent_id) for ln in lines_of[g.pk]
                ]
                out.append(
                    subtotal(
                        parent.name,
                        "parent_totals",
                        "parent_shares",
                        calc_key(parent),
                        side,
                        under,
                    )
                )
        return out

    def sums(kind: str, label: str, attr: str) -> Row:
        # A row of one computed figure per column (calc.YearResult's attr), known by its name.
        return Row(kind, label, [Cell(getattr(c.result, attr)) for c in columns], ref=attr)

    rows += group_rows(Side.INTAKT)
    rows.append(sums("total", "Summa intäkter", "intakter"))
    rows.append(sums("equity", "Ingående eget kapital", "ib"))
    rows.append(sums("total", "Summa tillgängliga medel", "available"))
    rows.append(Row("heading", "Kostnader"))
    rows += group_rows(Side.KOSTNAD)
    rows.append(sums("total", "Summa kostnader", "kostnader"))
    rows.append(sums("result", "Årets resultat", "resultat"))
    rows.append(sums("total", "Utgående eget kapital", "ub"))
    return rows, notes


def finding_refs(figures: PlanFigures) -> set[str]:
    """The rows a plan check marks (a finding that is more than information)."""
    return {f.ref for f in figures.findings if f.severity != INFO}


def changed_lines(before: PlanFigures, after: PlanFigures) -> set[int]:
    """The lines whose row in the budget table differs between two computations of the same
    plan's lines: a typed or computed amount, a budgeted figure, or a check's mark."""
    changed = {
        int(ref[5:])
        for ref in finding_refs(before) ^ finding_refs(after)
        if ref.startswith("line:")
    }
    changed |= {key[0] for key, amount in after.typed.items() if before.typed.get(key) != amount}
    changed |= {key[0] for key in before.typed.keys() - after.typed.keys()}
    for old, new in zip(before.columns, after.columns, strict=True):
        if old.result is new.result:  # a year the save left as it was (calc.compute_plan)
            continue
        was = old.result.line_amounts
        changed |= {
            int(key)
            for key, amount in new.result.line_amounts.items()
            if was.get(key) != amount and key.isdigit()  # not a resultatbudget row (calc)
        }
    return changed


def attach_fields(rows: list[Row], form) -> None:
    """Give each typed cell its input (name, label, value, errors), for the editor."""
    for row in rows:
        for cell in row.cells:
            if cell.field_name and form.has_cell(cell.field_name):
                cell.bound_field = form.cell_input(cell.field_name)
                cell.shown = form.shown_text(cell.field_name)


SHARE_LABELS = {**dict(ShareKind.choices), EJ_ANGIVET: "Ej angivet"}
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


# A plan's key figures per plan year: (label, attribute of calc.YearResult, row style). The plan
# page shows these, and the target panel its ub and utrymme rows, so each is shown one way.
UB_ROW = ("Utgående eget kapital", "ub", "total")
UTRYMME_ROW = ("Utrymme för ny verksamhet", "utrymme", "")
KEY_FIGURE_ROWS = [
    ("Medlemsbidrag", "medlemsbidrag", ""),
    ("Summa intäkter", "intakter", ""),
    ("Summa kostnader", "kostnader", ""),
    ("Årets resultat", "resultat", "subtotal"),
    ("Ingående eget kapital", "ib", ""),
    UB_ROW,
    UTRYMME_ROW,
]


@dataclass
class FigureRow:
    """A row of computed figures per plan year; badges[i] marks a cell a check names."""

    label: str
    style: str
    values: list[Decimal | None]
    badges: list[str] = field(default_factory=list)
    has_finding: bool = False
    # The number of the footnote at each cell (the year's own footnote on its targets), or None.
    note_numbers: list[int | None] = field(default_factory=list)

    @property
    def cells(self) -> list[tuple[Decimal | None, str, int | None]]:
        """(value, badge, footnote number) per plan year; the badge is "" where no check names
        the cell, the number None where the year has no footnote on it."""
        size = len(self.values)
        return list(
            zip(
                self.values,
                self.badges or [""] * size,
                self.note_numbers or [None] * size,
                strict=True,
            )
        )


def figure_rows(figures: PlanFigures, specs) -> list[FigureRow]:
    """Rows of calc.YearResult attributes per plan year, for tables that show a few figures."""
    return [
        FigureRow(label, style, [getattr(c.result, attr) for c in figures.plan_columns])
        for label, attr, style in specs
    ]


def target_notes(figures: PlanFigures) -> list[tuple[int, str]]:
    """The numbered footnotes on the years' targets (BudgetYear.target_note): one number per
    text, in the order of the years, so a footnote the förbund writes once for every year is
    one footnote. A year without a ceiling or a floor has no figure to carry its number."""
    texts = [
        c.entered.target_note
        for c in figures.plan_columns
        if c.entered.target_note and (c.result.ceiling is not None or c.result.floor is not None)
    ]
    return list(enumerate(dict.fromkeys(texts), start=1))


def target_rows(figures: PlanFigures) -> list[FigureRow]:
    """Eget kapital against the förbund's ceiling and floor, year by year. A cell is marked
    only where a plan check says the year breaks the target: the checks decide, not the page.
    A year's footnote on its targets is numbered at its ceiling and at its floor where it has
    one (target_notes lists them), never a row of its own."""
    broken = {(f.ref, f.year) for f in figures.findings if f.severity != INFO}
    columns = figures.plan_columns
    numbers = {text: number for number, text in target_notes(figures)}
    rows = [figure_rows(figures, [UB_ROW])[0]]
    for label, ref, attr, badge in (
        ("Tak för eget kapital", "ceiling", "ceiling", "över"),
        ("Golv för eget kapital", "floor", "floor", "under"),
    ):
        values = [getattr(c.result, attr) for c in columns]
        rows.append(
            FigureRow(
                label,
                "",
                values,
                [badge if (ref, c.year) in broken else "" for c in columns],
                has_finding=any((ref, c.year) in broken for c in columns),
                note_numbers=[
                    numbers.get(c.entered.target_note) if value is not None else None
                    for c, value in zip(columns, values, strict=True)
                ],
            )
        )
    return rows


def share_rows(figures: PlanFigures) -> list[tuple[str, list[Decimal | None]]]:
    """(label, share per column) for each share kind the plan's costs count in."""
    kinds: list[str] = []
    for column in figures.columns:
        kinds += [kind for kind in column.result.shares if kind not in kinds]
    return [
        (SHARE_LABELS.get(kind, kind), [c.result.shares.get(kind) for c in figures.columns])
        for kind in kinds
    ]


def level_notes(figures: PlanFigures) -> list[str]:
    """What the empty cells of the budget table mean, for each column not budgeted line by
    line ("Plan 2023 är budgeterad per grupp: …")."""
    said = []
    for c in figures.columns:
        if c.level == RADER:
            continue
        if c.level == RESULTAT:
            said.append(
                f"{c.label} redovisas bara som resultatbudgetens rader; grupperna och raderna "
                "har inga belopp det året (–)."
            )
        else:
            said.append(
                f"{c.label} är budgeterad per grupp, på de sammanfattande raderna; "
                "detaljraderna gäller inte det året (–)."
            )
    return said


def budget_context(figures: PlanFigures, *, only_lines: set[int] | None = None) -> dict:
    """Everything a page, the document or the PDF needs to show a plan's budget (with
    only_lines, of the lines' rows only those: see budget_rows)."""
    rows, notes = budget_rows(figures, only_lines=only_lines)
    return {
        "level_notes": level_notes(figures),
        "figures": figures,
        "rows": rows,
        "notes": notes,
        "has_balance": any(c.result.balansbudget for c in figures.columns),
        "balance_computed": any(
            c.result.balansbudget and c.result.balansbudget.balancing for c in figures.columns
        ),
        "result_rows": RESULT_ROWS,
        "balance_rows": BALANCE_ROWS,
        "share_rows": share_rows(figures),
        "unclassified_lines": figures.unclassified_lines,
        "key_figure_rows": figure_rows(figures, KEY_FIGURE_ROWS),
        "target_rows": target_rows(figures),
        "target_notes": target_notes(figures),
        "decided_rows": figure_rows(
            figures, [("Beslutade kostnader", "decided_costs", ""), UTRYMME_ROW]
        ),
        "equity_svg": equity_chart(figures),
        "cost_svg": cost_chart(figures),
        "fel_count": sum(1 for f in figures.findings if f.severity == FEL),
        "finding_refs": finding_refs(figures),
    }


@dataclass(frozen=True)
class OwnRows:
    """The rows a förbund adds to its statements (StatementNote), each after the computed ones."""

    resultat: list
    balans: list


def own_statement_rows(plan) -> OwnRows:
    """The plan's own statement rows, in one query, for the pages and the PDF that show the
    statements: text the förbund states, never part of a sum."""
    notes = list(plan.statement_notes.all())
    return OwnRows(
        resultat=[n for n in notes if n.statement == StatementKind.RESULTAT],
        balans=[n for n in notes if n.statement == StatementKind.BALANS],
    )
