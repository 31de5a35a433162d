"""The budget arithmetic of a samordningsförbund: the fixed split, the roll-forward, the statements.

Pure functions over Decimal with no Django in them, so the views, the PDF, the imports and the
plan checks all compute a figure the same way, and the seed plans can be reproduced to the krona
in plain tests. Amounts are kronor. Fractions of the whole are computed with integers where a
result must be exact (the split, the capacity of an offer), because a Decimal division rounds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal, Inexact, getcontext, localcontext

from finsam.members import AF, FK, KOMMUN, REGION
from finsam.money import format_kr

# Bookkeeping rounds half a krona up (commercial rounding), never to even.
ROUNDING = ROUND_HALF_UP
KRONA = Decimal(1)
ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
UNITS = (1, 100, 1000)
KINDS = (FK, AF, REGION, KOMMUN)

STAT, REGION_BLOCK, KOMMUNER = "stat", "region", "kommuner"

INTAKT, KOSTNAD = "intakt", "kostnad"
SIDES = (INTAKT, KOSTNAD)
VERKSAMHET, AVSKRIVNING, FINANSIELL = "verksamhet", "avskrivning", "finansiell"
STATEMENTS = (VERKSAMHET, AVSKRIVNING, FINANSIELL)
# The share kinds of costs: individinriktat, strukturövergripande, förvaltning, övrigt.
INDIVID, STRUKTUR, FORVALTNING, OVRIGT = "individ", "struktur", "forvaltning", "ovrigt"
# A cost whose line, insats and group name no share kind: it still counts, so that the shares
# of the costs always add up to 100 %, and a target that depends on it says so.
EJ_ANGIVET = "ej-angivet"

# The level a year is budgeted at: line by line; per group, on the summary lines; or only as
# the rows of the resultatbudget (a forecast column a plan knows only as its statement totals).
RADER, GRUPPER, RESULTAT = "rader", "grupper", "resultat"
LEVELS = (RADER, GRUPPER, RESULTAT)

# Division precision for the fractions that are shown, not summed (shares of costs).
SHARE_PRECISION = 34


def round_kr(value: Decimal) -> Decimal:
    """The amount rounded to whole kronor, half a krona up."""
    return _dec(value).quantize(KRONA, rounding=ROUNDING)


def _dec(value: Decimal | int | str) -> Decimal:
    # A float has already lost the exact amount; refuse it rather than carry the error on.
    if isinstance(value, float):
        raise TypeError(f"belopp måste vara Decimal, inte float: {value!r}")
    return value if isinstance(value, Decimal) else Decimal(value)


def _kr_text(value: Decimal) -> str:
    # format_kr rounds to whole kronor, which would hide the very fault being reported.
    if value == value.to_integral_value():
        return format_kr(value)
    return f"{value}\xa0kr".replace(".", ",")


# --- The fixed split --------------------------------------------------------------------------


class SplitError(ValueError):
    """The contribution cannot be split among these members; the message is Swedish."""


@dataclass(frozen=True)
class SplitMember:
    """A member as the split sees it: its kind and, for a kommun, its relative weight."""

    key: str
    name: str
    kind: str
    weight: Decimal | None = None


@dataclass(frozen=True)
class SplitResult:
    """A total split into whole units: per member and per block (stat, region, kommuner).

    The kommun block is split among the kommuner only when the plan states their parts and
    every kommun has a fördelningstal; otherwise no kommun has a part, the block stands as one
    sum, and kommun_error says which kommuner lack a figure when one is needed ("Habo kommun
    saknar fördelningstal …"; the checks add the amount in the plan's unit).
    """

    total: Decimal
    parts: dict[str, Decimal]
    blocks: dict[str, Decimal]
    kommun_error: str | None = None


@dataclass(frozen=True)
class _Roles:
    fk: SplitMember
    region: SplitMember
    kommuner: tuple[SplitMember, ...]
    kommun_weights: tuple[int, ...]  # the weights scaled to integers, same ratios
    unweighted: tuple[SplitMember, ...] = ()  # kommuner without a usable weight


def _names(members: Sequence[SplitMember]) -> str:
    names = [m.name for m in members]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} och {names[-1]}"


def _kommun_weight_problem(unweighted: Sequence[SplitMember]) -> str:
    missing = [k for k in unweighted if k.weight is None]
    invalid = [k for k in unweighted if k.weight is not None]
    said = []
    if missing:
        verb = "saknar" if len(missing) == 1 else "saknar var sitt"
        said.append(
            f"{_names(missing)} {verb} fördelningstal (invånarantal eller överenskommen andel)"
        )
    if invalid:
        said.append(f"{_names(invalid)} har ett fördelningstal som inte är större än noll")
    return " och ".join(said)


def _roles(
    members: Sequence[SplitMember], *, region_has_kommun_role: bool, strict: bool = True
) -> _Roles:
    """The members in their roles. strict: every kommun must have a weight (SplitError names
    them all); otherwise the kommuner without one are returned in unweighted."""
    seen: set[str] = set()
    for member in members:
        if member.key in seen:
            raise SplitError(f"Medlemmen {member.key} finns med flera gånger.")
        seen.add(member.key)
        if member.kind not in KINDS:
            raise SplitError(f"{member.name} har en okänd medlemstyp ({member.kind}).")
    fks = [m for m in members if m.kind == FK]
    regions = [m for m in members if m.kind == REGION]
    kommuner = tuple(m for m in members if m.kind == KOMMUN)
    if not fks:
        raise SplitError(
            "Försäkringskassan saknas bland medlemmarna; statens del betalas genom den."
        )
    if len(fks) > 1:
        raise SplitError("Fler än en medlem är Försäkringskassan; statens del kan bara gå en väg.")
    if not regions:
        raise SplitError("Regionen saknas bland medlemmarna.")
    if len(regions) > 1:
        names = ", ".join(m.name for m in regions)
        raise SplitError(f"Fler än en region finns bland medlemmarna ({names}).")
    if region_has_kommun_role:
        if kommuner:
            names = ", ".join(m.name for m in kommuner)
            raise SplitError(
                f"Regionen har kommunens roll, men {names} finns med som kommun; "
                "då delar staten och regionen lika."
            )
        return _Roles(fks[0], regions[0], (), ())
    if not kommuner:
        raise SplitError(
            "Ingen kommun finns bland medlemmarna; kommunernas fjärdedel saknar mottagare."
        )
    unweighted = tuple(
        k
        for k in kommuner
        if k.weight is None or not _dec(k.weight).is_finite() or _dec(k.weight) <= 0
    )
    if unweighted:
        if strict:
            raise SplitError(
                f"{_kommun_weight_problem(unweighted)}, så kommunernas del kan inte fördelas "
                "mellan kommunerna."
            )
        return _Roles(fks[0], regions[0], kommuner, (), unweighted)
    return _Roles(fks[0], regions[0], kommuner, integer_weights([k.weight for k in kommuner]))


def integer_weights(weights: Sequence[Decimal | None]) -> tuple[int, ...]:
    ratios = [_dec(w).as_integer_ratio() for w in weights if w is not None]
    common = math.lcm(*(den for _, den in ratios))
    return tuple(num * (common // den) for num, den in ratios)


def largest_remainder(units: int, weights: Sequence[int]) -> list[int]:
    """Split whole units in proportion to integer weights; ties go to the earlier weight."""
    whole = sum(weights)
    floors = [units * w // whole for w in weights]
    remainders = [units * w % whole for w in weights]
    left = units - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in order[:left]:
        floors[i] += 1
    return floors


def _block_weights(region_has_kommun_role: bool) -> tuple[int, int, int]:
    # Quarters: the state half, the region quarter (half on Gotland), the kommun quarter.
    return (2, 2, 0) if region_has_kommun_role else (2, 1, 1)


def _check_unit(unit: int) -> None:
    if unit not in UNITS:
        raise SplitError(
            f"Avrundningsenheten {unit} kr är inte tillåten; välj 1 kr, 100 kr eller 1 000 kr."
        )


def member_share(
    member: SplitMember, members: Sequence[SplitMember], *, region_has_kommun_role: bool
) -> Decimal:
    """The member's fraction of the total: FK 1/2, AF 0, region 1/4 (1/2), a kommun 1/4·w/W.

    Exact when the fraction has a finite decimal expansion; a kommun's fraction otherwise carries
    34 significant digits. Sums and capacities use integer arithmetic instead.
    """
    roles = _roles(members, region_has_kommun_role=region_has_kommun_role)
    stat, region, kommuner = _block_weights(region_has_kommun_role)
    quarters = Decimal(4)
    if member.key == roles.fk.key:
        return stat / quarters
    if member.key == roles.region.key:
        return region / quarters
    for kommun, weight in zip(roles.kommuner, roles.kommun_weights, strict=True):
        if kommun.key == member.key:
            with localcontext() as ctx:
                ctx.prec = SHARE_PRECISION
                return Decimal(kommuner * weight) / (quarters * sum(roles.kommun_weights))
    if member.kind == AF and member.key in {m.key for m in members}:
        return ZERO
    raise ValueError(f"{member.key} är inte medlem")


def split_contribution(
    total: Decimal,
    members: Sequence[SplitMember],
    *,
    unit: int,
    region_has_kommun_role: bool,
    split_kommuner: bool = True,
) -> SplitResult:
    """Split the total by the fixed shares, in whole units, so that the parts add up exactly.

    Largest remainder, hierarchically: first the blocks (stat, region, kommuner), then the
    kommun block among the kommuner by weight. Arbetsförmedlingen's money goes through
    Försäkringskassan, so its part is 0. The blocks are split whatever the kommuner's weights;
    the kommun block among the kommuner only with split_kommuner and a weight for every kommun.
    """
    total = _dec(total)
    _check_unit(unit)
    if not total.is_finite():
        raise SplitError(f"Beloppet {total} är inget belopp.")
    if total < 0:
        raise SplitError(f"Beloppet {_kr_text(total)} är negativt.")
    if total % unit != 0:
        raise SplitError(
            f"Beloppet {_kr_text(total)} går inte jämnt upp i avrundningsenheten "
            f"{format_kr(Decimal(unit))}."
        )
    roles = _roles(members, region_has_kommun_role=region_has_kommun_role, strict=False)
    units = int(total) // unit
    stat_units, region_units, kommun_units = largest_remainder(
        units, _block_weights(region_has_kommun_role)
    )
    blocks = {
        STAT: Decimal(stat_units * unit),
        REGION_BLOCK: Decimal(region_units * unit),
        KOMMUNER: Decimal(kommun_units * unit),
    }
    by_key = {roles.fk.key: stat_units, roles.region.key: region_units}
    kommun_error = None
    if roles.kommuner and split_kommuner and not roles.unweighted:
        per_kommun = largest_remainder(kommun_units, roles.kommun_weights)
        by_key.update((k.key, n) for k, n in zip(roles.kommuner, per_kommun, strict=True))
    elif roles.unweighted and split_kommuner:
        kommun_error = _kommun_weight_problem(roles.unweighted)
    kommun_keys = {k.key for k in roles.kommuner}
    parts = {
        m.key: Decimal(by_key.get(m.key, 0) * unit)
        for m in members
        if m.key not in kommun_keys or m.key in by_key
    }
    return SplitResult(total=total, parts=parts, blocks=blocks, kommun_error=kommun_error)


# --- The total that the offers allow ----------------------------------------------------------


@dataclass(frozen=True)
class OfferResult:
    """The largest total the members' offers allow, and the member whose offer sets it."""

    total: Decimal
    binding_key: str
    parts: dict[str, Decimal]
    capacity: dict[str, Decimal]


def _capacities(
    offers: Mapping[str, Decimal],
    members: Sequence[SplitMember],
    roles: _Roles,
    region_has_kommun_role: bool,
) -> dict[str, tuple[Decimal, int]]:
    """Per paying member, in the given order: its offer, and offer / share rounded down."""
    stat, region, kommuner = _block_weights(region_has_kommun_role)
    weight_sum = sum(roles.kommun_weights)
    # Each share as numerator / denominator, so that the capacity is an exact integer.
    shares: dict[str, tuple[int, int]] = {roles.fk.key: (stat, 4), roles.region.key: (region, 4)}
    shares.update(
        (k.key, (kommuner * w, 4 * weight_sum))
        for k, w in zip(roles.kommuner, roles.kommun_weights, strict=True)
    )
    result: dict[str, tuple[Decimal, int]] = {}
    for member in members:
        if member.key not in shares:
            continue
        if member.key not in offers:
            raise SplitError(f"Erbjudande saknas från {member.name}.")
        offer = _dec(offers[member.key])
        if not offer.is_finite() or offer < 0:
            raise SplitError(
                f"Erbjudandet från {member.name} är {_kr_text(offer)}; det kan inte vara negativt."
            )
        num, den = shares[member.key]
        o_num, o_den = offer.as_integer_ratio()
        result[member.key] = (offer, (o_num * den) // (o_den * num))
    return result


def total_from_offers(
    offers: Mapping[str, Decimal],
    members: Sequence[SplitMember],
    *,
    unit: int,
    region_has_kommun_role: bool,
) -> OfferResult:
    """The largest total, in whole units, whose split gives no member more than it offered.

    Because the split is fixed, the member that offers least relative to its share sets the
    total for everyone ("den medlem som lägger in minst medel styr budgeten").
    Arbetsförmedlingen pays through Försäkringskassan and needs no offer.
    """
    _check_unit(unit)
    roles = _roles(members, region_has_kommun_role=region_has_kommun_role)
    known = {m.key for m in members}
    for key in offers:
        if key not in known:
            raise SplitError(f"Erbjudandet gäller {key}, som inte är medlem i förbundet.")
    capacities = _capacities(offers, members, roles, region_has_kommun_role)
    # min keeps the first of equals, so a tie goes to the earlier member.
    binding_key = min(capacities, key=lambda k: capacities[k][1])
    top = capacities[binding_key][1] // unit * unit
    # Rounding can lift a part up to a unit above its exact share, and so above its offer: step
    # down a unit at a time. At 0 every part is 0, which always fits, so the loop is bounded.
    for total in range(top, -1, -unit):
        split = split_contribution(
            Decimal(total), members, unit=unit, region_has_kommun_role=region_has_kommun_role
        )
        if all(split.parts[key] <= offer for key, (offer, _) in capacities.items()):
            break
    return OfferResult(
        total=Decimal(total),
        binding_key=binding_key,
        parts=split.parts,
        capacity={key: Decimal(cap) for key, (_, cap) in capacities.items()},
    )


# --- The budget --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One budget row (income or cost) with its amount per year as typed."""

    key: str
    name: str
    side: str
    group_key: str
    group_name: str
    amounts: Mapping[int, Decimal]
    share_kinds: Mapping[str, Decimal] = field(default_factory=dict)
    statement: str = VERKSAMHET
    under_use_applies: bool = False
    decided: bool = True
    # Utrymme för ny verksamhet budgeted as a cost: what is left after the other costs and the
    # floor, so that the year ends at the floor (never below 0; amounts are not typed).
    computed_room: bool = False
    # A summary line carries its group's amount in the years budgeted per group (GRUPPER) and
    # counts in no other year; a detail line counts only in the years budgeted line by line.
    summary: bool = False

    def counts_in(self, level: str) -> bool:
        """Whether the line's amount counts in a year budgeted at this level."""
        return counts_at(level, summary=self.summary, computed_room=self.computed_room)


def counts_at(level: str, *, summary: bool, computed_room: bool) -> bool:
    """Whether a line counts in a year at this level: a detail line in a year budgeted line by
    line, a summary line in a year budgeted per group, the computed room in both; no line in a
    year known only as its resultatbudget."""
    if level == RESULTAT:
        return False
    return computed_room or summary == (level == GRUPPER)


@dataclass(frozen=True)
class YearTargets:
    """The förbund's own targets for one year: eget kapital ceiling and floor, individ share."""

    ceiling_percent: Decimal | None = None  # stated by the förbund, never assumed
    ceiling_amount: Decimal | None = None
    floor_amount: Decimal | None = None
    min_individ_percent: Decimal | None = None


@dataclass(frozen=True)
class BalanceInput:
    """The entered rows of a year's balansbudget; eget kapital is computed, never entered.

    balancing names the row (one of BALANCING_ROWS) that is computed so that the statement
    balances whatever the budget's result: its entered amount is not used. Empty: every row is
    entered, and a statement that does not balance is a finding.
    """

    anlaggningstillgangar: Decimal = Decimal("0")
    omsattningstillgangar: Decimal = Decimal("0")
    avsattningar: Decimal = Decimal("0")
    langfristiga_skulder: Decimal = Decimal("0")
    kortfristiga_skulder: Decimal = Decimal("0")
    balancing: str = ""


# The rows of a balansbudget that may be computed to make it balance: an asset (kassa och bank
# sit among the omsättningstillgångar) or a liability.
BALANCING_ASSETS = ("anlaggningstillgangar", "omsattningstillgangar")
BALANCING_LIABILITIES = ("avsattningar", "langfristiga_skulder", "kortfristiga_skulder")
BALANCING_ROWS = BALANCING_ASSETS + BALANCING_LIABILITIES


@dataclass(frozen=True)
class PlanInput:
    """Everything the budget of a plan period is computed from."""

    years: tuple[int, ...]
    opening_equity: Decimal
    allocations: Mapping[int, Decimal]
    members: Sequence[SplitMember] | Mapping[int, Sequence[SplitMember]]
    unit: int = 1
    region_has_kommun_role: bool = False
    # False when the plan states only the kommuner's sum (their split is decided separately).
    split_kommuner: bool = True
    under_use_percent: Decimal = Decimal("0")
    lines: Sequence[Line] = ()
    targets: Mapping[int, YearTargets] = field(default_factory=dict)
    balance: Mapping[int, BalanceInput] = field(default_factory=dict)
    # An opening eget kapital a plan states for a later year; the roll-forward is kept, and a
    # difference from it is a finding (checks.check_stated_ib).
    stated_ib: Mapping[int, Decimal] = field(default_factory=dict)
    # Totals over groups: {group key: the key of the group whose total also counts it}.
    group_parents: Mapping[str, str] = field(default_factory=dict)
    # The level of each year (RADER when not given), and for a year at RESULTAT its statement
    # rows as typed: {(side, statement): amount}, costs as positive amounts.
    levels: Mapping[int, str] = field(default_factory=dict)
    statement_amounts: Mapping[int, Mapping[tuple[str, str], Decimal]] = field(default_factory=dict)
    # The keys of the lines whose amounts changed since an input that was computed (and so
    # checked) before, None when every line is new: only these are checked again, and a year
    # computed again after a save of cells moves its sums by these lines alone (compute_plan).
    changed_lines: frozenset[str] | None = None


@dataclass(frozen=True)
class ResultStatement:
    """A year's resultatbudget; costs are negative, as in the published statements."""

    verksamhetens_intakter: Decimal
    verksamhetens_kostnader: Decimal
    avskrivningar: Decimal
    verksamhetens_nettokostnader: Decimal
    finansiella_intakter: Decimal
    finansiella_kostnader: Decimal
    arets_resultat: Decimal


@dataclass(frozen=True)
class BalanceStatement:
    """A year's balansbudget with eget kapital from the roll-forward."""

    anlaggningstillgangar: Decimal
    omsattningstillgangar: Decimal
    summa_tillgangar: Decimal
    balanserat_eget_kapital: Decimal
    arets_resultat: Decimal
    summa_eget_kapital: Decimal
    avsattningar: Decimal
    langfristiga_skulder: Decimal
    kortfristiga_skulder: Decimal
    summa_skulder: Decimal
    summa_eget_kapital_avsattningar_skulder: Decimal
    difference: Decimal
    balancing: str = ""  # the row computed to make it balance (BalanceInput.balancing)

    @property
    def balanced(self) -> bool:
        """Whether tillgångar equal eget kapital, avsättningar and skulder."""
        return self.difference == 0


@dataclass(frozen=True)
class YearResult:
    """Every computed figure of one year of the plan."""

    year: int
    level: str
    medlemsbidrag: Decimal
    members: tuple[SplitMember, ...]
    member_parts: dict[str, Decimal]
    split_error: str | None
    split_blocks: dict[str, Decimal]
    kommun_error: str | None
    line_amounts: dict[str, Decimal]
    group_totals: dict[str, Decimal]
    group_shares: dict[str, Decimal]
    # A parent group's total: its own lines and its child groups' (never added to another sum).
    parent_totals: dict[str, Decimal]
    parent_shares: dict[str, Decimal]  # of total costs (read for cost parents only)
    ovriga_intakter: Decimal
    intakter: Decimal
    ib: Decimal
    stated_ib: Decimal | None
    available: Decimal
    kostnader: Decimal
    resultat: Decimal
    ub: Decimal
    shares: dict[str, Decimal]
    individ_costs: Decimal
    unclassified_costs: Decimal  # costs with no share kind stated (EJ_ANGIVET)
    individ_of_medlemsbidrag: Decimal | None
    targets: YearTargets
    ceiling: Decimal | None
    floor: Decimal | None
    decided_costs: Decimal
    utrymme: Decimal
    resultatbudget: ResultStatement
    balansbudget: BalanceStatement | None
    # The sums the year is made from, kept so that a save of cells moves them by its lines alone
    # (_moved_year): per share kind, the costs × each line's fraction in it; per (side,
    # statement), the counted lines' amounts.
    kind_costs: dict[str, Decimal] = field(default_factory=dict)
    statement_totals: dict[tuple[str, str], Decimal] = field(default_factory=dict)

    @property
    def unsplit_kommun_block(self) -> Decimal | None:
        """The kommuner's quarter when the year holds no part per kommun (the plan states their
        sum only, or a kommun lacks its fördelningstal): a page that lists the members shows it
        as one row, or it would vanish from their sum. None where the kommuner are split."""
        kommuner = [m.key for m in self.members if m.kind == KOMMUN]
        if not kommuner or KOMMUNER not in self.split_blocks:
            return None
        if all(key in self.member_parts for key in kommuner):
            return None
        return self.split_blocks[KOMMUNER]

    @property
    def individ_at_most(self) -> Decimal | None:
        """The share of the medlemsbidrag that goes to individinriktade insatser if every cost
        with no share kind stated is one: with such costs the share is only known as a range
        (individ_of_medlemsbidrag up to this), so a page never shows its lower end alone."""
        if self.individ_of_medlemsbidrag is None or not self.unclassified_costs:
            return None
        return _fraction(self.individ_costs + self.unclassified_costs, self.medlemsbidrag)


@dataclass(frozen=True)
class PlanResult:
    """The computed plan period, year by year, with the inputs the checks point at."""

    years: tuple[YearResult, ...]
    # None only inside the pickled figures (budgets.selectors.PlanFigures.__getstate__).
    lines: tuple[Line, ...] | None
    unit: int = 1
    region_has_kommun_role: bool = False

    def year(self, year: int) -> YearResult:
        """The result for one year of the period."""
        for result in self.years:
            if result.year == year:
                return result
        raise KeyError(year)


def _validate(inp: PlanInput) -> None:
    if not inp.years:
        raise ValueError("planen saknar år")
    if inp.changed_lines is None and sum(1 for line in inp.lines if line.computed_room) > 1:
        raise ValueError("planen har mer än en utrymmesrad")
    if list(inp.years) != list(range(inp.years[0], inp.years[0] + len(inp.years))):
        raise ValueError(f"åren måste följa på varandra i stigande ordning: {inp.years}")
    for year, level in inp.levels.items():
        if level not in LEVELS:
            raise ValueError(f"år {year} har okänd nivå {level!r}")
    for year, rows in inp.statement_amounts.items():
        for (side, statement), amount in rows.items():
            if side not in SIDES or statement not in STATEMENTS or _dec(amount) < 0:
                raise ValueError(f"år {year}: resultaträkningsraden {side}/{statement} är ogiltig")
            if side == INTAKT and statement == AVSKRIVNING:
                raise ValueError(f"år {year}: en intäkt kan inte vara en avskrivning")
    if isinstance(inp.members, Mapping):
        missing = [y for y in inp.years if y not in inp.members]
        if missing:
            raise ValueError(f"medlemmar saknas för år {missing}")
    seen: set[str] = set()
    groups: dict[str, str] = {}
    changed = inp.changed_lines
    for line in inp.lines:
        if changed is not None and line.key not in changed:
            continue
        if line.key in seen:
            raise ValueError(f"raden {line.key} finns flera gånger")
        seen.add(line.key)
        if line.side not in SIDES:
            raise ValueError(f"raden {line.key} har okänd sida {line.side!r}")
        if line.statement not in STATEMENTS:
            raise ValueError(f"raden {line.key} har okänd resultaträkningsrad {line.statement!r}")
        if groups.setdefault(line.group_key, line.side) != line.side:
            raise ValueError(f"gruppen {line.group_key} blandar intäkter och kostnader")
        if line.side == INTAKT and (line.share_kinds or line.under_use_applies):
            raise ValueError(
                f"intäktsraden {line.key} kan inte ha andelsslag eller underutnyttjande"
            )
        if line.side == INTAKT and line.statement == AVSKRIVNING:
            raise ValueError(f"intäktsraden {line.key} kan inte vara en avskrivning")
        if line.computed_room and line.side != KOSTNAD:
            raise ValueError(f"utrymmesraden {line.key} måste vara en kostnad")
        if any(_dec(a) < 0 for a in line.amounts.values()):
            raise ValueError(f"raden {line.key} har ett negativt belopp")
        fractions = [_dec(f) for f in line.share_kinds.values()]
        if fractions and (any(f < 0 for f in fractions) or sum(fractions) != 1):
            raise ValueError(f"andelsslagen för raden {line.key} summerar inte till 1: {fractions}")


def _members_for(inp: PlanInput, year: int) -> tuple[SplitMember, ...]:
    if isinstance(inp.members, Mapping):
        return tuple(inp.members[year])
    return tuple(inp.members)


def _budgeted(line: Line, year: int, under_use: Decimal) -> Decimal:
    amount = _dec(line.amounts.get(year, ZERO))
    if line.under_use_applies:
        return round_kr(amount * (1 - under_use / HUNDRED))
    return amount


def _kinds(line: Line) -> Mapping[str, Decimal]:
    # A cost line that names no share kind counts as "ej angivet"; an income line in none.
    if line.side == KOSTNAD and not line.share_kinds:
        return {EJ_ANGIVET: ONE}
    return line.share_kinds


def _fraction(part: Decimal, whole: Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = SHARE_PRECISION
        return part / whole


def _statement_totals(
    lines: Sequence[Line], amounts: Mapping[str, Decimal]
) -> dict[tuple[str, str], Decimal]:
    # One pass over the lines: per (side, statement), the sum in the lines' order.
    totals: dict[tuple[str, str], Decimal] = {}
    for ln in lines:
        key = (ln.side, ln.statement)
        totals[key] = totals.get(key, ZERO) + amounts[ln.key]
    return totals


def _result_statement(
    medlemsbidrag: Decimal, totals: Mapping[tuple[str, str], Decimal]
) -> ResultStatement:
    def total(side: str, statement: str) -> Decimal:
        return totals.get((side, statement), ZERO)

    intakter = medlemsbidrag + total(INTAKT, VERKSAMHET)
    kostnader = -total(KOSTNAD, VERKSAMHET)
    avskrivningar = -total(KOSTNAD, AVSKRIVNING)
    netto = intakter + kostnader + avskrivningar
    fin_intakter = total(INTAKT, FINANSIELL)
    fin_kostnader = -total(KOSTNAD, FINANSIELL)
    return ResultStatement(
        verksamhetens_intakter=intakter,
        verksamhetens_kostnader=kostnader,
        avskrivningar=avskrivningar,
        verksamhetens_nettokostnader=netto,
        finansiella_intakter=fin_intakter,
        finansiella_kostnader=fin_kostnader,
        arets_resultat=netto + fin_intakter + fin_kostnader,
    )


def _balance_statement(entered: BalanceInput, ib: Decimal, resultat: Decimal) -> BalanceStatement:
    rows = {name: _dec(getattr(entered, name)) for name in BALANCING_ROWS}
    eget_kapital = ib + resultat
    balancing = entered.balancing
    if balancing:
        if balancing not in BALANCING_ROWS:
            raise ValueError(f"okänd post att räkna fram i balansbudgeten: {balancing!r}")
        rows[balancing] = Decimal(0)
        assets = sum((rows[n] for n in BALANCING_ASSETS), Decimal(0))
        claims = eget_kapital + sum((rows[n] for n in BALANCING_LIABILITIES), Decimal(0))
        rows[balancing] = claims - assets if balancing in BALANCING_ASSETS else assets - claims
    anl, oms = rows["anlaggningstillgangar"], rows["omsattningstillgangar"]
    avs, lang, kort = (
        rows["avsattningar"],
        rows["langfristiga_skulder"],
        rows["kortfristiga_skulder"],
    )
    tillgangar = anl + oms
    skulder = lang + kort
    summa = eget_kapital + avs + skulder
    return BalanceStatement(
        anlaggningstillgangar=anl,
        omsattningstillgangar=oms,
        summa_tillgangar=tillgangar,
        balanserat_eget_kapital=ib,
        arets_resultat=resultat,
        summa_eget_kapital=eget_kapital,
        avsattningar=avs,
        langfristiga_skulder=lang,
        kortfristiga_skulder=kort,
        summa_skulder=skulder,
        summa_eget_kapital_avsattningar_skulder=summa,
        difference=tillgangar - summa,
        balancing=balancing,
    )


def _statement_lines(rows: Mapping[tuple[str, str], Decimal], year: int) -> list[Line]:
    """A year known only as its resultatbudget: one line per typed row, in no group and no
    share kind named (its costs count as "ej angivet")."""
    return [
        Line(
            key=f"resultat:{side}:{statement}",
            name=f"{side} {statement}",
            side=side,
            group_key="",
            group_name="",
            amounts={year: _dec(amount)},
            statement=statement,
        )
        for (side, statement), amount in rows.items()
    ]


def _ceiling(targets: YearTargets, medlemsbidrag: Decimal) -> Decimal | None:
    if targets.ceiling_amount is not None:
        return _dec(targets.ceiling_amount)
    if targets.ceiling_percent is not None:
        return round_kr(medlemsbidrag * _dec(targets.ceiling_percent) / HUNDRED)
    return None


def _compute_year(inp: PlanInput, year: int, ib: Decimal, share_kinds: Sequence[str]) -> YearResult:
    members = _members_for(inp, year)
    medlemsbidrag = _dec(inp.allocations.get(year, ZERO))
    try:
        split = split_contribution(
            medlemsbidrag,
            members,
            unit=inp.unit,
            region_has_kommun_role=inp.region_has_kommun_role,
            split_kommuner=inp.split_kommuner,
        )
        parts, blocks, split_error = split.parts, split.blocks, None
        kommun_error = split.kommun_error
    except SplitError as error:
        # The money still arrives; the checks report why it cannot be split.
        parts, blocks, split_error, kommun_error = {}, {}, str(error), None

    under_use = _dec(inp.under_use_percent)
    level = inp.levels.get(year, RADER)
    # Every line has an amount each year; a line that does not count at the year's level has 0
    # (and the tables show it as not applying, not as 0).
    amounts: dict[str, Decimal] = {}
    lines: list[Line] = []
    for line in inp.lines:  # one pass: a plan may have thousands of lines
        if line.counts_in(level):
            amounts[line.key] = _budgeted(line, year, under_use)
            lines.append(line)
        else:
            amounts[line.key] = ZERO
    if level == RESULTAT:
        statement_lines = _statement_lines(inp.statement_amounts.get(year, {}), year)
        lines += statement_lines
        amounts.update((ln.key, _dec(ln.amounts[year])) for ln in statement_lines)
    targets = inp.targets.get(year, YearTargets())
    floor = _dec(targets.floor_amount) if targets.floor_amount is not None else None
    ovriga = sum((amounts[ln.key] for ln in lines if ln.side == INTAKT), ZERO)
    intakter = medlemsbidrag + ovriga
    for line in lines:
        if line.computed_room:
            others = sum(
                (amounts[ln.key] for ln in lines if ln.side == KOSTNAD and ln is not line),
                ZERO,
            )
            amounts[line.key] = max(ZERO, ib + intakter - others - (floor or ZERO))
    group_totals: dict[str, Decimal] = {}
    for line in inp.lines:
        group_totals[line.group_key] = group_totals.get(line.group_key, ZERO) + amounts[line.key]
    costs = [line for line in lines if line.side == KOSTNAD]
    # Per kind, the sum over the costs in their order of amount × the line's fraction in it.
    # (A kind the line is not in adds amount × 0: nothing, so only the line's own are added.)
    by_kind = dict.fromkeys(share_kinds, ZERO)
    for ln in costs:
        amount = amounts[ln.key]
        for kind, fraction in _kinds(ln).items():
            if kind in by_kind:
                by_kind[kind] += amount * _dec(fraction)
    cost_groups = {ln.group_key for ln in inp.lines if ln.side == KOSTNAD}
    return _year_from_sums(
        inp,
        ib,
        _YearSums(
            year=year,
            level=level,
            medlemsbidrag=medlemsbidrag,
            members=members,
            member_parts=parts,
            split_error=split_error,
            split_blocks=blocks,
            kommun_error=kommun_error,
            line_amounts=amounts,
            group_totals=group_totals,
            cost_groups=tuple(key for key in group_totals if key in cost_groups),
            ovriga_intakter=ovriga,
            kostnader=sum((amounts[ln.key] for ln in costs), ZERO),
            decided_costs=sum((amounts[ln.key] for ln in costs if ln.decided), ZERO),
            kind_costs=by_kind,
            statement_totals=_statement_totals(lines, amounts),
        ),
    )


@dataclass(frozen=True)
class _YearSums:
    """What a year is made from: the split of its medlemsbidrag and the sums over its lines
    (made over every line by _compute_year, or moved by a save's lines by _moved_year)."""

    year: int
    level: str
    medlemsbidrag: Decimal
    members: tuple[SplitMember, ...]
    member_parts: dict[str, Decimal]
    split_error: str | None
    split_blocks: dict[str, Decimal]
    kommun_error: str | None
    line_amounts: dict[str, Decimal]
    group_totals: dict[str, Decimal]
    cost_groups: tuple[str, ...]  # the keys of the cost groups, in the group totals' order
    ovriga_intakter: Decimal
    kostnader: Decimal
    decided_costs: Decimal
    kind_costs: dict[str, Decimal]
    statement_totals: dict[tuple[str, str], Decimal]


# The year's own and its medlemsbidrag's split: what a save of line amounts leaves as it was.
_SPLIT = (
    "year",
    "level",
    "medlemsbidrag",
    "members",
    "member_parts",
    "split_error",
    "split_blocks",
    "kommun_error",
)


def _year_from_sums(inp: PlanInput, ib: Decimal, sums: _YearSums) -> YearResult:
    """The year opening with `ib` whose sums are `sums`, with everything made from them: the
    one way both _compute_year and a save's _moved_year make a year."""
    year, medlemsbidrag, kostnader = sums.year, sums.medlemsbidrag, sums.kostnader
    group_totals, by_kind = sums.group_totals, sums.kind_costs
    targets = inp.targets.get(year, YearTargets())
    floor = _dec(targets.floor_amount) if targets.floor_amount is not None else None
    intakter = medlemsbidrag + sums.ovriga_intakter
    resultat = intakter - kostnader
    available = ib + intakter
    shares = {
        kind: _fraction(amount, kostnader) if kostnader else ZERO
        for kind, amount in by_kind.items()
    }
    group_shares = {
        key: _fraction(group_totals[key], kostnader) if kostnader else ZERO
        for key in sums.cost_groups
    }
    individ_costs = by_kind.get(INDIVID, ZERO)
    parent_totals: dict[str, Decimal] = {}
    for child, parent in inp.group_parents.items():
        parent_totals.setdefault(parent, group_totals.get(parent, ZERO))
        parent_totals[parent] += group_totals.get(child, ZERO)
    statement = _result_statement(medlemsbidrag, sums.statement_totals)
    if statement.arets_resultat != resultat:  # pragma: no cover - an invariant, not a case
        raise AssertionError("resultatbudgeten och rullningen av eget kapital skiljer sig åt")
    entered = inp.balance.get(year)
    return YearResult(
        **{name: getattr(sums, name) for name in _SPLIT},
        line_amounts=sums.line_amounts,
        group_totals=group_totals,
        group_shares=group_shares,
        parent_totals=parent_totals,
        parent_shares={
            key: _fraction(total, kostnader) if kostnader else ZERO
            for key, total in parent_totals.items()
        },
        ovriga_intakter=sums.ovriga_intakter,
        intakter=intakter,
        ib=ib,
        stated_ib=_dec(inp.stated_ib[year]) if year in inp.stated_ib else None,
        available=available,
        kostnader=kostnader,
        resultat=resultat,
        ub=ib + resultat,
        shares=shares,
        individ_costs=individ_costs,
        unclassified_costs=by_kind.get(EJ_ANGIVET, ZERO),
        individ_of_medlemsbidrag=(
            _fraction(individ_costs, medlemsbidrag) if medlemsbidrag else None
        ),
        targets=targets,
        ceiling=_ceiling(targets, medlemsbidrag),
        floor=floor,
        decided_costs=sums.decided_costs,
        utrymme=available - sums.decided_costs - (floor or ZERO),
        resultatbudget=statement,
        balansbudget=(_balance_statement(entered, ib, resultat) if entered is not None else None),
        kind_costs=by_kind,
        statement_totals=sums.statement_totals,
    )


class _NotExact(Exception):
    """A sum moved by a changed term might differ, in its last digit or its form, from the sum
    made again term by term: the year is computed again instead."""


def _same(a: Decimal, b: Decimal) -> bool:
    # Equal and written alike (sign, digits, exponent): 100 and 100.00 are equal, not the same.
    return a.as_tuple() == b.as_tuple()


def _moved(total: Decimal, old: Decimal, new: Decimal) -> Decimal:
    """A sum of terms ≥ 0, made term by term from 0, with the term `old` replaced by `new`: the
    very Decimal the sum made again would be, or _NotExact.

    A sum of terms ≥ 0 is exact at every step when its total has fewer digits, counted from
    its terms' smallest exponent, than the context's precision; then the sum's exponent is that
    smallest exponent. `total` with fewer digits than the precision was made exactly (a
    rounded step leaves a full coefficient that later terms ≥ 0 keep full). `new` written with
    the exponent of `old` leaves the terms' exponents as they were, so the moved total is the
    sum made again, digit for digit, when it is made exactly and stays within the precision.
    """
    precision = getcontext().prec
    if old < 0 or new < 0 or old.as_tuple().exponent != new.as_tuple().exponent:
        raise _NotExact
    shape = total.as_tuple()
    if len(shape.digits) >= precision:
        raise _NotExact
    with localcontext() as ctx:
        ctx.traps[Inexact] = True
        try:
            moved = total - old + new
        except Inexact:
            raise _NotExact from None
    if moved and moved.adjusted() >= precision + min(shape.exponent, new.as_tuple().exponent):
        raise _NotExact
    return moved


def _moved_year(
    inp: PlanInput, kept: YearResult, ib: Decimal, share_kinds: Sequence[str], changed: list[Line]
) -> YearResult | None:
    """The year `kept` after a save of cells that gave the lines `changed` new amounts (and
    changed nothing else of the year), opening with `ib`: its sums moved by those lines alone,
    not made again over every line. None where that would not give the year exactly as
    _compute_year makes it: another level or medlemsbidrag, a year known only as its
    resultatbudget, or a sum that might round (_moved)."""
    year = kept.year
    level = inp.levels.get(year, RADER)
    medlemsbidrag = _dec(inp.allocations.get(year, ZERO))
    if (
        level != kept.level
        or level == RESULTAT
        or not _same(medlemsbidrag, kept.medlemsbidrag)
        or list(kept.kind_costs) != list(share_kinds)
    ):
        return None
    under_use = _dec(inp.under_use_percent)
    amounts = dict(kept.line_amounts)
    group_totals = dict(kept.group_totals)
    by_kind = dict(kept.kind_costs)
    statement_totals = dict(kept.statement_totals)
    ovriga, kostnader, decided = kept.ovriga_intakter, kept.kostnader, kept.decided_costs
    try:
        for line in changed:
            old = amounts.get(line.key)
            key = (line.side, line.statement)
            if old is None or line.group_key not in group_totals:
                return None  # not the lines `kept` was computed from
            # A line that does not count at the year's level is 0 before and after.
            new = _budgeted(line, year, under_use) if line.counts_in(level) else ZERO
            if _same(old, new):
                continue
            if key not in statement_totals:
                return None  # not the lines `kept` was computed from
            amounts[line.key] = new
            group_totals[line.group_key] = _moved(group_totals[line.group_key], old, new)
            statement_totals[key] = _moved(statement_totals[key], old, new)
            if line.side == INTAKT:
                ovriga = _moved(ovriga, old, new)
                continue
            kostnader = _moved(kostnader, old, new)
            if line.decided:
                decided = _moved(decided, old, new)
            for kind, fraction in _kinds(line).items():
                if kind in by_kind:
                    by_kind[kind] = _moved(
                        by_kind[kind], old * _dec(fraction), new * _dec(fraction)
                    )
    except _NotExact:
        return None
    return _year_from_sums(
        inp,
        ib,
        _YearSums(
            **{name: getattr(kept, name) for name in _SPLIT},  # a save leaves them as they were
            line_amounts=amounts,
            group_totals=group_totals,
            cost_groups=tuple(kept.group_shares),
            ovriga_intakter=ovriga,
            kostnader=kostnader,
            decided_costs=decided,
            kind_costs=by_kind,
            statement_totals=statement_totals,
        ),
    )


def _moved_ib(inp: PlanInput, kept: YearResult, ib: Decimal) -> YearResult:
    """A year computed before with another opening eget kapital and nothing else changed, now
    opening with `ib`: what depends on it moves (available, UB, utrymme, the balansbudget),
    nothing else does. Only for a plan with no computed room (whose amount depends on IB)."""
    available = ib + kept.intakter
    entered = inp.balance.get(kept.year)
    return replace(
        kept,
        ib=ib,
        available=available,
        ub=ib + kept.resultat,
        utrymme=available - kept.decided_costs - (kept.floor or ZERO),
        balansbudget=(
            _balance_statement(entered, ib, kept.resultat) if entered is not None else None
        ),
    )


def compute_plan(
    inp: PlanInput,
    *,
    before: PlanResult | None = None,
    changed_years: frozenset[int] = frozenset(),
) -> PlanResult:
    """Compute every year of the plan, rolling eget kapital forward: IB(y+1) = UB(y).

    A year whose medlemsbidrag cannot be split keeps its total as income and records the reason
    in split_error, for the checks to report. Inconsistent input (years out of order, an
    unknown side) is a programming error and raises ValueError.

    before: the result of an input that differs from this one only in the line amounts and
    medlemsbidrag of changed_years (a save of cells). The other years are taken from it as they
    were, or with their opening eget kapital moved, and only the changed years are computed.
    """
    _validate(inp)
    share_kinds: list[str] = []
    for line in inp.lines:
        for kind in _kinds(line):
            if kind not in share_kinds:
                share_kinds.append(kind)
    stated_costs = any(
        side == KOSTNAD and inp.levels.get(year) == RESULTAT
        for year, rows in inp.statement_amounts.items()
        for side, _ in rows
    )
    if stated_costs and EJ_ANGIVET not in share_kinds:
        share_kinds.append(EJ_ANGIVET)
    kept = {r.year: r for r in before.years} if before is not None else {}
    # The computed room's amount depends on IB: with it, a moved IB means computing the year.
    room = any(line.computed_room for line in inp.lines)
    # Without it, a year the save changed moves its sums by the changed lines (_moved_year).
    changed_keys = inp.changed_lines
    moved_lines = (
        [line for line in inp.lines if line.key in changed_keys]
        if kept and changed_keys is not None and not room
        else None
    )
    results: list[YearResult] = []
    ib = _dec(inp.opening_equity)
    for year in inp.years:
        earlier = kept.get(year)
        if earlier is None:
            result = _compute_year(inp, year, ib, share_kinds)
        elif year in changed_years:
            moved = (
                _moved_year(inp, earlier, ib, share_kinds, moved_lines)
                if moved_lines is not None
                else None
            )
            result = _compute_year(inp, year, ib, share_kinds) if moved is None else moved
        elif _same(earlier.ib, ib):  # equal and written alike
            result = earlier
        elif not room:
            result = _moved_ib(inp, earlier, ib)
        else:
            result = _compute_year(inp, year, ib, share_kinds)
        results.append(result)
        ib = result.ub
    return PlanResult(
        years=tuple(results),
        lines=tuple(inp.lines),
        unit=inp.unit,
        region_has_kommun_role=inp.region_has_kommun_role,
    )
