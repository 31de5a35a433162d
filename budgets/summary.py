"""A plan's computed budget laid out for plan_summary (JSON and a Swedish text table), and for
anything else that prints the figures the same way (the Excel export).

Everything comes from budgets.selectors.plan_figures, the computation every page and the PDF
show; this module only lays the figures out. The JSON format is described field by field in
docs/plan_summary.md.
"""

from __future__ import annotations

from decimal import Decimal

from budgets.calc import KOMMUNER, BalanceStatement, ResultStatement, YearResult
from budgets.checks import FEL, INFO, VARNING
from budgets.models import Side, StatementKind
from budgets.selectors import Column, PlanFigures, calc_key
from budgets.tables import BALANCE_ROWS, RESULT_ROWS, budget_rows, share_rows, target_notes
from finsam.money import format_number, format_percent, format_typed_percent

SEVERITY_LABELS = {FEL: "Fel", VARNING: "Varning", INFO: "Info"}


# --- JSON -----------------------------------------------------------------------------------------


def kr(value: Decimal | None) -> str | None:
    """An amount in kronor as a string of its Decimal: "12981000", "-656000"."""
    if value is None:
        return None
    return "0" if value == 0 else format(value, "f")  # never "-0"


def fraction(value: Decimal | None) -> str | None:
    """A fraction of a whole (0.854…) as a string of its Decimal, unrounded."""
    return None if value is None else format(value, "f")


def percent(value: Decimal | None) -> str | None:
    """A percentage as typed by the kansli ("20", "11.6"), without trailing zeros."""
    return None if value is None else format(value.normalize(), "f")


def summary(figures: PlanFigures) -> dict:
    """The plan's computed figures as plain JSON values (see docs/plan_summary.md)."""
    plan = figures.plan
    return {
        "forbund": {"slug": plan.forbund.slug, "name": plan.forbund_name},
        "plan": {
            "id": plan.pk,
            "title": plan.title,
            "budget_year": plan.budget_year,
            "years": plan.years,
            "version": plan.version,
            "status": plan.status,
            "amount_unit": figures.unit,
            "opening_equity": kr(plan.opening_equity.amount),
            "under_use_percent": percent(plan.under_use_percent),
            "deficit_reason": plan.deficit_reason,
            "show_comparison": plan.show_comparison,
            "comparison_columns": plan.comparison_kinds,
            "plan_year_heading": plan.plan_year_heading,
        },
        "statement_notes": [
            {"statement": n.statement, "label": n.label, "text": n.text, "order": n.order}
            for n in plan.statement_notes.all()
        ],
        "years": [_column(figures, c) for c in figures.plan_columns],
        "comparison": [_column(figures, c) for c in figures.columns if c.is_comparison],
        "findings": [
            {
                "code": f.code,
                "severity": f.severity,
                "year": f.year,
                "ref": f.ref,
                "message": f.message,
            }
            for f in figures.findings
        ],
    }


def _column(figures: PlanFigures, column: Column) -> dict:
    r = column.result
    return {
        "year": column.year,
        "column": column.kind,
        "label": column.label,
        "intakter": {
            "medlemsbidrag": kr(r.medlemsbidrag),
            "members": [
                {
                    "name": m.name,
                    "kind": m.kind,
                    "amount": kr(r.member_parts.get(calc_key(m))),
                }
                for m in figures.members
            ],
            "kommuner_summa": kr(r.split_blocks.get(KOMMUNER)) if r.split_blocks else None,
            "split_error": r.split_error,
            "kommun_error": r.kommun_error,
            "groups": [
                {"name": g.name, "amount": kr(r.group_totals[calc_key(g)])}
                for g in _groups(figures, r, Side.INTAKT)
            ],
            "ovriga": kr(r.ovriga_intakter),
            "summa": kr(r.intakter),
        },
        "kostnader": {
            "groups": [
                {
                    "name": g.name,
                    "share_kind": g.share_kind or None,
                    "amount": kr(r.group_totals[calc_key(g)]),
                    "share": fraction(r.group_shares.get(calc_key(g))),
                }
                for g in _groups(figures, r, Side.KOSTNAD)
            ],
            "totals_over_groups": [
                {
                    "name": g.name,
                    "amount": kr(r.parent_totals[calc_key(g)]),
                    "share": fraction(r.parent_shares.get(calc_key(g))),
                }
                for g in figures.groups
                if calc_key(g) in r.parent_totals and g.side == Side.KOSTNAD
            ],
            "summa": kr(r.kostnader),
        },
        "shares": {kind: fraction(share) for kind, share in r.shares.items()},
        "arets_resultat": kr(r.resultat),
        "deficit_reason": column.entered.deficit_reason if column.entered else "",
        "ib": kr(r.ib),
        "ib_enligt_planen": kr(r.stated_ib) if r.stated_ib is not None else None,
        "ub": kr(r.ub),
        "tillgangliga_medel": kr(r.available),
        "targets": {
            "ceiling": kr(r.ceiling),
            "ceiling_percent": percent(r.targets.ceiling_percent),
            "ceiling_amount": kr(r.targets.ceiling_amount),
            "floor": kr(r.floor),
            "note": column.entered.target_note if column.entered else "",
            "min_individ_percent": percent(r.targets.min_individ_percent),
            "individ_costs": kr(r.individ_costs),
            "individ_of_medlemsbidrag": fraction(r.individ_of_medlemsbidrag),
        },
        "beslutade_kostnader": kr(r.decided_costs),
        "utrymme": kr(r.utrymme),
        "resultatbudget": _statement(r.resultatbudget),
        "balansbudget": _balance(r.balansbudget),
    }


def _groups(figures: PlanFigures, result: YearResult, side: str) -> list:
    # Only groups with lines in this plan; a förbund's unused groups are not part of its budget.
    return [g for g in figures.groups if g.side == side and calc_key(g) in result.group_totals]


def _statement(statement: ResultStatement) -> dict:
    return {name: kr(getattr(statement, name)) for _, name, _ in RESULT_ROWS}


def _balance(statement: BalanceStatement | None) -> dict | None:
    if statement is None:
        return None
    values = {name: kr(getattr(statement, name)) for _, name, _ in BALANCE_ROWS}
    values["difference"] = kr(statement.difference)
    values["balanced"] = statement.balanced
    return values


# --- Text -----------------------------------------------------------------------------------------


def text_summary(figures: PlanFigures) -> str:
    """The same figures as a readable Swedish table, in the förbund's unit (kr or tkr)."""
    plan = figures.plan
    unit = figures.unit
    columns = figures.columns

    def amount(value: Decimal | None) -> str:
        return "–" if value is None else format_number(value, unit)

    def share(value: Decimal | None) -> str:
        return "–" if value is None else format_percent(value)

    table: list[tuple[str, list[str]] | str] = []
    rows, notes = budget_rows(figures)
    for row in rows:
        if row.kind in ("heading", "group"):
            table.append(row.label if row.kind == "heading" else f"  {row.label}")
            continue
        label = row.label
        if row.kind in ("line", "member"):
            label = f"    {label}"
        elif row.kind == "subtotal":
            label = f"  {label}"
        if row.note_number:
            label += f" ({row.note_number})"
        table.append((label, [amount(cell.value) for cell in row.cells]))
        if row.kind == "subtotal" and any(cell.share is not None for cell in row.cells):
            table.append(("    andel av kostnaderna", [share(cell.share) for cell in row.cells]))

    shares = share_rows(figures)
    if shares:
        table.append("Andelar av kostnaderna")
        for label, values in shares:
            table.append((f"  {label}", [share(v) for v in values]))

    table.append("Mål och utrymme")
    target_numbers = {text: number for number, text in target_notes(figures)}

    def target(value: Decimal | None, column) -> str:
        number = target_numbers.get(column.entered.target_note)
        return amount(value) + (f" {number})" if number and value is not None else "")

    table.append(("  Tak för eget kapital", [target(c.result.ceiling, c) for c in columns]))
    if any(c.result.floor is not None for c in columns):
        table.append(("  Golv för eget kapital", [target(c.result.floor, c) for c in columns]))
    if any(c.result.targets.min_individ_percent is not None for c in columns):
        table.append(
            (
                "  Individinriktade insatser av medlemsbidraget",
                [share(c.result.individ_of_medlemsbidrag) for c in columns],
            )
        )
        table.append(
            (
                "  Mål för individinriktade insatser, minst",
                [
                    "–"
                    if (p := c.result.targets.min_individ_percent) is None
                    else format_typed_percent(p)
                    for c in columns
                ],
            )
        )
    table.append(("  Beslutade kostnader", [amount(c.result.decided_costs) for c in columns]))
    table.append(("  Utrymme för ny verksamhet", [amount(c.result.utrymme) for c in columns]))

    own = {StatementKind.RESULTAT: [], StatementKind.BALANS: []}
    for note in plan.statement_notes.all():
        own[note.statement].append((f"  {note.label}", [note.text] * len(columns)))
    table.append("Resultatbudget")
    for label, name, _ in RESULT_ROWS:
        table.append(
            (f"  {label}", [amount(getattr(c.result.resultatbudget, name)) for c in columns])
        )
    table += own[StatementKind.RESULTAT]
    if any(c.result.balansbudget for c in columns):
        table.append("Balansbudget")
        for label, name, _ in BALANCE_ROWS:
            table.append(
                (
                    f"  {label}",
                    [
                        amount(getattr(c.result.balansbudget, name))
                        if c.result.balansbudget
                        else "–"
                        for c in columns
                    ],
                )
            )
        table += own[StatementKind.BALANS]

    header = [c.label for c in columns]
    width = max(len(r[0]) for r in table if isinstance(r, tuple))
    width = max(width, *(len(r) for r in table if isinstance(r, str)))
    cell_width = max(
        12,
        *(len(h) for h in header),
        *(len(v) for r in table if isinstance(r, tuple) for v in r[1]),
    )

    def line(label: str, values: list[str]) -> str:
        return label.ljust(width) + "".join(v.rjust(cell_width + 2) for v in values)

    status = plan.get_status_display().lower()
    out = [
        plan.forbund.name,
        f"{plan.title} – {status}",
        f"Belopp i {unit}.",
        "",
        line("", header),
    ]
    for row in table:
        out.append(row if isinstance(row, str) else line(*row))
    if notes:
        out += ["", "Fotnoter"]
        out += [f"  {number}. {text}" for number, text in notes]
    if target_numbers:
        out += ["", "Fotnoter till målen"]
        out += [f"  {number}) {text}" for text, number in target_numbers.items()]
    out += ["", "Iakttagelser"]
    if not figures.findings:
        out.append("  Inga iakttagelser.")
    for finding in figures.findings:
        out.append(
            f"  {SEVERITY_LABELS.get(finding.severity, finding.severity)}: {finding.message}"
        )
    return "\n".join(out)
