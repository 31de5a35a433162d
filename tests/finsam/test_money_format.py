"""Our Swedish number formatting writes exactly what Babel's Swedish locale writes (the app
formatted through Babel before; the figures on every page and in every PDF must not move)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st

from finsam.money import format_amount, format_number, format_percent, format_plain

amounts = st.decimals(
    min_value=Decimal(-(10**12)), max_value=Decimal(10**12), places=3, allow_nan=False
)


def babel(value: Decimal, decimals: int) -> str:
    pattern = "#,##0" if decimals == 0 else "#,##0." + "0" * decimals
    rounded = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return format_decimal(abs(rounded) if rounded == 0 else rounded, format=pattern, locale="sv_SE")


@given(amounts)
def test_kronor_as_babel_writes_them(value):
    assert format_number(value, "kr") == babel(value, 0)


@given(amounts)
def test_tkr_as_babel_writes_them(value):
    kronor = value.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    thousands = kronor / 1000
    decimals = next(d for d in range(4) if thousands == thousands.quantize(Decimal(1).scaleb(-d)))
    assert format_number(value, "tkr") == babel(thousands, decimals)


@given(st.decimals(min_value=-10, max_value=10, places=6, allow_nan=False), st.integers(0, 3))
def test_percentages_as_babel_writes_them(fraction, decimals):
    assert format_percent(fraction, decimals) == babel(fraction * 100, decimals) + "\xa0%"


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=4, allow_nan=False))
def test_plain_numbers_as_babel_writes_them(value):
    expected = format_decimal(value, format="#,##0.##", locale="sv_SE")
    if expected == "-0":  # Babel writes a value that rounds to nothing as "-0"; we write "0"
        expected = "0"
    assert format_plain(value, 2) == expected


def test_the_figures_a_reader_sees():
    assert format_amount(Decimal(1234567)) == "1\xa0234\xa0567\xa0kr"
    assert format_amount(Decimal(1844500), "tkr") == "1\xa0844,5\xa0tkr"
    assert format_amount(Decimal(-240000), "tkr") == "-240\xa0tkr"
    assert format_amount(Decimal("-0.4")) == "0\xa0kr"
    assert format_percent(Decimal("0.854")) == "85,4\xa0%"
    assert format_plain(Decimal("38.50")) == "38,5"
    assert format_plain(Decimal(400000)) == "400\xa0000"
