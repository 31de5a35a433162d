"""Granska en plan: recompute every figure a source document states from its lines, and list
each stated figure that disagrees, with the likely cause where one can be told.

The workbook is the import template (or an export): the Budget sheet's lines and medlemsbidrag,
and the sheet "Uppgivna siffror" with the figures as the document states them (Figur, Kolumn,
Angivet belopp). Nothing is stored. With a förbund the audit also knows its members (so member
parts can be checked), its groups (side, statement row, totals over groups) and its units;
without one it reads the side and the statement row from the Budget sheet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from io import BytesIO

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font

from budgets import calc
from budgets.models import STATEMENT_INPUTS, statement_input_label
from budgets.selectors import calc_key, forbund_inputs, live_inputs, members_for_split
from finsam.money import THOUSAND, UNIT_KR, UNIT_TKR, format_amount
from finsam.xlsx import MAX_ROWS, UnreadableFile, open_workbook, plain_text, put_row, put_text
from plans.excel.audit_causes import digit_slip, row_sets
from plans.excel.reader import COLUMN_LABEL, STATED_SHEET, ParsedBudget, Problem, read_upload
from plans.excel.template import template_workbook

ZERO = Decimal(0)
STATEMENT_CODES = {"verksamhet": calc.VERKSAMHET, "avskrivning": calc.AVSKRIVNING}
STATEMENT_CODES["finansiell"] = calc.FINANSIELL
SIDES = {"intakt": calc.INTAKT, "intäkt": calc.INTAKT, "kostnad": calc.KOSTNAD}

# The stated figures the audit knows, by the words plans use for them (lower case).
YEAR_FIGURES = {
    "medlemsbidrag": "medlemsbidrag",
    "summa medlemsbidrag": "medlemsbidrag",
    "summa intäkter": "intakter",
    "summa kostnader": "kostnader",
    "årets resultat": "resultat",
    "budgeterat resultat": "resultat",
    "resultat": "resultat",
    "ingående eget kapital": "ib",
    "balanserat eget kapital": "ib",
    "utgående eget kapital": "ub",
    "summa eget kapital": "ub",
    "summa tillgängliga medel": "available",
    "utrymme för ny verksamhet": "utrymme",
    "beslutade kostnader": "decided_costs",
}
STATEMENT_FIGURES = {
    "verksamhetens intäkter": "verksamhetens_intakter",
    "verksamhetens kostnader": "verksamhetens_kostnader",
    "avskrivningar": "avskrivningar",
    "verksamhetens nettokostnader": "verksamhetens_nettokostnader",
    "finansiella intäkter": "finansiella_intakter",
    "finansiella kostnader": "finansiella_kostnader",
}
INPUT_FIGURES = {"golv för eget kapital": "floor"}
EQUITY = ("ib", "ub")
# Said when no pattern holds exactly: the audit never guesses at a cause.
NO_CAUSE = "Ingen orsak som stämmer exakt."


@dataclass
class AuditRow:
    """One stated figure that disagrees with the figure computed from the rows."""

    figure: str
    column: str
    stated: Decimal
    computed: Decimal
    cause: str = ""
    row: int | None = None
    # What kinds of cause were found ("rad", "rader", "ej_beslutade", "foljdfel", "annat_ar",
    # "omkastade_siffror", "felskriven_siffra", "tecken", "fotnot", "avrundning", "eget_kapital").
    kinds: list[str] = field(default_factory=list)

    @property
    def difference(self) -> Decimal:
        return self.stated - self.computed

    @property
    def explanation(self) -> str:
        return self.cause or NO_CAUSE


@dataclass
class AuditReport:
    disagreements: list[AuditRow] = field(default_factory=list)
    agreed: int = 0
    unchecked: list[Problem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    unit: str = UNIT_KR  # the förbund's unit, in which every amount is reported

    @property
    def checked(self) -> int:
        return self.agreed + len(self.disagreements)

    def as_dict(self) -> dict:
        return {
            "kontrollerade": self.checked,
            "stammer": self.agreed,
            "enhet": self.unit,
            "avvikelser": [
                {
                    "figur": r.figure,
                    "kolumn": r.column,
                    "angivet": str(r.stated),
                    "uttraknat": str(r.computed),
                    "skillnad": str(r.difference),
                    "trolig_orsak": r.explanation,
                    "orsaker": r.kinds,
                    "rad": r.row,
                }
                for r in self.disagreements
            ],
            "ej_kontrollerade": [str(p) for p in self.unchecked],
            "fel": [str(p) for p in self.problems],
        }


@dataclass(frozen=True)
class _Column:
    label: str
    kind: str
    year: int


def _columns(labels: list[str]) -> list[_Column]:
    parsed = []
    for label in labels:
        match = COLUMN_LABEL.match(label)
        parsed.append(_Column(label, match[1].lower(), int(match[2])))
    return parsed


def _budget_year(columns: list[_Column]) -> int:
    budgets = [c.year for c in columns if c.kind == "budget"]
    return max(budgets) if budgets else min(c.year for c in columns)


def audit_workbook(parsed: ParsedBudget, *, forbund=None, plan=None) -> AuditReport:
    """The audit of the stated figures against the figures computed from the rows."""
    report = AuditReport(problems=list(parsed.problems), columns=list(parsed.columns))
    if plan is not None:
        report.unit = plan.amount_unit
    elif forbund is not None:
        report.unit = forbund.amount_unit
    for line in parsed.lines:
        report.problems.extend(line.cell_problems)
    if report.problems:
        return report
    if not parsed.columns:
        report.problems.append(
            Problem("Budget", None, None, "Budgetbladet har inga beloppskolumner.")
        )
        return report
    if not parsed.stated:
        report.problems.append(
            Problem(
                STATED_SHEET,
                None,
                None,
                "Inga uppgivna siffror att granska; skriv dem på bladet "
                f"”{STATED_SHEET}” (Figur, Kolumn, Angivet belopp).",
            )
        )
        return report
    context = _Context(parsed, forbund, plan, report)
    if report.problems:
        return report
    for stated in parsed.stated:
        context.check(stated)
    return report


class _Context:
    """The recomputed plan, column by column, and how to find a stated figure in it."""

    def __init__(self, parsed: ParsedBudget, forbund, plan, report: AuditReport):
        self.parsed, self.report = parsed, report
        self.unit = report.unit
        self.columns = _columns(parsed.columns)
        budget_year = _budget_year(self.columns)
        self.plan_columns = sorted(
            (c for c in self.columns if c.year >= budget_year), key=lambda c: c.year
        )
        self.comparison = [c for c in self.columns if c.year < budget_year]
        stated = {}
        self.stated_names = {}
        for s in parsed.stated:
            key = YEAR_FIGURES.get(s.figure.strip().lower()) or INPUT_FIGURES.get(
                s.figure.strip().lower()
            )
            stated.setdefault((key, s.column), s.amount)
            self.stated_names.setdefault((key, s.column), s.figure.strip())
        self.stated = stated
        groups = {}
        self.members = []
        weights = {}
        unit, kommun_parts, region_role, under_use = 1, True, False, ZERO
        if forbund is not None:
            inputs = forbund_inputs(plan) if plan is not None else live_inputs(forbund)
            groups = {g.name: g for g in inputs.groups}
            self.categories = {(c.group.name, c.name): c for c in inputs.categories.values()}
            self.members = inputs.members
            weights = inputs.weights
            unit, kommun_parts = inputs.rounding_unit, inputs.kommun_parts
            region_role = inputs.region_has_kommun_role
            if plan is not None:
                under_use = plan.under_use_percent
        else:
            self.categories = {}
        self.groups = groups
        self.lines = self._lines(parsed, groups)
        self.results: dict[str, calc.YearResult] = {}
        plan_years = [c.year for c in self.plan_columns]
        if plan_years != list(range(plan_years[0], plan_years[0] + len(plan_years))):
            report.problems.append(
                Problem(
                    "Budget",
                    None,
                    None,
                    "Planens år ska följa på varandra (t.ex. 2025, 2026, 2027).",
                )
            )
            return
        first = self.plan_columns[0]
        opening = stated.get(("ib", first.label))
        if opening is None and plan is not None and first.year == plan.years[0]:
            # The plan named knows where it starts: nothing is typed twice.
            opening = plan.opening_equity.amount
        if opening is None:
            report.problems.append(
                Problem(
                    STATED_SHEET,
                    None,
                    None,
                    f"Ange ”Ingående eget kapital” för {first.label}: budgeten rullas fram "
                    "från det.",
                )
            )
            return
        parents = {
            calc_key(g): str(g.parent_id) for g in groups.values() if g.parent_id is not None
        }
        self.group_keys = {name: calc_key(g) for name, g in groups.items()}
        by_pk = {g.pk: g for g in groups.values()}
        self.parent_names = {
            by_pk[g.parent_id].name: calc_key(by_pk[g.parent_id])
            for g in groups.values()
            if g.parent_id in by_pk
        }
        common = {
            "unit": unit,
            "region_has_kommun_role": region_role,
            "split_kommuner": kommun_parts,
            "group_parents": parents,
        }

        def members(year):
            return members_for_split(self.members, year, weights)

        def run(columns: list[_Column], ib: Decimal, use: Decimal):
            return calc.compute_plan(
                calc.PlanInput(
                    years=tuple(c.year for c in columns),
                    opening_equity=ib,
                    allocations={c.year: parsed.medlemsbidrag.get(c.label, ZERO) for c in columns},
                    members={c.year: members(c.year) for c in columns}
                    if self.members
                    else {c.year: _placeholder_members() for c in columns},
                    under_use_percent=use,
                    lines=self._calc_lines(columns),
                    levels={c.year: self._level(c) for c in columns},
                    statement_amounts={c.year: self._statement(c) for c in columns},
                    targets={
                        c.year: calc.YearTargets(floor_amount=stated.get(("floor", c.label)))
                        for c in columns
                    },
                    **common,
                )
            )

        result = run(self.plan_columns, opening, under_use)
        for column in self.plan_columns:
            self.results[column.label] = result.year(column.year)
        for column in self.comparison:
            ib = stated.get(("ib", column.label), ZERO)
            self.results[column.label] = run([column], ib, ZERO).years[0]

    def _lines(self, parsed: ParsedBudget, groups):
        lines = []
        for index, pl in enumerate(parsed.lines):
            group = groups.get(pl.group)
            category = self.categories.get((pl.group, pl.category))
            side = SIDES.get(pl.side) or (group.side if group else calc.KOSTNAD)
            statement = STATEMENT_CODES.get(pl.statement) or (
                category.statement if category else calc.VERKSAMHET
            )
            lines.append((f"l{index}", pl, side, statement, group))
        return lines

    def _calc_lines(self, columns: list[_Column]) -> list[calc.Line]:
        out = []
        for key, pl, side, statement, group in self.lines:
            out.append(
                calc.Line(
                    key=key,
                    name=pl.name,
                    side=side,
                    group_key=self.group_keys.get(pl.group, pl.group) if self.groups else pl.group,
                    group_name=pl.group,
                    amounts={c.year: pl.amounts[c.label] for c in columns if c.label in pl.amounts},
                    statement=statement,
                    under_use_applies=bool(group and group.is_insats and side == calc.KOSTNAD),
                    decided=pl.decided,
                    summary=pl.summary,
                )
            )
        return out

    def _level(self, column: _Column) -> str:
        has = [pl for _, pl, *_ in self.lines if pl.amounts.get(column.label)]
        if not has and any(row.get(column.label) for row in self.parsed.statement_rows.values()):
            return calc.RESULTAT
        if any(pl.summary for pl in has):
            return calc.GRUPPER
        return calc.RADER

    def _statement(self, column: _Column) -> dict:
        labels = {
            statement_input_label(name): (side, statement)
            for name, side, statement in STATEMENT_INPUTS
        }
        return {
            labels[label]: values.get(column.label, ZERO)
            for label, values in self.parsed.statement_rows.items()
            if label in labels
        }

    # --- Finding a figure and its likely cause ---------------------------------------------

    def check(self, stated) -> None:
        name = stated.figure.strip()
        lower = name.lower()
        result = self.results.get(stated.column)
        if lower in INPUT_FIGURES:
            return  # an input the audit computes from, not a figure to check
        computed, scope = self._find(lower, result, stated.column)
        if computed is None:
            self.report.unchecked.append(
                Problem(
                    STATED_SHEET,
                    stated.row,
                    "A",
                    f"”{name[:60]}” är ingen siffra granskningen känner: en summa, ett "
                    "resultat, eget kapital, en grupp, en medlem eller en rad i "
                    "resultatbudgeten.",
                )
            )
            return
        if computed == stated.amount:
            self.report.agreed += 1
            return
        row = AuditRow(name, stated.column, stated.amount, computed, row=stated.row)
        row.cause = self._cause(lower, row, result, scope)
        self.report.disagreements.append(row)

    def _find(self, lower: str, result, column: str):
        if lower in YEAR_FIGURES:
            attr = YEAR_FIGURES[lower]
            sides = {"intakter": calc.INTAKT, "kostnader": calc.KOSTNAD}
            return getattr(result, attr), ("side", sides.get(attr))
        if lower in STATEMENT_FIGURES:
            return getattr(result.resultatbudget, STATEMENT_FIGURES[lower]), ("statement", None)
        text = re.sub(r"^(summa|varav)\s+", "", lower).strip()
        for group_name in {pl.group for _, pl, *_ in self.lines} | set(self.parent_names):
            # Stripped as the figure is: a name may begin with a tab (finsam.xlsx.read_text).
            if group_name.strip().lower() == text:
                if group_name in self.parent_names:
                    return result.parent_totals.get(self.parent_names[group_name], ZERO), (
                        "parent",
                        group_name,
                    )
                key = self.group_keys.get(group_name, group_name) if self.groups else group_name
                return result.group_totals.get(key, ZERO), ("group", group_name)
        for member in self.members:
            if member.name.strip().lower() == text and calc_key(member) in result.member_parts:
                return result.member_parts[calc_key(member)], ("member", None)
        if text in ("kommunerna tillsammans", "kommuner", "kommunerna"):
            return result.split_blocks.get(calc.KOMMUNER), ("member", None)
        return None, None

    def _amount(self, value: Decimal) -> str:
        return format_amount(value, self.unit)

    def _cause(self, lower: str, row: AuditRow, result, scope) -> str:
        """Every cause that holds exactly, in words; the kinds found go on the row."""
        diff = row.difference
        found: list[tuple[str, str]] = []
        if row.stated == -row.computed:
            row.kinds = ["tecken"]
            return "Tecknet är omvänt: beloppet stämmer men med fel tecken."
        lines = self._scope_lines(lower, scope, result)
        found += self._row_causes(lines, diff)
        for _, pl, *_ in self.lines:
            # The line's footnote, and a footnote on one of its amounts where the file has them.
            notes = [pl.note, *getattr(pl, "notes", {}).values()]
            note = next((n for n in notes if n and _mentions(n, abs(diff))), None)
            if note:
                found.append(
                    (
                        "fotnot",
                        f"Skillnaden är beloppet i fotnoten till ”{pl.name}”: ”{note[:120]}”.",
                    )
                )
                break
        attr = YEAR_FIGURES.get(lower)
        cascade = self._cascade(attr, row) if attr else None
        if cascade:
            found.append(("foljdfel", cascade))
        elif attr in (*EQUITY, "resultat"):
            found += [("eget_kapital", text) for text in self._equity_cause(attr, row, result)]
        found += self._other_year(lower, row)
        rounded = abs(diff) < 1000 and row.stated % 1000 == 0
        if not found and rounded:
            found.append(("avrundning", "Troligen avrundning till hela tusental kronor."))
        # "Går inte ihop" only describes the slip: a slip of the pen may still be its cause.
        elif not rounded and all(kind == "eget_kapital" for kind, _ in found):
            slip = digit_slip(row.stated, row.computed)
            if slip == "transposed":
                found.append(
                    (
                        "omkastade_siffror",
                        f"Två siffror har bytt plats: {self._amount(row.stated)} i stället för "
                        f"{self._amount(row.computed)}.",
                    )
                )
            elif slip == "digit":
                found.append(
                    (
                        "felskriven_siffra",
                        f"En siffra är felskriven: {self._amount(row.stated)} i stället för "
                        f"{self._amount(row.computed)}.",
                    )
                )
        row.kinds = [kind for kind, _ in found]
        return " ".join(text for _, text in found)

    def _scope_lines(self, lower: str, scope, result) -> list[tuple]:
        """The rows a figure adds up, each with what it adds (a cost lowers a result)."""
        kind, what = scope
        if YEAR_FIGURES.get(lower) == "resultat":
            return [
                (pl, amount if side == calc.INTAKT else -amount)
                for key, pl, side, *_ in self.lines
                if (amount := result.line_amounts.get(key))
            ]
        if kind not in ("group", "parent", "side"):
            return []
        return [
            (pl, result.line_amounts[key])
            for key, pl, side, _, group in self.lines
            if result.line_amounts.get(key)
            and (
                (kind == "group" and pl.group == what)
                or (kind == "parent" and self._in_parent(pl.group, what))
                or (kind == "side" and side == what)
            )
        ]

    def _row_causes(self, lines: list[tuple], diff: Decimal) -> list[tuple[str, str]]:
        if not lines:
            return []
        left_out = [pl for pl, amount in lines if amount == -diff]
        twice = [pl for pl, amount in lines if amount == diff]
        if len(left_out) == 1:
            return [
                (
                    "rad",
                    f"Summan stämmer om raden ”{left_out[0].name}” ({self._amount(abs(diff))}) inte "
                    "räknas med.",
                )
            ]
        if len(twice) == 1:
            return [
                (
                    "rad",
                    f"Summan stämmer om raden ”{twice[0].name}” ({self._amount(abs(diff))}) räknas "
                    "två gånger.",
                )
            ]
        if left_out or twice:
            return []  # several rows of that amount: which one cannot be told
        undecided = [(pl, amount) for pl, amount in lines if not pl.decided]
        if undecided and sum(amount for _, amount in undecided) == -diff:
            names = ", ".join(f"”{pl.name}”" for pl, _ in undecided[:5])
            more = f" och {len(undecided) - 5} till" if len(undecided) > 5 else ""
            count = len(undecided)
            return [
                (
                    "ej_beslutade",
                    f"Summan är de beslutade raderna; {count} ej "
                    f"{'beslutad' if count == 1 else 'beslutade'} "
                    f"{'utelämnad' if count == 1 else 'utelämnade'} ({names}{more}, "
                    f"{self._amount(abs(diff))}).",
                )
            ]
        sets = row_sets([amount for _, amount in lines], -diff)
        if len(sets) == 1:
            names = ", ".join(f"”{lines[i][0].name}”" for i in sets[0])
            return [
                (
                    "rader",
                    f"Summan stämmer om raderna {names} ({self._amount(abs(diff))} tillsammans) "
                    "inte räknas med.",
                )
            ]
        return []

    def _printed(self, key: str, label: str) -> tuple[Decimal, bool]:
        """The figure as the document states it (or as computed where it states none), and
        whether the stated one is itself a slip."""
        computed = getattr(self.results[label], key)
        stated = self.stated.get((key, label))
        if stated is None:
            return computed, False
        return stated, stated != computed

    def _cascade(self, attr: str, row: AuditRow) -> str | None:
        """A figure that is right when the document's own earlier slip is used in its place:
        UB = IB + resultat, resultat = intäkter − kostnader, IB = last year's UB."""
        label = row.column
        if attr == "ib":
            labels = [c.label for c in self.plan_columns]
            if label not in labels or labels.index(label) == 0:
                return None
            inputs = [("ub", labels[labels.index(label) - 1], 1)]
        elif attr == "ub":
            inputs = [("ib", label, 1), ("resultat", label, 1)]
        elif attr == "resultat":
            inputs = [("intakter", label, 1), ("kostnader", label, -1)]
        else:
            return None
        if any(column not in self.results for _, column, _ in inputs):
            return None
        total = ZERO
        slips = []
        for key, column, sign in inputs:
            value, slip = self._printed(key, column)
            total += sign * value
            if slip:
                slips.append((key, column, value))
        if total != row.stated or not slips:
            return None
        named = " och ".join(
            f"”{self.stated_names.get((key, column), key)}” ({column}, angivet "
            f"{self._amount(value)}, uträknat {self._amount(getattr(self.results[column], key))})"
            for key, column, value in slips
        )
        if attr == "ub" and [s[0] for s in slips] == ["ib"]:
            stated_ib = slips[0][2]
            return (
                f"Följdfel av {named}: utgående eget kapital är räknat från det angivna ingående "
                f"egna kapitalet ({self._amount(stated_ib)}) i stället för förra årets utgående "
                f"({self._amount(self.results[label].ib)})."
            )
        return f"Följdfel av {named}, som själv avviker: med det angivna beloppet stämmer figuren."

    def _other_year(self, lower: str, row: AuditRow) -> list[tuple[str, str]]:
        """The same figure as computed for another column, when exactly one column gives it."""
        matches = []
        for label, other in self.results.items():
            if label == row.column:
                continue
            value, _ = self._find(lower, other, label)
            if value is not None and value == row.stated:
                matches.append(label)
        if len(matches) != 1:
            return []
        return [
            (
                "annat_ar",
                f"Beloppet är {row.figure.lower()} för {matches[0]} ({self._amount(row.stated)}): "
                "troligen hämtat ur fel års kolumn.",
            )
        ]

    def _in_parent(self, group: str, parent: str) -> bool:
        g = self.groups.get(group)
        p = self.groups.get(parent)
        return g is not None and p is not None and (g.pk == p.pk or g.parent_id == p.pk)

    def _equity_cause(self, attr: str, row: AuditRow, result) -> list[str]:
        stated_ib = self.stated.get(("ib", row.column))
        stated_result = self.stated.get(("resultat", row.column))
        if attr == "ib" and row.stated != result.ib:
            return [
                f"Förra årets utgående eget kapital, räknat ur raderna, är "
                f"{self._amount(result.ib)}; planen anger ett annat ingående belopp."
            ]
        if (
            attr == "ub"
            and stated_ib is not None
            and row.stated
            != stated_ib + (stated_result if stated_result is not None else result.resultat)
        ):
            return [
                "Det angivna utgående egna kapitalet är inte det angivna ingående plus årets "
                "resultat; tabellens egna rader går inte ihop."
            ]
        return []


def _mentions(text: str, amount: Decimal) -> bool:
    """Whether a footnote names the amount, in kronor or in tkr ("36 tkr", "36 000 kr")."""
    if not amount:
        return False
    numbers = re.findall(r"\d[\d\s\u00a0]*(?:,\d+)?", text)
    for raw in numbers:
        digits = raw.replace(" ", "").replace("\u00a0", "").replace(",", ".")
        try:
            value = Decimal(digits)
        except ArithmeticError:
            continue
        if value == amount or value * 1000 == amount:
            return True
    return False


def _placeholder_members():
    # Without a förbund the audit has no members: a split that always succeeds, not shown.
    return (
        calc.SplitMember("stat", "Staten", "fk"),
        calc.SplitMember("region", "Regionen", "region"),
        calc.SplitMember("kommun", "Kommunerna", "kommun", Decimal(1)),
    )


def report_workbook(report: AuditReport, *, title: str) -> bytes:
    """The audit report as a workbook: every disagreement with its cause, and what was not
    checked. Its texts come from the uploaded file (figures, line names, footnotes), so every
    one is written as text (finsam.xlsx)."""

    def _in_unit(amount: Decimal):
        return int(amount) if report.unit != UNIT_TKR else amount / THOUSAND

    wb = Workbook()
    ws = wb.active
    ws.title = "Granskning"
    wb.properties.title = plain_text(title)
    bold = Font(bold=True)
    put_text(ws["A1"], title).font = bold
    put_text(
        ws["A2"],
        f"{report.checked} angivna siffror granskade, {report.agreed} stämmer, "
        f"{len(report.disagreements)} avviker.",
    )
    unit = f" ({report.unit})"
    headings = ["Angivet", "Uträknat ur raderna", "Skillnad"]
    for cell in put_row(ws, 4, ["Figur", "Kolumn", *(h + unit for h in headings), "Trolig orsak"]):
        cell.font = bold
    for r, row in enumerate(report.disagreements, start=5):
        amounts = [row.stated, row.computed, row.difference]
        cells = put_row(ws, r, [row.figure, row.column, *map(_in_unit, amounts), row.explanation])
        for cell in cells[2:5]:
            # tkr keeps the decimals a kronor amount needs, as finsam.money.format_number does.
            cell.number_format = "#,##0.###" if report.unit == UNIT_TKR else "#,##0"
        cells[5].alignment = Alignment(wrap_text=True, vertical="top")
    if report.unchecked or report.problems:
        heading = 4 + len(report.disagreements) + 2
        put_text(ws.cell(row=heading, column=1), "Inte granskat").font = bold
        for r, problem in enumerate(report.problems + report.unchecked, start=heading + 1):
            put_text(ws.cell(row=r, column=1), str(problem))
    for letter, width in {"A": 34, "B": 14, "C": 14, "D": 18, "E": 14, "F": 80}.items():
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A5"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def report_text(report: AuditReport) -> str:
    """The report as plain text, for the command line."""
    lines = [
        f"{report.checked} angivna siffror granskade, {report.agreed} stämmer, "
        f"{len(report.disagreements)} avviker."
    ]
    for row in report.disagreements:
        lines.append(
            f"- {row.figure}, {row.column}: angivet {format_amount(row.stated, report.unit)}, "
            f"uträknat {format_amount(row.computed, report.unit)}, skillnad "
            f"{format_amount(row.difference, report.unit)}. {row.explanation}"
        )
    for problem in report.problems + report.unchecked:
        lines.append(f"! {problem}")
    return "\n".join(lines).replace("\xa0", " ")


def budget_year_of(parsed: ParsedBudget) -> int | None:
    """The budget year the file's columns name (the latest Budget column), if any."""
    if not parsed.columns:
        return None
    return _budget_year(_columns(parsed.columns))


def read_with_plan(name: str, data: bytes, plan, *, parsed: ParsedBudget | None = None):
    """The file as read, or, when it has no budget lines, the plan's own lines (its import
    template) with the figures the file states: a document's printed figures can be audited
    against a plan without typing its rows again. Returns the parsed budget and whether the
    lines came from the plan."""
    parsed = parsed if parsed is not None else read_upload(name, data)
    if parsed.lines or any(p.row is not None and p.sheet != STATED_SHEET for p in parsed.problems):
        return parsed, False  # the file's own rows, or their problems: never hidden by the plan's
    try:
        source = open_workbook(name, data)
    except UnreadableFile:
        return parsed, False  # read_upload has said why, once
    try:
        sheet = source[STATED_SHEET] if STATED_SHEET in source.sheetnames else None
        if sheet is None:
            return parsed, False
        # Each row where it stood, so a problem names the row of the person's own file.
        rows = [
            (number, [c.value for c in row])
            for number, row in enumerate(sheet.iter_rows(min_row=2, max_col=3), start=2)
            if number <= MAX_ROWS + 1
        ]
    finally:
        source.close()
    workbook = load_workbook(BytesIO(template_workbook(plan)))
    target = workbook[STATED_SHEET]
    for number, values in rows:
        put_row(target, number, values)
    out = BytesIO()
    workbook.save(out)
    return read_upload(name, out.getvalue()), True
