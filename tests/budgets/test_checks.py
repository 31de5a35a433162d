"""Each check speaks when it should, and only then, naming the year and the figures."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from budgets.calc import (
    BalanceInput,
    Line,
    PlanInput,
    PlanResult,
    SplitMember,
    YearTargets,
    compute_plan,
)
from budgets.checks import FEL, INFO, VARNING, Finding, group_by_years, run_checks

MEMBERS = (
    SplitMember("fk", "Försäkringskassan", "fk"),
    SplitMember("af", "Arbetsförmedlingen", "af"),
    SplitMember("vgr", "Västra Götalandsregionen", "region"),
    SplitMember("gbg", "Göteborgs stad", "kommun", Decimal(1)),
)
ADOPTED = {"budget_year": 2021, "today": date(2020, 11, 27), "adopted": True}


def plain(text: str) -> str:
    return text.replace("\xa0", " ")


def costs(per_year: dict[int, int], **options: object) -> Line:
    return Line(
        key="insatser",
        name="Insatser",
        side="kostnad",
        group_key="insatser",
        group_name="Insatser",
        amounts={y: Decimal(a) for y, a in per_year.items()},
        **options,  # type: ignore[arg-type]
    )


def computed(
    *,
    years: tuple[int, ...] = (2021,),
    opening: int = 0,
    allocation: int = 1_000_000,
    cost: int | dict[int, int] = 1_000_000,
    **overrides: object,
) -> PlanResult:
    per_year = cost if isinstance(cost, dict) else dict.fromkeys(years, cost)
    values: dict[str, object] = {
        "years": years,
        "opening_equity": Decimal(opening),
        "allocations": {y: Decimal(allocation) for y in years},
        "members": MEMBERS,
        "lines": [costs(per_year)],
        # No ceiling unless a test sets one, so that each test sees only its own finding.
        "targets": {y: YearTargets(ceiling_percent=None) for y in years},
    }
    values.update(overrides)
    return compute_plan(PlanInput(**values))  # type: ignore[arg-type]


def findings(result: PlanResult, **options: object) -> list[Finding]:
    return run_checks(result, **(ADOPTED | options))  # type: ignore[arg-type]


def codes(result: PlanResult, **options: object) -> list[str]:
    return [f.code for f in findings(result, **options)]


def only(result: PlanResult, code: str, **options: object) -> Finding:
    matching = [f for f in findings(result, **options) if f.code == code]
    assert len(matching) == 1, matching
    return matching[0]


def test_a_balanced_plan_has_no_findings() -> None:
    assert findings(computed()) == []


# --- split-fel, delar-summa, fordelning --------------------------------------------------------


def test_split_error_is_reported_with_year_and_amount() -> None:
    result = computed(allocation=1_000_050, unit=100, cost=1_000_050)
    finding = only(result, "split-fel")
    assert finding.severity == FEL
    assert finding.year == 2021
    assert finding.ref == "medlemsbidrag"
    assert plain(finding.message).startswith("2021: medlemsbidraget 1 000 050 kr kan inte")
    assert "går inte jämnt upp i avrundningsenheten 100 kr" in plain(finding.message)
    assert "split-fel" not in codes(computed())


def test_parts_that_do_not_add_up_are_an_error() -> None:
    result = computed()
    year = result.year(2021)
    tampered = replace(year, member_parts=year.member_parts | {"gbg": Decimal(250_100)})
    finding = only(replace(result, years=(tampered,)), "delar-summa")
    assert finding.severity == FEL
    assert plain(finding.message) == (
        "2021: medlemmarnas delar summerar till 1 000 100 kr, men medlemsbidraget är "
        "1 000 000 kr (skillnad 100 kr)."
    )
    assert "delar-summa" not in codes(result)


def test_a_block_off_its_fixed_share_by_more_than_one_unit_is_an_error() -> None:
    result = computed()
    year = result.year(2021)
    moved = year.member_parts | {"fk": Decimal(499_998), "vgr": Decimal(250_002)}
    tampered = replace(result, years=(replace(year, member_parts=moved),))
    found = [f for f in findings(tampered) if f.code == "fordelning"]
    assert [f.ref for f in found] == ["member:fk", "member:vgr"]
    assert plain(found[0].message) == (
        "2021: staten (genom Försäkringskassan) får 499 998 kr, men den fasta fördelningen ger "
        "500 000 kr (50 % av 1 000 000 kr)."
    )
    assert "delar-summa" not in codes(tampered)


def test_rounding_within_one_unit_is_not_a_distribution_error() -> None:
    result = computed(allocation=1_000_002, cost=1_000_002)  # quarters of 250 000,50 kr
    assert "fordelning" not in codes(result)
    year = result.year(2021)
    moved = year.member_parts | {"vgr": Decimal(250_000), "gbg": Decimal(250_001)}
    assert "fordelning" not in codes(replace(result, years=(replace(year, member_parts=moved),)))


def test_a_kommun_off_its_weighted_part_is_an_error() -> None:
    members = (
        *MEMBERS[:3],
        SplitMember("a", "Ale kommun", "kommun", Decimal(1)),
        SplitMember("b", "Borås stad", "kommun", Decimal(3)),
    )
    result = computed(members=members)
    year = result.year(2021)
    assert (year.member_parts["a"], year.member_parts["b"]) == (62_500, 187_500)
    moved = year.member_parts | {"a": Decimal(62_400), "b": Decimal(187_600)}
    tampered = replace(result, years=(replace(year, member_parts=moved),))
    found = [f for f in findings(tampered) if f.code == "fordelning"]
    assert [f.ref for f in found] == ["member:a", "member:b"]
    assert plain(found[0].message) == (
        "2021: Ale kommun får 62 400 kr, men fördelningen efter vikt ger 62 500 kr av "
        "kommunernas 250 000 kr."
    )


# --- Eget kapital -----------------------------------------------------------------------------


def test_negative_closing_equity_is_an_error_naming_the_amount() -> None:
    finding = only(computed(opening=100_000, cost=1_425_000), "ub-negativ")
    assert finding.severity == FEL
    assert finding.ref == "ub"
    assert plain(finding.message) == (
        "2021: utgående eget kapital är -325 000 kr; underskottet täcks inte av eget kapital."
    )
    assert "ub-negativ" not in codes(computed(opening=325_000, cost=1_325_000))


def test_equity_above_a_stated_20_percent_ceiling_is_a_warning() -> None:
    stated = {2021: YearTargets(ceiling_percent=Decimal(20))}
    result = computed(opening=200_001, targets=stated)
    finding = only(result, "ek-over-tak")
    assert finding.severity == VARNING
    assert finding.ref == "ceiling"
    assert plain(finding.message) == (
        "2021: utgående eget kapital 200 001 kr är över taket 200 000 kr "
        "(20 % av medlemsbidraget 1 000 000 kr)."
    )
    assert "ek-over-tak" not in codes(computed(opening=200_000, targets=stated))
    assert "ek-over-tak" not in codes(computed(opening=900_000, targets={}))  # none stated


def test_an_amount_ceiling_is_quoted_without_a_percent() -> None:
    result = computed(
        opening=7_000_000, targets={2021: YearTargets(ceiling_amount=Decimal(6_794_000))}
    )
    assert plain(only(result, "ek-over-tak").message) == (
        "2021: utgående eget kapital 7 000 000 kr är över taket 6 794 000 kr."
    )


def test_equity_below_the_floor_but_not_negative_is_a_warning() -> None:
    targets = {2021: YearTargets(ceiling_percent=None, floor_amount=Decimal(400_000))}
    finding = only(computed(opening=325_000, targets=targets), "ek-under-golv")
    assert finding.severity == VARNING
    assert finding.ref == "floor"
    assert (
        plain(finding.message)
        == "2021: utgående eget kapital 325 000 kr är under golvet 400 000 kr."
    )
    assert "ek-under-golv" not in codes(computed(opening=400_000, targets=targets))
    below_zero = codes(computed(opening=-1, targets=targets))
    assert "ub-negativ" in below_zero
    assert "ek-under-golv" not in below_zero


# --- Individ share -----------------------------------------------------------------------------


def test_too_little_to_individ_insatser_is_a_warning() -> None:
    targets = {2022: YearTargets(ceiling_percent=None, min_individ_percent=Decimal(70))}
    line = costs({2022: 650_000}, share_kinds={"individ": Decimal(1)})
    result = computed(years=(2022,), opening=350_000, lines=[line], targets=targets)
    finding = only(result, "individ-andel", budget_year=2022)
    assert finding.severity == VARNING
    assert finding.year == 2022
    assert finding.ref == "individ"
    assert plain(finding.message) == (
        "2022: individinriktade insatser får 65,0 % av medlemsbidraget (650 000 kr av "
        "1 000 000 kr); målet är minst 70 %."
    )
    enough = costs({2022: 700_000}, share_kinds={"individ": Decimal(1)})
    ok = computed(years=(2022,), opening=300_000, lines=[enough], targets=targets)
    assert "individ-andel" not in codes(ok, budget_year=2022)


# --- Deficit -----------------------------------------------------------------------------------


def test_a_deficit_without_a_reason_is_a_warning() -> None:
    result = computed(opening=1_000_000, cost=1_656_000)
    finding = only(result, "underskott-utan-motivering")
    assert finding.severity == VARNING
    assert finding.ref == "resultat"
    assert plain(finding.message).startswith("2021: årets resultat är -656 000 kr.")
    assert "underskott-utan-motivering" in codes(result, deficit_reason="   ")
    assert "underskott" not in codes(result)


def test_a_deficit_with_a_reason_is_a_notice_quoting_it() -> None:
    reason = "Sparade medel från tidigare år tas till vara."
    result = computed(opening=1_000_000, cost=1_656_000)
    finding = only(result, "underskott", deficit_reason=reason)
    assert finding.severity == INFO
    assert plain(finding.message) == (
        "2021: årets resultat är -656 000 kr; eget kapital förbrukas medvetet: " + reason
    )
    assert "underskott-utan-motivering" not in codes(result, deficit_reason=reason)
    assert "underskott" not in codes(computed(), deficit_reason=reason)


# --- Balance ------------------------------------------------------------------------------------


def test_an_unbalanced_balansbudget_is_an_error_naming_the_difference() -> None:
    balance = {
        2024: BalanceInput(
            omsattningstillgangar=Decimal(913_000), kortfristiga_skulder=Decimal(300_000)
        )
    }
    finding = only(computed(years=(2024,), opening=577_000, balance=balance), "balans")
    assert finding.severity == FEL
    assert finding.ref == "balans"
    assert plain(finding.message) == (
        "2024: balansbudgeten går inte ihop: tillgångar 913 000 kr, eget kapital, avsättningar "
        "och skulder 877 000 kr (skillnad 36 000 kr)."
    )
    balanced = {2024: replace(balance[2024], omsattningstillgangar=Decimal(877_000))}
    assert "balans" not in codes(computed(years=(2024,), opening=577_000, balance=balanced))


def test_a_balansbudget_that_computes_a_row_balances_whatever_the_result() -> None:
    """The row named to balance takes what eget kapital and the other rows leave: an asset
    (kassa och bank) or a liability; a cost that moves the result moves only that row."""
    entered = BalanceInput(
        omsattningstillgangar=Decimal(1),  # not used: the row is computed
        anlaggningstillgangar=Decimal(100_000),
        kortfristiga_skulder=Decimal(300_000),
        balancing="omsattningstillgangar",
    )
    for cost, expected in ((1_000_000, 777_000), (1_200_000, 577_000)):
        result = computed(years=(2024,), opening=577_000, cost=cost, balance={2024: entered})
        statement = result.year(2024).balansbudget
        assert statement.omsattningstillgangar == Decimal(expected)
        assert statement.balanced and statement.balancing == "omsattningstillgangar"
        assert "balans" not in codes(result)
    liability = replace(
        entered, omsattningstillgangar=Decimal(1_000_000), balancing="kortfristiga_skulder"
    )
    statement = computed(years=(2024,), opening=577_000, balance={2024: liability}).year(2024)
    assert statement.balansbudget.kortfristiga_skulder == Decimal(1_100_000 - 577_000)
    assert statement.balansbudget.balanced


def test_a_computed_balance_row_below_zero_is_a_warning_naming_it() -> None:
    entered = BalanceInput(
        anlaggningstillgangar=Decimal(900_000),
        kortfristiga_skulder=Decimal(100_000),
        balancing="omsattningstillgangar",
    )
    finding = only(computed(years=(2024,), opening=577_000, balance={2024: entered}), "balans")
    assert finding.severity == VARNING
    assert plain(finding.message) == (
        "2024: balansbudgetens omsättningstillgångar, som räknas fram så att den går ihop, blir "
        "negativa (-223 000 kr); se över de inmatade posterna."
    )


# --- Deadline and members -----------------------------------------------------------------------


def test_a_plan_not_adopted_after_30_november_is_a_warning() -> None:
    finding = only(computed(), "sista-dag-passerad", today=date(2020, 12, 1), adopted=False)
    assert finding.severity == VARNING
    assert finding.year is None
    assert finding.ref == "plan"
    assert finding.message == "Planen skulle ha antagits senast 30 november 2020."


def test_a_plan_due_within_30_days_gets_a_notice_with_the_days_left() -> None:
    finding = only(computed(), "sista-dag-nara", today=date(2020, 11, 18), adopted=False)
    assert finding.severity == INFO
    assert finding.message == "Planen ska antas senast 30 november 2020, om 12 dagar."
    last_day = only(computed(), "sista-dag-nara", today=date(2020, 11, 30), adopted=False)
    assert last_day.message == "Planen ska antas senast 30 november 2020, i dag."
    assert codes(computed(), today=date(2020, 10, 30), adopted=False) == []


def test_an_adopted_plan_has_no_deadline_findings() -> None:
    assert codes(computed(), today=date(2020, 12, 1), adopted=True) == []
    assert codes(computed(), today=date(2020, 11, 18), adopted=True) == []


def test_each_member_set_problem_is_an_error() -> None:
    problems = ["Arbetsförmedlingen saknas bland medlemmarna.", "Minst en kommun saknas."]
    found = findings(computed(), member_set_problems=problems)
    assert [(f.code, f.severity, f.message, f.year, f.ref) for f in found] == [
        ("medlemmar", FEL, problems[0], None, "members"),
        ("medlemmar", FEL, problems[1], None, "members"),
    ]


# --- Order -------------------------------------------------------------------------------------


def test_findings_are_ordered_by_severity_then_year() -> None:
    result = computed(
        years=(2021, 2022, 2023),
        opening=500_000,
        cost={2021: 1_300_000, 2022: 1_100_000, 2023: 1_200_000},
        targets={y: YearTargets(floor_amount=Decimal(150_000)) for y in (2021, 2022, 2023)},
    )
    found = findings(result, today=date(2020, 12, 1), adopted=False, member_set_problems=["Fel."])
    assert [(f.year, f.severity, f.code) for f in found] == [
        (None, FEL, "medlemmar"),
        (2023, FEL, "ub-negativ"),
        (None, VARNING, "sista-dag-passerad"),
        (2021, VARNING, "underskott-utan-motivering"),
        (2022, VARNING, "ek-under-golv"),
        (2022, VARNING, "underskott-utan-motivering"),
        (2023, VARNING, "underskott-utan-motivering"),
    ]


# --- One fact, one finding ---------------------------------------------------------------------


def test_an_empty_year_gets_the_empty_year_finding_and_no_ceiling_or_floor_pair() -> None:
    # 2022 has no figure at all: 0 % of no medlemsbidrag is a ceiling of 0, so eget kapital was
    # "över taket 0 kr" and "under golvet" at once.
    result = computed(
        years=(2021, 2022),
        opening=100_000,
        allocations={2021: Decimal(1_000_000), 2022: Decimal(0)},
        cost={2021: 1_000_000, 2022: 0},
        targets={
            y: YearTargets(ceiling_percent=Decimal(20), floor_amount=Decimal(150_000))
            for y in (2021, 2022)
        },
    )
    assert [(f.year, f.code) for f in findings(result)] == [
        (2021, "ek-under-golv"),
        (2022, "tomt-ar"),
    ]


def test_a_finding_every_year_alike_is_listed_once_with_its_years() -> None:
    years = (2027, 2028, 2029)
    result = computed(
        years=years,
        allocations=dict.fromkeys(years, Decimal(0)),
        cost=dict.fromkeys(years, 0),
    )
    listed = group_by_years(findings(result))
    assert [(f.message, grouped) for f, grouped in listed] == [
        (
            "2027, 2028 och 2029: budgeten för året är tom; medlemsbidraget och alla rader är 0.",
            years,
        )
    ]


def test_findings_that_differ_in_their_figures_stay_apart() -> None:
    result = computed(
        years=(2021, 2022),
        opening=500_000,
        cost={2021: 1_100_000, 2022: 1_200_000},
    )
    listed = group_by_years(findings(result))
    assert [(f.year, grouped) for f, grouped in listed] == [(2021, ()), (2022, ())]


# --- Figures that count for nothing ------------------------------------------------------------


def test_an_amount_typed_for_a_year_budgeted_per_group_is_a_warning_naming_it() -> None:
    # The insats granted 460 000 kr for 2023 showed "Budgeterat 0" and no check said why.
    line = replace(costs({2022: 1_000_000, 2023: 460_000}), name="Steg till arbete")
    result = computed(
        years=(2022, 2023),
        lines=[line],
        levels={2023: "grupper"},
    )
    found = only(result, "belopp-raknas-inte", lines=[line])
    assert found.severity == VARNING
    assert found.year == 2023
    assert plain(found.message) == (
        "2023: 460 000 kr på raden Steg till arbete räknas inte i budgeten: året budgeteras per "
        "grupp (gruppens summarad räknas)."
    )


def test_an_amount_in_a_year_known_only_as_its_resultatbudget_is_a_warning() -> None:
    line = costs({2022: 1_000_000, 2023: 5_000})
    result = computed(years=(2022, 2023), lines=[line], levels={2023: "resultat"})
    assert "bara som resultatbudget" in only(result, "belopp-raknas-inte", lines=[line]).message


def test_an_amount_for_a_year_outside_the_plan_is_a_warning_but_the_comparison_year_is_not() -> (
    None
):
    result = computed(cost={2020: 900_000, 2021: 1_000_000, 2025: 70_000})
    found = [
        f
        for f in findings(
            result, lines=[costs({2020: 900_000, 2025: 70_000})], comparison_year=2020
        )
    ]
    assert [(f.year, f.code) for f in found] == [(2025, "belopp-raknas-inte")]
    assert "utanför planens år" in found[0].message


def test_amounts_that_count_are_no_finding() -> None:
    result = computed(years=(2021, 2022))
    assert findings(result, lines=[costs({2021: 1_000_000, 2022: 1_000_000})]) == []


def test_the_plan_due_is_next_years_until_it_is_adopted_even_after_its_deadline():
    from budgets.checks import due_budget_years

    def due(day, planned=(), adopted=()):
        return due_budget_years(today=day, planned=set(planned), adopted=set(adopted))

    assert due(date(2026, 11, 30)) == [2027]
    assert due(date(2026, 12, 1), planned=[2027]) == [2027]  # late, still due
    assert due(date(2026, 12, 31), planned=[2027], adopted=[2027]) == [2028]
    assert due(date(2027, 1, 1), planned=[2026, 2027], adopted=[2026]) == [2027, 2028]
    # A year under way that no plan was begun for in the product is not owed.
    assert due(date(2027, 1, 1), planned=[2028]) == [2028]
    assert due(date(2027, 3, 1), planned=[2028], adopted=[2028]) == [2029]
