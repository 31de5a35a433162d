"""The roll-forward of eget kapital, budgeted amounts, shares, targets and statements."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from budgets.calc import (
    LEVELS,
    ROUNDING,
    BalanceInput,
    Line,
    PlanInput,
    SplitMember,
    YearTargets,
    compute_plan,
    round_kr,
)

MEMBERS = (
    SplitMember("fk", "Försäkringskassan", "fk"),
    SplitMember("af", "Arbetsförmedlingen", "af"),
    SplitMember("region", "Region Jönköpings län", "region"),
    SplitMember("habo", "Habo kommun", "kommun", Decimal(118_400)),
    SplitMember("jonkoping", "Jönköpings kommun", "kommun", Decimal(1_345_100)),
)


def cost(key: str, amounts: dict[int, int], **options: object) -> Line:
    return Line(
        key=key,
        name=key.capitalize(),
        side="kostnad",
        group_key=str(options.pop("group_key", "insatser")),
        group_name="Insatser",
        amounts={y: Decimal(a) for y, a in amounts.items()},
        **options,  # type: ignore[arg-type]
    )


def income(key: str, amounts: dict[int, int], **options: object) -> Line:
    return Line(
        key=key,
        name=key.capitalize(),
        side="intakt",
        group_key=key,
        group_name=key.capitalize(),
        amounts={y: Decimal(a) for y, a in amounts.items()},
        **options,  # type: ignore[arg-type]
    )


def plan(**overrides: object) -> PlanInput:
    values: dict[str, object] = {
        "years": (2020,),
        "opening_equity": Decimal(0),
        "allocations": {2020: Decimal(1_000_000)},
        "members": MEMBERS,
        "unit": 100,
    }
    values.update(overrides)
    return PlanInput(**values)  # type: ignore[arg-type]


# --- Roll-forward ------------------------------------------------------------------------------

amounts = st.integers(min_value=0, max_value=10**8)


@st.composite
def plans(draw: st.DrawFn) -> PlanInput:
    first = draw(st.integers(min_value=2000, max_value=2040))
    years = tuple(range(first, first + draw(st.integers(min_value=1, max_value=5))))
    lines = []
    for i in range(draw(st.integers(min_value=0, max_value=6))):
        side = draw(st.sampled_from(["intakt", "kostnad"]))
        lines.append(
            Line(
                key=f"l{i}",
                name=f"Rad {i}",
                side=side,
                group_key=f"{side}-{i % 2}",
                group_name="Grupp",
                amounts={y: Decimal(draw(amounts)) for y in years if draw(st.booleans())},
                statement=draw(st.sampled_from(["verksamhet", "finansiell"])),
                under_use_applies=side == "kostnad" and draw(st.booleans()),
                decided=draw(st.booleans()),
                summary=draw(st.booleans()),
            )
        )
    levels = {y: draw(st.sampled_from(LEVELS)) for y in years}
    return PlanInput(
        years=years,
        opening_equity=Decimal(draw(st.integers(min_value=-(10**7), max_value=10**8))),
        allocations={y: Decimal(draw(amounts) * 100) for y in years},
        members=MEMBERS,
        unit=100,
        under_use_percent=Decimal(draw(st.integers(min_value=0, max_value=20))),
        lines=lines,
        levels=levels,
        statement_amounts={
            y: {
                ("intakt", "verksamhet"): Decimal(draw(amounts)),
                ("kostnad", "verksamhet"): Decimal(draw(amounts)),
                ("kostnad", "finansiell"): Decimal(draw(amounts)),
            }
            for y in years
        },
    )


@given(plans())
def test_each_year_opens_with_the_previous_years_closing_equity(inp: PlanInput) -> None:
    result = compute_plan(inp)
    assert result.years[0].ib == inp.opening_equity
    for previous, following in zip(result.years, result.years[1:], strict=False):
        assert following.ib == previous.ub
        assert following.year == previous.year + 1


@given(plans())
def test_result_is_income_less_costs_and_the_statement_agrees(inp: PlanInput) -> None:
    for year in compute_plan(inp).years:
        assert year.intakter == year.medlemsbidrag + year.ovriga_intakter
        assert year.resultat == year.intakter - year.kostnader
        assert year.ub == year.ib + year.resultat
        assert year.available == year.ib + year.intakter
        assert year.resultatbudget.arets_resultat == year.resultat
        typed_rows = inp.statement_amounts.get(year.year, {}) if year.level == "resultat" else {}
        assert year.kostnader == sum(
            year.line_amounts[ln.key] for ln in inp.lines if ln.side == "kostnad"
        ) + sum(amount for (side, _), amount in typed_rows.items() if side == "kostnad")


def test_a_missing_year_in_a_lines_amounts_counts_as_zero() -> None:
    result = compute_plan(
        plan(years=(2020, 2021), allocations={2020: Decimal(0)}, lines=[cost("a", {2021: 500})])
    )
    assert result.year(2020).line_amounts == {"a": 0}
    assert result.year(2021).medlemsbidrag == 0
    assert result.year(2021).ub == -500


# --- Under-use ---------------------------------------------------------------------------------


def test_under_use_reduces_only_insats_lines() -> None:
    year = compute_plan(
        plan(
            under_use_percent=Decimal(5),
            lines=[
                cost("efterstod", {2020: 601_000}, under_use_applies=True),
                cost("kansli", {2020: 860_000}, group_key="forvaltning"),
                income("esf", {2020: 100_000}),
            ],
        )
    ).year(2020)
    assert year.line_amounts == {"efterstod": 570_950, "kansli": 860_000, "esf": 100_000}
    assert year.kostnader == 570_950 + 860_000


def test_under_use_rounds_half_a_krona_up() -> None:
    year = compute_plan(
        plan(under_use_percent=Decimal(5), lines=[cost("a", {2020: 30}, under_use_applies=True)])
    ).year(2020)
    assert year.line_amounts["a"] == 29  # 28,50 kr; half-even would give 28
    assert round_kr(Decimal("2.5")) == 3
    assert round_kr(Decimal("-2.5")) == -3
    assert round_kr(Decimal("2.49")) == 2
    assert ROUNDING == "ROUND_HALF_UP"


# --- Shares ------------------------------------------------------------------------------------


def test_mixed_share_kinds_split_a_line_proportionally() -> None:
    year = compute_plan(
        plan(
            lines=[
                cost("enter", {2020: 600_000}, share_kinds={"individ": Decimal(1)}),
                cost(
                    "efterstod",
                    {2020: 300_000},
                    share_kinds={"individ": Decimal("0.5"), "struktur": Decimal("0.5")},
                ),
                cost("kansli", {2020: 100_000}),
            ]
        )
    ).year(2020)
    assert year.individ_costs == 750_000
    # The kansli line names no share kind: it counts as "ej angivet", and the shares add up.
    assert year.shares == {
        "individ": Decimal("0.75"),
        "struktur": Decimal("0.15"),
        "ej-angivet": Decimal("0.1"),
    }
    assert year.unclassified_costs == 100_000
    assert year.individ_of_medlemsbidrag == Decimal("0.75")


def test_shares_are_zero_without_costs_and_individ_share_none_without_contribution() -> None:
    year = compute_plan(
        plan(
            allocations={},
            lines=[cost("enter", {2021: 1}, share_kinds={"individ": Decimal(1)})],
        )
    ).year(2020)
    assert year.shares == {"individ": 0}
    assert year.individ_of_medlemsbidrag is None


def test_share_kinds_must_add_up_to_one() -> None:
    with pytest.raises(ValueError, match="summerar inte till 1"):
        compute_plan(plan(lines=[cost("a", {2020: 1}, share_kinds={"individ": Decimal("0.6")})]))


# --- Utrymme and targets -----------------------------------------------------------------------


def test_utrymme_is_available_less_decided_costs_less_the_floor() -> None:
    year = compute_plan(
        plan(
            opening_equity=Decimal(900_000),
            lines=[
                cost("enter", {2020: 1_000_000}),
                cost("nya", {2020: 400_000}, decided=False),
                income("esf", {2020: 50_000}),
            ],
            targets={2020: YearTargets(floor_amount=Decimal(650_000))},
        )
    ).year(2020)
    assert year.available == 900_000 + 1_000_000 + 50_000
    assert year.decided_costs == 1_000_000
    assert year.kostnader == 1_400_000
    assert year.floor == 650_000
    assert year.utrymme == 1_950_000 - 1_000_000 - 650_000


def test_utrymme_without_a_floor_is_available_less_decided_costs() -> None:
    year = compute_plan(plan(lines=[cost("enter", {2020: 300_000})])).year(2020)
    assert year.floor is None
    assert year.utrymme == 700_000


def test_no_ceiling_is_assumed_and_a_stated_percent_is_of_the_contribution() -> None:
    year = compute_plan(plan(allocations={2020: Decimal(6_000_000)})).year(2020)
    assert year.ceiling is None
    stated = {2020: YearTargets(ceiling_percent=Decimal(20))}
    year = compute_plan(plan(allocations={2020: Decimal(6_000_000)}, targets=stated)).year(2020)
    assert year.ceiling == 1_200_000


def test_a_ceiling_amount_overrides_the_percent_and_a_percent_can_be_set() -> None:
    result = compute_plan(
        plan(
            years=(2021, 2022, 2023),
            allocations={y: Decimal(58_443_000) for y in (2021, 2022, 2023)},
            targets={
                2021: YearTargets(ceiling_amount=Decimal(6_794_000)),
                2022: YearTargets(ceiling_percent=Decimal("11.6")),
                2023: YearTargets(ceiling_percent=None),
            },
        )
    )
    assert result.year(2021).ceiling == 6_794_000
    assert result.year(2022).ceiling == round_kr(Decimal("6779388"))
    assert result.year(2023).ceiling is None


# --- The split inside the plan -----------------------------------------------------------------


def test_a_split_error_is_recorded_and_the_money_still_counts_as_income() -> None:
    year = compute_plan(plan(allocations={2020: Decimal(1_000_050)})).year(2020)
    assert year.split_error is not None
    assert "avrundningsenheten" in year.split_error
    assert year.member_parts == {}
    assert year.intakter == 1_000_050
    assert year.ub == 1_000_050


def test_per_year_members_give_per_year_kommun_weights() -> None:
    fk, af, region = MEMBERS[:3]
    first = (
        *MEMBERS[:3],
        SplitMember("a", "A", "kommun", Decimal(1)),
        SplitMember("b", "B", "kommun", Decimal(1)),
    )
    second = (
        fk,
        af,
        region,
        SplitMember("a", "A", "kommun", Decimal(3)),
        SplitMember("b", "B", "kommun", Decimal(1)),
    )
    result = compute_plan(
        plan(
            years=(2020, 2021),
            allocations={2020: Decimal(800), 2021: Decimal(800)},
            members={2020: first, 2021: second},
            unit=1,
        )
    )
    assert (result.year(2020).member_parts["a"], result.year(2020).member_parts["b"]) == (100, 100)
    assert (result.year(2021).member_parts["a"], result.year(2021).member_parts["b"]) == (150, 50)
    assert result.year(2021).split_blocks["kommuner"] == 200


# --- Statements --------------------------------------------------------------------------------


def test_resultatbudget_puts_each_line_on_its_row_with_costs_negative() -> None:
    statement = (
        compute_plan(
            plan(
                lines=[
                    cost("insats", {2020: 700_000}),
                    cost("inventarier", {2020: 20_000}, statement="avskrivning", group_key="avskr"),
                    cost("bank", {2020: 1_000}, statement="finansiell", group_key="fin"),
                    income("ranta", {2020: 3_000}, statement="finansiell"),
                    income("esf", {2020: 50_000}),
                ]
            )
        )
        .year(2020)
        .resultatbudget
    )
    assert statement.verksamhetens_intakter == 1_050_000
    assert statement.verksamhetens_kostnader == -700_000
    assert statement.avskrivningar == -20_000
    assert statement.verksamhetens_nettokostnader == 330_000
    assert statement.finansiella_intakter == 3_000
    assert statement.finansiella_kostnader == -1_000
    assert statement.arets_resultat == 332_000


def test_balansbudget_takes_equity_from_the_roll_forward_and_names_the_difference() -> None:
    result = compute_plan(
        plan(
            years=(2020, 2021),
            opening_equity=Decimal(500_000),
            allocations={2020: Decimal(1_000_000), 2021: Decimal(1_000_000)},
            lines=[cost("insats", {2020: 1_100_000, 2021: 1_000_000})],
            balance={
                2020: BalanceInput(
                    omsattningstillgangar=Decimal(700_000), kortfristiga_skulder=Decimal(300_000)
                ),
                2021: BalanceInput(
                    anlaggningstillgangar=Decimal(50_000),
                    omsattningstillgangar=Decimal(700_000),
                    avsattningar=Decimal(10_000),
                    langfristiga_skulder=Decimal(40_000),
                    kortfristiga_skulder=Decimal(300_000),
                ),
            },
        )
    )
    first = result.year(2020).balansbudget
    assert first is not None
    assert first.balanserat_eget_kapital == 500_000
    assert first.arets_resultat == -100_000
    assert first.summa_eget_kapital == 400_000
    assert first.summa_eget_kapital_avsattningar_skulder == 700_000
    assert first.difference == 0
    assert first.balanced
    second = result.year(2021).balansbudget
    assert second is not None
    assert second.summa_tillgangar == 750_000
    assert second.summa_skulder == 340_000
    assert second.summa_eget_kapital_avsattningar_skulder == 400_000 + 10_000 + 340_000
    assert second.difference == 0
    assert second.balanced


def test_an_unbalanced_balansbudget_shows_its_difference() -> None:
    balance = (
        compute_plan(plan(balance={2020: BalanceInput(omsattningstillgangar=Decimal(913_000))}))
        .year(2020)
        .balansbudget
    )
    assert balance is not None
    assert balance.summa_eget_kapital == 1_000_000
    assert balance.difference == -87_000
    assert not balance.balanced


def test_a_year_without_balance_input_has_no_balansbudget() -> None:
    assert compute_plan(plan()).year(2020).balansbudget is None


# --- Input errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"years": ()}, ValueError),
        ({"years": (2020, 2022)}, ValueError),
        ({"years": (2021, 2020)}, ValueError),
        ({"lines": [Line("a", "A", "utgift", "g", "G", {})]}, ValueError),
        ({"lines": [Line("a", "A", "kostnad", "g", "G", {}, statement="x")]}, ValueError),
        ({"lines": [cost("a", {2020: -1})]}, ValueError),
        ({"lines": [cost("a", {}), income("a", {})]}, ValueError),
        ({"lines": [cost("a", {}, group_key="g"), income("g", {})]}, ValueError),
        ({"lines": [income("a", {}, under_use_applies=True)]}, ValueError),
        ({"members": {2019: MEMBERS}}, ValueError),
        ({"opening_equity": 1.5}, TypeError),
    ],
)
def test_programming_errors_in_the_input_raise(overrides: dict, error: type) -> None:
    with pytest.raises(error):
        compute_plan(plan(**overrides))


def test_year_accessor_finds_a_year_and_refuses_an_unknown_one() -> None:
    result = compute_plan(plan(years=(2020, 2021)))
    assert result.year(2021).year == 2021
    with pytest.raises(KeyError):
        result.year(2019)
    assert result.unit == 100
    assert result.region_has_kommun_role is False


# --- Levels: line by line, per group, as the resultatbudget's rows ------------------------------


def test_each_year_counts_the_lines_of_its_level_only() -> None:
    detail = cost("detalj", {2020: 300_000, 2021: 999_999})
    summary = cost("summa", {2020: 999_999, 2021: 350_000}, summary=True)
    result = compute_plan(
        plan(
            years=(2020, 2021, 2022),
            allocations={y: Decimal(1_000_000) for y in (2020, 2021, 2022)},
            lines=[detail, summary],
            levels={2021: "grupper", 2022: "resultat"},
            statement_amounts={
                2022: {("kostnad", "verksamhet"): Decimal(900_000), ("intakt", "finansiell"): 5}
            },
        )
    )
    first, second, third = result.years
    assert (first.level, first.kostnader, first.line_amounts["summa"]) == ("rader", 300_000, 0)
    assert (second.level, second.kostnader, second.line_amounts["detalj"]) == (
        "grupper",
        350_000,
        0,
    )
    assert second.group_totals["insatser"] == 350_000
    # A year known only as its resultatbudget: no line counts, its typed rows do.
    assert (third.kostnader, third.intakter, third.group_totals["insatser"]) == (
        900_000,
        1_000_005,
        0,
    )
    assert third.resultatbudget.finansiella_intakter == 5
    assert third.shares == {"ej-angivet": 1}
    assert third.ub == 1_000_000 - 300_000 + 1_000_000 - 350_000 + 1_000_005 - 900_000


def test_an_unknown_level_is_refused() -> None:
    with pytest.raises(ValueError, match="okänd nivå"):
        compute_plan(plan(levels={2020: "kvartal"}))


# --- A save of cells: only its years computed again ---------------------------------------------


@given(plans(), st.data())
def test_a_save_computes_only_its_years_and_equals_the_whole_plan_computed(
    inp: PlanInput, data: st.DataObject
) -> None:
    """compute_plan(before=…, changed_years=…) after new amounts and medlemsbidrag in some years
    equals computing every year: later years' IB moved, with a balansbudget and with the
    computed room (whose amount depends on IB)."""
    extra = []
    if data.draw(st.booleans(), label="computed room"):
        extra.append(cost("utrymme", {}, computed_room=True, group_key="rum"))
    balance = {
        y: BalanceInput(
            omsattningstillgangar=Decimal(data.draw(amounts)),
            kortfristiga_skulder=Decimal(data.draw(amounts)),
            balancing=data.draw(st.sampled_from(["", "omsattningstillgangar"])),
        )
        for y in inp.years
        if data.draw(st.booleans(), label="balansbudget")
    }
    first = replace(inp, lines=[*inp.lines, *extra], balance=balance)
    before = compute_plan(first)
    changed = frozenset(data.draw(st.sets(st.sampled_from(inp.years)), label="years"))
    lines = [
        replace(
            line,
            amounts={**line.amounts, **{y: Decimal(data.draw(amounts)) for y in changed}},
        )
        if not line.computed_room and data.draw(st.booleans(), label="line changed")
        else line
        for line in first.lines
    ]
    allocations = {
        **first.allocations,
        **{y: Decimal(data.draw(amounts) * 100) for y in changed if data.draw(st.booleans())},
    }
    after = replace(first, lines=lines, allocations=allocations)
    assert compute_plan(after, before=before, changed_years=changed) == compute_plan(after)


# A line's share kinds as budgets stores them, and fractions whose products round at 28 digits.
SHARE_SETS = [
    {},
    {"individ": Decimal(1)},
    {"individ": Decimal("0.5"), "struktur": Decimal("0.50")},
    {"individ": Decimal("0.25"), "forvaltning": Decimal("0.75")},
    {
        "struktur": Decimal("0.3333333333333333333333333333"),
        "ovrigt": Decimal("0.6666666666666666666666666667"),
    },
]
# Amounts as typed, some written with decimals, some near and past the precision of a sum.
typed_amounts = st.one_of(
    amounts.map(Decimal),
    amounts.map(lambda a: Decimal(a).quantize(Decimal("0.01"))),
    st.integers(min_value=10**24, max_value=10**27).map(Decimal),
)


@st.composite
def saved_plans(draw: st.DrawFn) -> tuple[PlanInput, PlanInput, frozenset[int]]:
    """A plan, the same plan after a save of cells (new amounts on some lines, in some years,
    perhaps a new medlemsbidrag) and the years the save changed."""
    years = (2030, 2031, 2032)
    lines = []
    for i in range(draw(st.integers(min_value=1, max_value=8))):
        side = draw(st.sampled_from(["intakt", "kostnad"]))
        lines.append(
            Line(
                key=f"l{i}",
                name=f"Rad {i}",
                side=side,
                group_key=f"{side}-{i % 3}",
                group_name="Grupp",
                amounts={y: draw(typed_amounts) for y in years if draw(st.booleans())},
                share_kinds=draw(st.sampled_from(SHARE_SETS)) if side == "kostnad" else {},
                statement=draw(
                    st.sampled_from(["verksamhet", "finansiell"])
                    if side == "intakt"
                    else st.sampled_from(["verksamhet", "finansiell", "avskrivning"])
                ),
                under_use_applies=side == "kostnad" and draw(st.booleans()),
                decided=draw(st.booleans()),
                summary=draw(st.booleans()),
            )
        )
    first = PlanInput(
        years=years,
        opening_equity=Decimal(draw(st.integers(min_value=-(10**7), max_value=10**8))),
        allocations={y: Decimal(draw(amounts) * 100) for y in years},
        members=MEMBERS,
        unit=100,
        under_use_percent=Decimal(draw(st.sampled_from([0, 3, 12]))),
        lines=lines,
        group_parents={"kostnad-1": "kostnad-0"} if draw(st.booleans()) else {},
        levels={y: draw(st.sampled_from(LEVELS)) for y in years},
        balance={years[0]: BalanceInput(omsattningstillgangar=Decimal(draw(amounts)))},
    )
    changed = frozenset(draw(st.sets(st.sampled_from(years), min_size=1)))
    changed_lines = frozenset(
        line.key for line in lines if draw(st.booleans(), label=f"{line.key} changed")
    )
    after_lines = [
        replace(line, amounts={**line.amounts, **{y: draw(typed_amounts) for y in changed}})
        if line.key in changed_lines
        else line
        for line in lines
    ]
    allocations = {
        **first.allocations,
        **{y: Decimal(draw(amounts) * 100) for y in changed if draw(st.booleans())},
    }
    after = replace(first, lines=after_lines, allocations=allocations, changed_lines=changed_lines)
    return first, after, changed


@given(saved_plans())
def test_a_save_moves_its_years_sums_to_the_last_digit_of_the_year_computed_again(
    saved: tuple[PlanInput, PlanInput, frozenset[int]],
) -> None:
    """A year a save changed is its sums moved by the changed lines: every figure equal to the
    year computed again over every line, and written alike (100 is not 100.00 on a page),
    with fractions whose products round, amounts typed with decimals and sums past 28 digits."""
    first, after, changed = saved
    moved = compute_plan(after, before=compute_plan(first), changed_years=changed)
    assert repr(moved) == repr(compute_plan(replace(after, changed_lines=None)))


def test_a_save_of_one_cell_moves_the_year_rather_than_computing_it_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A cell saved on one line of a plan of many: its year is moved by that line, not
    computed over every line again, and its figures are those of the year computed again."""
    lines = [
        cost(
            f"c{i}",
            {2030: 1000 + i},
            share_kinds={"individ": Decimal("0.5"), "struktur": Decimal("0.5")},
            group_key=f"g{i % 7}",
        )
        for i in range(200)
    ] + [income("ranta", {2030: 5000, 2031: 5000})]
    first = plan(years=(2030, 2031), allocations={2030: Decimal(3_000_000), 2031: 0}, lines=lines)
    before = compute_plan(first)
    saved = replace(lines[17], amounts={2030: Decimal(99_000)})
    after = replace(
        first, lines=[*lines[:17], saved, *lines[18:]], changed_lines=frozenset({"c17"})
    )
    expected = compute_plan(replace(after, changed_lines=None))

    def computed_again(*args: object) -> None:
        raise AssertionError("the year was computed over every line")

    monkeypatch.setattr("budgets.calc._compute_year", computed_again)
    result = compute_plan(after, before=before, changed_years=frozenset({2030}))
    assert result == expected
    assert result.years[0].kostnader == sum(1000 + i for i in range(200)) - 1017 + 99_000
    assert result.years[0].group_totals["g3"] == expected.years[0].group_totals["g3"]
    assert result.years[1].ib == result.years[0].ub
