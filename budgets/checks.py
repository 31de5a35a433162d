"""The checks of a computed plan: what the kansli must fix or should know before adoption.

Each check is a small pure function over the computed figures, so a finding can be tested on its
own and the same findings appear in the editor, the PDF and the CLI. Messages are Swedish, name
the year and quote the figures as the plan prints them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from budgets.calc import (
    GRUPPER,
    KOMMUNER,
    REGION_BLOCK,
    RESULTAT,
    STAT,
    Line,
    PlanResult,
    YearResult,
    counts_at,
)
from finsam.members import AF, FK, KOMMUN, REGION
from finsam.money import UNIT_KR, format_amount, format_percent, format_typed_percent

FEL, VARNING, INFO = "fel", "varning", "info"
# The balansbudget's rows as a sentence names them (calc.BALANCING_ROWS).
BALANCE_ROW_NAMES = {
    "anlaggningstillgangar": "anläggningstillgångar",
    "omsattningstillgangar": "omsättningstillgångar",
    "avsattningar": "avsättningar",
    "langfristiga_skulder": "långfristiga skulder",
    "kortfristiga_skulder": "kortfristiga skulder",
}
SEVERITY_ORDER = {FEL: 0, VARNING: 1, INFO: 2}

# The förbundsordningar fix the budget by 30 November of the year before the budget year.
DEADLINE_MONTH, DEADLINE_DAY = 11, 30
DEADLINE_SOON_DAYS = 30

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Finding:
    """One problem or notice about the plan, tied to the row it concerns."""

    code: str
    severity: str
    message: str
    year: int | None
    ref: str


# --- Per year ----------------------------------------------------------------------------------


def check_split(year: YearResult, *, amount_unit: str = UNIT_KR) -> list[Finding]:
    """split-fel: the medlemsbidrag could not be split among the members."""
    if year.split_error is None:
        return []
    return [
        Finding(
            "split-fel",
            FEL,
            f"{year.year}: medlemsbidraget {format_amount(year.medlemsbidrag, amount_unit)} kan inte fördelas "
            f"mellan medlemmarna. {year.split_error}",
            year.year,
            "medlemsbidrag",
        )
    ]


def check_kommun_split(year: YearResult, *, amount_unit: str = UNIT_KR) -> list[Finding]:
    """kommun-fordelning: the plan states each kommun's part, but not every kommun has a
    fördelningstal; the other members' parts and the kommuner's sum stand."""
    if year.kommun_error is None:
        return []
    return [
        Finding(
            "kommun-fordelning",
            FEL,
            f"{year.year}: {year.kommun_error}, så kommunernas del "
            f"{format_amount(year.split_blocks[KOMMUNER], amount_unit)} kan inte fördelas mellan "
            "kommunerna.",
            year.year,
            "medlemsbidrag",
        )
    ]


def _kommun_block_only(year: YearResult) -> bool:
    # The kommuner's quarter stands as one sum: no kommun has a part of its own.
    return bool(year.split_blocks) and not any(
        m.kind == KOMMUN and m.key in year.member_parts for m in year.members
    )


def check_parts_sum(year: YearResult, *, amount_unit: str = UNIT_KR) -> list[Finding]:
    """delar-summa: the members' parts do not add up to the medlemsbidrag."""
    if not year.member_parts:
        return []
    parts = sum(year.member_parts.values(), Decimal(0))
    if _kommun_block_only(year):
        parts += year.split_blocks[KOMMUNER]
    if parts == year.medlemsbidrag:
        return []
    return [
        Finding(
            "delar-summa",
            FEL,
            f"{year.year}: medlemmarnas delar summerar till {format_amount(parts, amount_unit)}, men "
            f"medlemsbidraget är {format_amount(year.medlemsbidrag, amount_unit)} "
            f"(skillnad {format_amount(parts - year.medlemsbidrag, amount_unit)}).",
            year.year,
            "medlemsbidrag",
        )
    ]


def _block_label(block: str) -> str:
    return {
        STAT: "staten (genom Försäkringskassan)",
        REGION_BLOCK: "regionen",
        KOMMUNER: "kommunerna tillsammans",
    }[block]


def check_distribution(
    year: YearResult, *, unit: int, region_has_kommun_role: bool, amount_unit: str = UNIT_KR
) -> list[Finding]:
    """fordelning: a block, or a kommun within the kommun block, is off its fixed share.

    Works from the parts rather than the split's own blocks, so that imported figures are
    checked too. Rounding may move a part less than one unit; more than that is an error.
    """
    if not year.member_parts or not year.members:
        return []
    kinds = {m.key: m.kind for m in year.members}
    fractions = {STAT: Decimal("0.5"), REGION_BLOCK: Decimal("0.25"), KOMMUNER: Decimal("0.25")}
    if region_has_kommun_role:
        fractions = {STAT: Decimal("0.5"), REGION_BLOCK: Decimal("0.5"), KOMMUNER: Decimal(0)}
    block_of = {FK: STAT, AF: STAT, REGION: REGION_BLOCK, KOMMUN: KOMMUNER}
    blocks = dict.fromkeys(fractions, Decimal(0))
    for key, part in year.member_parts.items():
        if kinds.get(key) in block_of:
            blocks[block_of[kinds[key]]] += part
    if _kommun_block_only(year):
        blocks[KOMMUNER] = year.split_blocks[KOMMUNER]
    refs = {
        STAT: next((f"member:{m.key}" for m in year.members if m.kind == FK), "medlemsbidrag"),
        REGION_BLOCK: next(
            (f"member:{m.key}" for m in year.members if m.kind == REGION), "medlemsbidrag"
        ),
        KOMMUNER: "medlemsbidrag",
    }
    findings = []
    for block, fraction in fractions.items():
        exact = year.medlemsbidrag * fraction
        if abs(blocks[block] - exact) > unit:
            findings.append(
                Finding(
                    "fordelning",
                    FEL,
                    f"{year.year}: {_block_label(block)} får {format_amount(blocks[block], amount_unit)}, men den "
                    f"fasta fördelningen ger {format_amount(exact, amount_unit)} "
                    f"({format_percent(fraction, 0)} av {format_amount(year.medlemsbidrag, amount_unit)}).",
                    year.year,
                    refs[block],
                )
            )
    findings += _check_kommun_parts(year, blocks[KOMMUNER], unit, amount_unit)
    return findings


def _check_kommun_parts(
    year: YearResult, block: Decimal, unit: int, amount_unit: str
) -> list[Finding]:
    kommuner = [m for m in year.members if m.kind == KOMMUN and m.key in year.member_parts]
    if not kommuner or any(m.weight is None or m.weight <= 0 for m in kommuner):
        return []
    total_weight = sum((Decimal(m.weight) for m in kommuner), Decimal(0))
    findings = []
    for kommun in kommuner:
        part = year.member_parts[kommun.key]
        # |part − block·w/W| > unit, multiplied through by W to stay exact.
        if abs(part * total_weight - block * kommun.weight) > unit * total_weight:
            exact = block * kommun.weight / total_weight
            findings.append(
                Finding(
                    "fordelning",
                    FEL,
                    f"{year.year}: {kommun.name} får {format_amount(part, amount_unit)}, men fördelningen efter "
                    f"vikt ger {format_amount(exact, amount_unit)} av kommunernas {format_amount(block, amount_unit)}.",
                    year.year,
                    f"member:{kommun.key}",
                )
            )
    return findings


def check_negative_equity(year: YearResult, *, amount_unit: str = UNIT_KR) -> list[Finding]:
    """ub-negativ: the year ends with negative eget kapital."""
    if year.ub >= 0:
        return []
    return [
        Finding(
            "ub-negativ",
            FEL,
            f"{year.year}: utgående eget kapital är {format_amount(year.ub, amount_unit)}; underskottet täcks "
            "inte av eget kapital.",
            year.year,
            "ub",
        )
    ]


def check_ceiling(year: YearResult, *, amount_unit: str = UNIT_KR) -> list[Finding]:
    """ek-over-tak: eget kapital ends above the förbund's ceiling."""
    if year.ceiling is None or year.ub <= year.ceiling:
        return []
    basis = ""
    if year.targets.ceiling_amount is None and year.targets.ceiling_percent is not None:
        basis = (
            f" ({format_typed_percent(year.targets.ceiling_percent)} av medlemsbidraget "
            f"{format_amount(year.medlemsbidrag, amount_unit)})"
        )
    return [
        Finding(
            "ek-over-tak",
            VARNING,
            f"{year.year}: utgående eget kapital {format_amount(year.ub, amount_unit)} är över taket "
            f"{format_amount(year.ceiling, amount_unit)}{basis}.",
            year.year,
            "ceiling",
        )
    ]


def check_floor(year: YearResult, *, amount_unit: str = UNIT_KR) -> list[Finding]:
    """ek-under-golv: eget kapital ends below the floor, though not below zero."""
    if year.floor is None or year.ub < 0 or year.ub >= year.floor:
        return []
    return [
        Finding(
            "ek-under-golv",
            VARNING,
            f"{year.year}: utgående eget kapital {format_amount(year.ub, amount_unit)} är under golvet "
            f"{format_amount(year.floor, amount_unit)}.",
            year.year,
            "floor",
        )
    ]


def check_individ_share(year: YearResult, *, amount_unit: str = UNIT_KR) -> list[Finding]:
    """individ-andel: too little of the medlemsbidrag goes to individinriktade insatser.

    The target's denominator is the medlemsbidrag. Costs with no share kind stated may be
    individinriktade or not: when the target is met only if they are, the finding says the
    target cannot be judged (individ-andel-oklar) instead of warning."""
    minimum = year.targets.min_individ_percent
    share = year.individ_of_medlemsbidrag
    if minimum is None or share is None or share * HUNDRED >= minimum:
        return []
    at_most = (year.individ_costs + year.unclassified_costs) / year.medlemsbidrag
    if year.unclassified_costs and at_most * HUNDRED >= minimum:
        return [
            Finding(
                "individ-andel-oklar",
                INFO,
                f"{year.year}: {format_amount(year.unclassified_costs, amount_unit)} av kostnaderna "
                "räknas inte i någon andel (ej angivet), så målet om minst "
                f"{format_typed_percent(minimum)} av medlemsbidraget till individinriktade "
                "insatser kan inte bedömas; ange andelen på raderna eller grupperna.",
                year.year,
                "individ",
            )
        ]
    return [
        Finding(
            "individ-andel",
            VARNING,
            f"{year.year}: individinriktade insatser får {format_percent(share)} av "
            f"medlemsbidraget ({format_amount(year.individ_costs, amount_unit)} av "
            f"{format_amount(year.medlemsbidrag, amount_unit)}); målet är minst "
            f"{format_typed_percent(minimum)}.",
            year.year,
            "individ",
        )
    ]


def check_deficit(
    year: YearResult, *, deficit_reason: str, amount_unit: str = UNIT_KR
) -> list[Finding]:
    """A planned deficit: a warning without a stated reason, a notice with one (the year's
    own reason, or the plan's for every year)."""
    if year.resultat >= 0:
        return []
    reason = deficit_reason.strip()
    if not reason:
        return [
            Finding(
                "underskott-utan-motivering",
                VARNING,
                f"{year.year}: årets resultat är {format_amount(year.resultat, amount_unit)}. Budgeten ska vara i "
                "balans; ett planerat underskott behöver en motivering.",
                year.year,
                "resultat",
            )
        ]
    return [
        Finding(
            "underskott",
            INFO,
            f"{year.year}: årets resultat är {format_amount(year.resultat, amount_unit)}; eget kapital förbrukas "
            f"medvetet: {reason}",
            year.year,
            "resultat",
        )
    ]


def check_stated_ib(year: YearResult, *, amount_unit: str = UNIT_KR) -> list[Finding]:
    """ib-angivet: the plan states an opening eget kapital for a later year other than the
    year before's closing one. The figures roll forward regardless; the difference is shown."""
    if year.stated_ib is None or year.stated_ib == year.ib:
        return []
    return [
        Finding(
            "ib-angivet",
            VARNING,
            f"{year.year}: planen anger ingående eget kapital "
            f"{format_amount(year.stated_ib, amount_unit)}, men utgående eget kapital året före är "
            f"{format_amount(year.ib, amount_unit)} (skillnad "
            f"{format_amount(year.stated_ib - year.ib, amount_unit)}). Budgeten räknar med "
            f"{format_amount(year.ib, amount_unit)}.",
            year.year,
            "ib",
        )
    ]


EMPTY_YEAR = "tomt-ar"


def check_empty_year(year: YearResult, *, amount_unit: str = UNIT_KR) -> list[Finding]:
    """tomt-ar: a plan year whose budget is all zeros (no medlemsbidrag, no line)."""
    if year.medlemsbidrag or any(year.line_amounts.values()):
        return []
    return [
        Finding(
            EMPTY_YEAR,
            VARNING,
            f"{year.year}: budgeten för året är tom; medlemsbidraget och alla rader är 0.",
            year.year,
            "medlemsbidrag",
        )
    ]


def check_balance(year: YearResult, *, amount_unit: str = UNIT_KR) -> list[Finding]:
    """balans: tillgångar differ from eget kapital, avsättningar and skulder."""
    statement = year.balansbudget
    if statement is None:
        return []
    if statement.balancing:
        # Balanced by construction; what can still be wrong is the row it computes.
        computed = getattr(statement, statement.balancing)
        if computed >= 0:
            return []
        return [
            Finding(
                "balans",
                VARNING,
                f"{year.year}: balansbudgetens {BALANCE_ROW_NAMES[statement.balancing]}, som "
                f"räknas fram så att den går ihop, blir negativa "
                f"({format_amount(computed, amount_unit)}); se över de inmatade posterna.",
                year.year,
                "balans",
            )
        ]
    if statement.balanced:
        return []
    return [
        Finding(
            "balans",
            FEL,
            f"{year.year}: balansbudgeten går inte ihop: tillgångar "
            f"{format_amount(statement.summa_tillgangar, amount_unit)}, eget kapital, avsättningar och skulder "
            f"{format_amount(statement.summa_eget_kapital_avsattningar_skulder, amount_unit)} "
            f"(skillnad {format_amount(statement.difference, amount_unit)}).",
            year.year,
            "balans",
        )
    ]


# --- The plan as a whole -----------------------------------------------------------------------


def adoption_deadline(budget_year: int) -> date:
    """The last day to adopt a plan: 30 November of the year before its budget year."""
    return date(budget_year - 1, DEADLINE_MONTH, DEADLINE_DAY)


def due_budget_years(*, today: date, planned: set[int], adopted: set[int]) -> list[int]:
    """The budget years whose plan a förbund owes on a day, earliest first.

    The plan due next is next year's, whose deadline is this year's 30 November, or, once a
    year's plan is adopted, the first year after it that is not. After 30 November next year's
    plan, if not adopted, is late and still due. A plan for the year under way that was begun but
    never adopted is late too; a year no plan was begun for in the product is not owed.
    """
    due = [today.year] if today.year in planned and today.year not in adopted else []
    year = today.year + 1
    while year in adopted:
        year += 1
    return [*due, year]


def check_deadline(*, budget_year: int, today: date, adopted: bool) -> list[Finding]:
    """The plan must be adopted by its adoption_deadline."""
    if adopted:
        return []
    due = adoption_deadline(budget_year)
    due_text = f"{due.day} november {due.year}"
    days = (due - today).days
    if days < 0:
        return [
            Finding(
                "sista-dag-passerad",
                VARNING,
                f"Planen skulle ha antagits senast {due_text}.",
                None,
                "plan",
            )
        ]
    if days > DEADLINE_SOON_DAYS:
        return []
    left = "i dag" if days == 0 else ("om 1 dag" if days == 1 else f"om {days} dagar")
    return [
        Finding(
            "sista-dag-nara",
            INFO,
            f"Planen ska antas senast {due_text}, {left}.",
            None,
            "plan",
        )
    ]


def check_members(member_set_problems: Iterable[str]) -> list[Finding]:
    """medlemmar: what is wrong with the förbund's member set."""
    return [Finding("medlemmar", FEL, problem, None, "members") for problem in member_set_problems]


# The levels of an insats's risk and effekt (insatser.rules names them for its forms).
LAG, MEDEL, HOG = "lag", "medel", "hog"
RISK_HIGH_EFFECT_LOW = "risk-hog-effekt-lag"


INSATS_PERIOD = "insats-period"


@dataclass(frozen=True)
class RiskItem:
    """An insats as the plan's checks see it (its risk and effekt, its period)."""

    key: str
    name: str
    risk: str  # lag, medel, hog, or "" when not assessed
    effekt: str
    active: bool
    start: date | None = None
    end: date | None = None  # None: until further notice


def is_high_risk_low_effect(risk: str, effekt: str) -> bool:
    return risk == HOG and effekt == LAG


def check_risk_effect(items: Iterable[RiskItem]) -> list[Finding]:
    """risk-hog-effekt-lag: an active insats assessed as high risk with low effect."""
    return [
        Finding(
            RISK_HIGH_EFFECT_LOW,
            VARNING,
            f"Insatsen {item.name} har hög risk och låg effekt. Styrelsen bör besluta om "
            "åtgärder, eller om att avsluta insatsen.",
            None,
            f"insats:{item.key}",
        )
        for item in items
        if item.active and is_high_risk_low_effect(item.risk, item.effekt)
    ]


def period_outside_years(start: date | None, end: date | None, years: Sequence[int]) -> bool:
    """Whether a period from start to end (None: until further notice) has no day in years."""
    if start is None or not years:
        return False
    return start.year > max(years) or (end is not None and end.year < min(years))


def period_outside_message(name: str, start: date, end: date | None, years: Sequence[int]) -> str:
    period = f"{start.isoformat()}–{end.isoformat() if end else 'tills vidare'}"
    return (
        f"Insatsen {name} löper {period}, utanför planens år {min(years)}–{max(years)}. "
        "Se över start- och slutdatum."
    )


def check_insats_periods(items: Iterable[RiskItem], years: Sequence[int]) -> list[Finding]:
    """insats-period: an insats whose period has no day in the plan's years (a mistyped date,
    or an insats that ended before the plan or starts after it)."""
    return [
        Finding(
            INSATS_PERIOD,
            VARNING,
            period_outside_message(item.name, item.start, item.end, years),
            None,
            f"insats:{item.key}",
        )
        for item in items
        if item.start is not None and period_outside_years(item.start, item.end, years)
    ]


def _sort_key(finding: Finding) -> tuple[int, bool, int]:
    # The worst first; within a severity plan-wide findings, then year by year.
    return (SEVERITY_ORDER[finding.severity], finding.year is not None, finding.year or 0)


UNCOUNTED = "belopp-raknas-inte"


def _finding_line(finding: Finding) -> str:
    return finding.ref.removeprefix("line:")


def check_uncounted(
    lines: Sequence[Line],
    *,
    levels: Mapping[int, str],
    comparison_year: int | None = None,
    amount_unit: str = UNIT_KR,
    before: tuple[Sequence[Finding], frozenset[str]] | None = None,
) -> list[Finding]:
    """belopp-raknas-inte: an amount typed on a line for a year in which it reaches no total: the
    year is budgeted per group or only as its resultatbudget (calc.counts_at), or lies outside the
    plan's years. levels {year: level} for each plan year; the comparison year's figures are its
    own column and count there.

    before: (the findings of these lines at these levels, the keys of the lines whose amounts
    changed since): a save of cells checks its own lines again and keeps the others' findings.
    Each finding names its line alone, so the findings are those of checking every line once
    sort_findings has put them in order (by year, a year's in the lines' order), as run_checks
    does: their order here is the lines' where both kept and new findings are left, else
    either's own."""
    if before is not None:
        found_before, changed = before
        kept = [f for f in found_before if f.code == UNCOUNTED and _finding_line(f) not in changed]
        found = check_uncounted(
            [line for line in lines if line.key in changed],
            levels=levels,
            comparison_year=comparison_year,
            amount_unit=amount_unit,
        )
        if not kept or not found:
            return kept or found
        position = {line.key: index for index, line in enumerate(lines)}
        return sorted(kept + found, key=lambda f: position[_finding_line(f)])
    findings = []
    # The years a line's amount counts in, for a detail line and for a summary line: most lines
    # have nothing uncounted, and are passed over without sorting their years.
    counted = {
        summary: {
            year
            for year, level in levels.items()
            if counts_at(level, summary=summary, computed_room=False)
        }
        for summary in (False, True)
    }
    for line in lines:
        if line.computed_room:
            continue
        counts = counted[line.summary]
        if all(
            not amount or year == comparison_year or year in counts
            for year, amount in line.amounts.items()
        ):
            continue
        for year, amount in sorted(line.amounts.items()):
            if not amount or year == comparison_year:
                continue
            if year not in levels:
                why = "året ligger utanför planens år"
            elif line.counts_in(levels[year]):
                continue
            elif levels[year] == RESULTAT:
                why = "året budgeteras bara som resultatbudget"
            elif levels[year] == GRUPPER:
                why = "året budgeteras per grupp (gruppens summarad räknas)"
            else:
                why = "året budgeteras rad för rad (gruppens summarad räknas inte)"
            findings.append(
                Finding(
                    UNCOUNTED,
                    VARNING,
                    f"{year}: {format_amount(amount, amount_unit)} på raden {line.name} räknas inte "
                    f"i budgeten: {why}.",
                    year,
                    f"line:{line.key}",
                )
            )
    return findings


def group_by_years(findings: Sequence[Finding]) -> list[tuple[Finding, tuple[int, ...]]]:
    """The findings as listed: one that differs from another only by its year (the same figure
    causing it every year) stands once, with its years ("2027, 2028 och 2029: …"), where the
    first of them stood. Returns (finding, years) pairs, years empty for a single finding."""
    groups: dict[tuple, list[Finding]] = {}
    for finding in findings:
        prefix = f"{finding.year}: "
        if finding.year is None or not finding.message.startswith(prefix):
            key: tuple = (id(finding),)
        else:
            rest = finding.message[len(prefix) :]
            key = (finding.code, finding.severity, finding.ref, rest)
        groups.setdefault(key, []).append(finding)
    listed = []
    for same in groups.values():
        first = same[0]
        if len(same) == 1:
            listed.append((first, ()))
            continue
        years = tuple(f.year for f in same if f.year is not None)
        named = ", ".join(str(y) for y in years[:-1]) + f" och {years[-1]}"
        message = f"{named}: {first.message[len(f'{first.year}: ') :]}"
        listed.append((replace(first, message=message), years))
    return listed


def run_checks(
    result: PlanResult,
    *,
    budget_year: int,
    today: date,
    adopted: bool,
    deficit_reason: str = "",
    deficit_reasons: Mapping[int, str] | None = None,
    member_set_problems: Sequence[str] = (),
    risk_items: Iterable[RiskItem] = (),
    amount_unit: str = UNIT_KR,
    carried_years: Mapping[int, int] | None = None,
    carried_weights: Mapping[int, Sequence[tuple[str, int]]] | None = None,
    lines: Sequence[Line] = (),
    comparison_year: int | None = None,
    uncounted_before: tuple[Sequence[Finding], frozenset[str]] | None = None,
) -> list[Finding]:
    """All findings for the plan, the worst first, then by year (plan-wide first); amounts in
    the plan's unit. An empty year has the empty-year finding only: its ceiling and floor say
    nothing more about it. lines: as typed, for the amounts that count in no total
    (check_uncounted; comparison_year's own column is not the plan's); uncounted_before: the
    findings for the same lines at the same levels before a save of cells, and the keys of the
    lines it changed (check_uncounted's before).

    carried_years {year: from}: years a carried-forward plan pre-filled from an earlier year,
    until the kansli confirms them; carried_weights {year: ((kommun, from), …)}: fördelningstal
    taken from an earlier year, until confirmed (check_carried). What a pre-filled year breaks
    is the pre-filling's, not yet the kansli's: its errors are warnings until it is confirmed.
    """
    per_year: list[Callable[..., list[Finding]]] = [
        check_split,
        check_kommun_split,
        check_parts_sum,
        lambda y, amount_unit: check_distribution(
            y,
            unit=result.unit,
            region_has_kommun_role=result.region_has_kommun_role,
            amount_unit=amount_unit,
        ),
        check_negative_equity,
        check_ceiling,
        check_floor,
        check_individ_share,
        lambda y, amount_unit: check_deficit(
            y,
            deficit_reason=(deficit_reasons or {}).get(y.year, "").strip() or deficit_reason,
            amount_unit=amount_unit,
        ),
        check_balance,
        check_stated_ib,
        check_empty_year,
    ]
    findings = check_members(member_set_problems)
    findings += check_deadline(budget_year=budget_year, today=today, adopted=adopted)
    risk_items = list(risk_items)
    findings += check_risk_effect(risk_items)
    findings += check_insats_periods(risk_items, [y.year for y in result.years])
    carried_years = carried_years or {}
    for year in result.years:
        found = [f for check in per_year for f in check(year, amount_unit=amount_unit)]
        if any(f.code == EMPTY_YEAR for f in found):
            found = [f for f in found if f.code == EMPTY_YEAR]
        if year.year in carried_years:
            found = [_pre_filled(f, carried_years[year.year]) for f in found]
        findings += found
    findings += check_carried(carried_years, carried_weights or {})
    findings += check_uncounted(
        lines,
        levels={y.year: y.level for y in result.years},
        comparison_year=comparison_year,
        amount_unit=amount_unit,
        before=uncounted_before,
    )
    return sort_findings(findings)


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Findings in the order Kontroller lists them: the worst first, then by year."""
    return sorted(findings, key=_sort_key)


def _pre_filled(finding: Finding, source: int) -> Finding:
    if finding.severity != FEL:
        return finding
    return replace(
        finding,
        severity=VARNING,
        message=f"{finding.message} (Året är förifyllt från {source} och ännu inte bekräftat.)",
    )


def check_carried(
    carried_years: Mapping[int, int], carried_weights: Mapping[int, Sequence[tuple[str, int]]]
) -> list[Finding]:
    """ar-forifyllt: a year of a carried-forward plan pre-filled from an earlier one, to be
    looked over and confirmed; fordelningstal-forifyllt: fördelningstal taken from an earlier
    year, to be confirmed (or replaced by the year's own)."""
    findings = [
        Finding(
            "ar-forifyllt",
            VARNING,
            (
                f"{year}: året budgeterades per grupp i förra planen; raderna är förifyllda så "
                "att varje grupp får sitt belopp, fördelat som gruppens rader. Se över "
                "beloppen och bekräfta året under Mål och balans."
                if source == year
                else f"{year}: året är förifyllt från {source} (rader, medlemsbidrag och nivå). "
                "Se över beloppen och bekräfta året under Mål och balans."
            ),
            year,
            "medlemsbidrag",
        )
        for year, source in sorted(carried_years.items())
    ]
    for year, rows in sorted(carried_weights.items()):
        named = ", ".join(f"{name} (från {source})" for name, source in rows)
        findings.append(
            Finding(
                "fordelningstal-forifyllt",
                VARNING,
                f"{year}: fördelningstalen är hämtade från ett tidigare år och behöver bekräftas "
                f"under Medlemmar: {named}.",
                year,
                "medlemsbidrag",
            )
        )
    return findings
