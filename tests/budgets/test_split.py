"""The fixed split of medlemsbidrag, and the total that the members' offers allow."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from budgets.calc import (
    KOMMUNER,
    OfferResult,
    SplitError,
    SplitMember,
    SplitResult,
    member_share,
    split_contribution,
    total_from_offers,
)

FK = SplitMember("fk", "Försäkringskassan", "fk")
AF = SplitMember("af", "Arbetsförmedlingen", "af")
REGION = SplitMember("region", "Region Jönköpings län", "region")
GOTLAND = SplitMember("gotland", "Region Gotland", "region")


def kommun(key: str, weight: int | str | None) -> SplitMember:
    return SplitMember(
        key, f"{key.capitalize()} kommun", "kommun", None if weight is None else Decimal(weight)
    )


SV_2019 = [
    FK,
    AF,
    REGION,
    kommun("habo", 106_400),
    kommun("jonkoping", 1_225_700),
    kommun("mullsjo", 65_200),
    kommun("vaggeryd", 120_700),
]


def plain(text: str) -> str:
    return text.replace("\xa0", " ")


# --- Strategies --------------------------------------------------------------------------------

units = st.sampled_from([1, 100, 1000])
weights = st.one_of(
    st.integers(min_value=1, max_value=10**6).map(Decimal),
    st.decimals(
        min_value=Decimal("0.001"),
        max_value=Decimal(1000),
        places=3,
        allow_nan=False,
        allow_infinity=False,
    ),
)


@st.composite
def member_sets(draw: st.DrawFn) -> tuple[list[SplitMember], bool]:
    gotland = draw(st.booleans())
    if gotland:
        members = [FK, AF, GOTLAND]
    else:
        count = draw(st.integers(min_value=1, max_value=12))
        members = [FK, AF, REGION] + [
            SplitMember(f"k{i}", f"Kommun {i}", "kommun", draw(weights)) for i in range(count)
        ]
    return draw(st.permutations(members)), gotland


@st.composite
def splits(draw: st.DrawFn) -> tuple[SplitResult, list[SplitMember], int, bool]:
    unit = draw(units)
    members, gotland = draw(member_sets())
    total = Decimal(draw(st.integers(min_value=0, max_value=10**10 // unit)) * unit)
    result = split_contribution(total, members, unit=unit, region_has_kommun_role=gotland)
    return result, members, unit, gotland


def block_fractions(gotland: bool) -> dict[str, Decimal]:
    if gotland:
        return {"stat": Decimal("0.5"), "region": Decimal("0.5"), "kommuner": Decimal(0)}
    return {"stat": Decimal("0.5"), "region": Decimal("0.25"), "kommuner": Decimal("0.25")}


# --- Properties of the split ------------------------------------------------------------------


@given(splits())
def test_parts_add_up_to_the_total_exactly(case: tuple) -> None:
    result, members, _, _ = case
    assert set(result.parts) == {m.key for m in members}
    assert sum(result.parts.values()) == result.total
    assert sum(result.blocks.values()) == result.total


@given(splits())
def test_each_block_is_within_one_unit_of_its_fixed_share(case: tuple) -> None:
    result, _, unit, gotland = case
    for block, fraction in block_fractions(gotland).items():
        assert abs(result.blocks[block] - result.total * fraction) < unit


@given(splits())
def test_kommun_shares_add_up_to_the_quarter_exactly_each_within_one_unit(case: tuple) -> None:
    result, members, unit, _ = case
    kommuner = [m for m in members if m.kind == "kommun"]
    block = result.blocks["kommuner"]
    assert sum(result.parts[k.key] for k in kommuner) == block
    total_weight = sum(k.weight for k in kommuner)
    for k in kommuner:
        # |part − block·w/W| < unit, multiplied through by W to stay exact.
        assert abs(result.parts[k.key] * total_weight - block * k.weight) < unit * total_weight


@given(splits())
def test_parts_are_whole_units_and_never_negative_and_af_pays_through_fk(case: tuple) -> None:
    result, members, unit, _ = case
    for part in result.parts.values():
        assert part >= 0
        assert part % unit == 0
    kinds = {m.key: m.kind for m in members}
    assert result.parts["af"] == 0
    assert result.parts["fk"] == result.blocks["stat"]
    region_key = next(k for k, kind in kinds.items() if kind == "region")
    assert result.parts[region_key] == result.blocks["region"]


@given(splits())
def test_the_split_is_deterministic(case: tuple) -> None:
    result, members, unit, gotland = case
    again = split_contribution(result.total, members, unit=unit, region_has_kommun_role=gotland)
    assert again == result


# --- Examples --------------------------------------------------------------------------------


def test_gotland_style_region_carries_half_and_kommun_block_is_zero() -> None:
    result = split_contribution(
        Decimal(4_000_000), [FK, AF, GOTLAND], unit=1000, region_has_kommun_role=True
    )
    assert result.parts == {"fk": 2_000_000, "af": 0, "gotland": 2_000_000}
    assert result.blocks == {"stat": 2_000_000, "region": 2_000_000, "kommuner": 0}


def test_a_tie_goes_to_the_earlier_kommun_in_the_given_order() -> None:
    members = [FK, REGION, kommun("a", 1), kommun("b", 1), kommun("c", 1)]
    result = split_contribution(Decimal(100), members, unit=1, region_has_kommun_role=False)
    assert [result.parts[k] for k in ("a", "b", "c")] == [9, 8, 8]
    reordered = [FK, REGION, kommun("c", 1), kommun("a", 1), kommun("b", 1)]
    result = split_contribution(Decimal(100), reordered, unit=1, region_has_kommun_role=False)
    assert [result.parts[k] for k in ("c", "a", "b")] == [9, 8, 8]


def test_largest_remainder_gives_the_leftover_unit_to_the_largest_fraction() -> None:
    members = [FK, REGION, kommun("small", 1), kommun("large", 2)]
    # kommun block 25: quotas 8.33 and 16.67, so the larger remainder gets the unit
    result = split_contribution(Decimal(100), members, unit=1, region_has_kommun_role=False)
    assert (result.parts["small"], result.parts["large"]) == (8, 17)


def test_zero_total_gives_all_zeros() -> None:
    result = split_contribution(Decimal(0), SV_2019, unit=100, region_has_kommun_role=False)
    assert set(result.parts.values()) == {Decimal(0)}
    assert set(result.blocks.values()) == {Decimal(0)}


def test_member_share_is_the_fixed_fraction() -> None:
    def share(member: SplitMember) -> Decimal:
        return member_share(member, SV_2019, region_has_kommun_role=False)

    assert share(FK) == Decimal("0.5")
    assert share(AF) == 0
    assert share(REGION) == Decimal("0.25")
    habo = SV_2019[3]
    assert abs(share(habo) * 6_072_000 - 106_400) < Decimal("1e-25")
    assert member_share(GOTLAND, [FK, AF, GOTLAND], region_has_kommun_role=True) == Decimal("0.5")
    assert abs(sum(share(m) for m in SV_2019) - 1) < Decimal("1e-30")


# --- Errors ------------------------------------------------------------------------------------


def test_a_total_that_is_not_a_multiple_of_the_unit_is_refused_in_swedish() -> None:
    with pytest.raises(SplitError) as error:
        split_contribution(Decimal(61_478_050), SV_2019, unit=100, region_has_kommun_role=False)
    assert plain(str(error.value)) == (
        "Beloppet 61 478 050 kr går inte jämnt upp i avrundningsenheten 100 kr."
    )


@pytest.mark.parametrize(
    ("total", "members", "unit", "gotland", "message"),
    [
        (Decimal(-100), SV_2019, 100, False, "Beloppet -100 kr är negativt"),
        (Decimal("100.5"), SV_2019, 1, False, "100,5 kr går inte jämnt upp"),
        (Decimal(1000), SV_2019, 10, False, "Avrundningsenheten 10 kr är inte tillåten"),
        (Decimal(1000), SV_2019[1:], 1, False, "Försäkringskassan saknas"),
        (Decimal(1000), [FK, AF, kommun("habo", 1)], 1, False, "Regionen saknas"),
        (Decimal(1000), [FK, GOTLAND, kommun("visby", 1)], 1, True, "Regionen har kommunens roll"),
        (Decimal(1000), [FK, AF, REGION], 1, False, "Ingen kommun finns"),
        (Decimal(1000), [FK, REGION, GOTLAND, kommun("a", 1)], 1, False, "Fler än en region"),
        (Decimal(1000), [FK, FK, REGION, kommun("a", 1)], 1, False, "finns med flera gånger"),
        (
            Decimal(1000),
            [FK, REGION, SplitMember("x", "Xyz", "stat")],
            1,
            False,
            "Xyz har en okänd medlemstyp",
        ),
    ],
)
def test_an_impossible_split_raises_a_swedish_split_error(
    total: Decimal, members: list[SplitMember], unit: int, gotland: bool, message: str
) -> None:
    with pytest.raises(SplitError) as error:
        split_contribution(total, members, unit=unit, region_has_kommun_role=gotland)
    assert message in plain(str(error.value))


# --- The kommun quarter without every kommun's figure ------------------------------------------


def test_kommuner_without_a_figure_leave_the_other_parts_and_the_kommun_sum_standing() -> None:
    members = [FK, AF, REGION, kommun("habo", None), kommun("mullsjo", 0), kommun("eksjo", 300)]
    result = split_contribution(Decimal(1_000_000), members, unit=1, region_has_kommun_role=False)
    assert result.parts == {"fk": Decimal(500_000), "af": Decimal(0), "region": Decimal(250_000)}
    assert result.blocks[KOMMUNER] == Decimal(250_000)
    assert plain(result.kommun_error) == (
        "Habo kommun saknar fördelningstal (invånarantal eller överenskommen andel) och "
        "Mullsjo kommun har ett fördelningstal som inte är större än noll"
    )


def test_every_kommun_without_a_figure_is_named() -> None:
    members = [FK, REGION, kommun("a", None), kommun("b", None), kommun("c", None)]
    result = split_contribution(Decimal(4000), members, unit=1, region_has_kommun_role=False)
    assert plain(result.kommun_error).startswith(
        "A kommun, B kommun och C kommun saknar var sitt fördelningstal"
    )


def test_a_plan_that_states_only_the_kommun_sum_needs_no_figures_and_finds_nothing() -> None:
    members = [FK, AF, REGION, kommun("habo", None), kommun("eksjo", None)]
    result = split_contribution(
        Decimal(6_072_000), members, unit=1000, region_has_kommun_role=False, split_kommuner=False
    )
    assert result.kommun_error is None
    assert result.parts == {"fk": Decimal(3_036_000), "af": 0, "region": Decimal(1_518_000)}
    assert result.blocks[KOMMUNER] == Decimal(1_518_000)
    assert sum(result.parts.values()) + result.blocks[KOMMUNER] == 6_072_000


def test_offers_still_need_every_kommuns_figure() -> None:
    with pytest.raises(SplitError, match="Habo kommun saknar fördelningstal"):
        member_share(FK, [FK, REGION, kommun("habo", None)], region_has_kommun_role=False)


def test_split_error_is_a_value_error() -> None:
    assert issubclass(SplitError, ValueError)


# --- Offers ------------------------------------------------------------------------------------

# 2019: the state offered to raise its part to 5,6 mkr; Habo, Vaggeryd and the region accepted
# 20 % more, Mullsjö and Jönköping only 10 % more (Södra Vätterbygden, VP 2020 §9).
SV_OFFERS = {
    "fk": Decimal(5_600_000),
    "region": Decimal(1_821_600),
    "habo": Decimal(127_680),
    "jonkoping": Decimal(1_348_270),
    "mullsjo": Decimal(71_720),
    "vaggeryd": Decimal(144_840),
}


def fits(total: int, members: list[SplitMember], offers: dict, unit: int, gotland: bool) -> bool:
    parts = split_contribution(
        Decimal(total), members, unit=unit, region_has_kommun_role=gotland
    ).parts
    return all(parts[key] <= offer for key, offer in offers.items() if key in parts)


def test_the_member_offering_least_for_its_share_sets_everyones_contribution() -> None:
    result = total_from_offers(SV_OFFERS, SV_2019, unit=100, region_has_kommun_role=False)
    # Jönköping and Mullsjö both allow 10 % more than 6 072 000; Jönköping comes first.
    assert result.capacity["jonkoping"] == result.capacity["mullsjo"] == 6_679_200
    assert result.capacity["fk"] == 11_200_000
    assert result.binding_key == "jonkoping"
    assert "af" not in result.capacity
    for key, offer in SV_OFFERS.items():
        assert result.parts[key] <= offer
    # Rounding to hundreds would lift a kommun above its offer at 6 679 200 and 6 679 100.
    assert result.total == 6_679_000
    assert not fits(6_679_100, SV_2019, SV_OFFERS, 100, False)
    assert not fits(6_679_200, SV_2019, SV_OFFERS, 100, False)
    assert sum(result.parts.values()) == result.total


def test_if_everyone_took_the_states_offer_the_total_would_be_11_2_mkr() -> None:
    generous = {key: Decimal(10**8) for key in SV_OFFERS} | {"fk": Decimal(5_600_000)}
    result = total_from_offers(generous, SV_2019, unit=100, region_has_kommun_role=False)
    assert result == OfferResult(
        total=Decimal(11_200_000),
        binding_key="fk",
        parts=split_contribution(
            Decimal(11_200_000), SV_2019, unit=100, region_has_kommun_role=False
        ).parts,
        capacity=result.capacity,
    )


def test_a_missing_offer_names_the_member_but_af_needs_none() -> None:
    offers = {key: value for key, value in SV_OFFERS.items() if key != "mullsjo"}
    with pytest.raises(SplitError, match="Erbjudande saknas från Mullsjo kommun"):
        total_from_offers(offers, SV_2019, unit=100, region_has_kommun_role=False)
    assert "af" not in SV_OFFERS


def test_a_negative_offer_or_an_offer_from_a_stranger_is_refused() -> None:
    with pytest.raises(SplitError, match="kan inte vara negativt"):
        total_from_offers(
            SV_OFFERS | {"habo": Decimal(-1)}, SV_2019, unit=100, region_has_kommun_role=False
        )
    with pytest.raises(SplitError, match="inte är medlem"):
        total_from_offers(
            SV_OFFERS | {"tranas": Decimal(1)}, SV_2019, unit=100, region_has_kommun_role=False
        )


@st.composite
def offer_cases(draw: st.DrawFn) -> tuple[dict, list[SplitMember], int, bool]:
    unit = draw(units)
    gotland = draw(st.booleans())
    if gotland:
        members = [FK, AF, GOTLAND]
    else:
        count = draw(st.integers(min_value=1, max_value=12))
        members = [FK, AF, REGION] + [
            kommun(f"k{i}", draw(st.integers(min_value=1_000, max_value=10**6)))
            for i in range(count)
        ]
    members = draw(st.permutations(members))
    offers = {
        m.key: Decimal(draw(st.integers(min_value=0, max_value=10**8)))
        for m in members
        if m.kind != "af"
    }
    return offers, members, unit, gotland


@settings(deadline=None)
@given(offer_cases())
def test_no_part_exceeds_its_offer_and_the_total_is_the_largest_that_fits(case: tuple) -> None:
    offers, members, unit, gotland = case
    result = total_from_offers(offers, members, unit=unit, region_has_kommun_role=gotland)
    assert result.total % unit == 0
    assert result.total <= min(result.capacity.values())
    for key, offer in offers.items():
        assert result.parts[key] <= offer
    top = int(min(result.capacity.values())) // unit * unit
    for total in range(int(result.total) + unit, top + 1, unit):
        assert not fits(total, members, offers, unit, gotland)
    lowest = min(result.capacity.values())
    first_lowest = next(m.key for m in members if result.capacity.get(m.key) == lowest)
    assert result.binding_key == first_lowest


@given(offer_cases())
def test_capacity_is_the_offer_over_the_share_rounded_down(case: tuple) -> None:
    offers, members, unit, gotland = case
    result = total_from_offers(offers, members, unit=unit, region_has_kommun_role=gotland)
    for member in members:
        if member.kind == "af":
            continue
        share = member_share(member, members, region_has_kommun_role=gotland)
        capacity = result.capacity[member.key]
        # capacity · share ≤ offer < (capacity + 1) · share, up to the share's own rounding
        assert capacity * share <= offers[member.key] + Decimal("1e-20")
        assert (capacity + 1) * share > offers[member.key] - Decimal("1e-20")
