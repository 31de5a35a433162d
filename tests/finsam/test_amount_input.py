"""Amounts typed in Swedish style: what is refused, and why, beside the field."""

from __future__ import annotations

from decimal import Decimal

import pytest

from finsam.money import UNIT_KR, UNIT_TKR, AmountError, parse_amount


@pytest.mark.parametrize("unit", [UNIT_KR, UNIT_TKR])
@pytest.mark.parametrize("digits", [13, 26, 40])
def test_an_amount_of_many_digits_is_refused_as_too_large(unit, digits):
    with pytest.raises(AmountError, match="orimligt stort"):
        parse_amount("9" * digits, unit)


@pytest.mark.parametrize("text", ["1.500", "1.5", "4.800,5", "1.234.567"])
def test_a_point_is_refused_as_ambiguous_and_the_message_says_how_to_write_it(text):
    with pytest.raises(AmountError, match="komma"):
        parse_amount(text, UNIT_TKR)


def test_comma_decimals_in_tkr_and_spaces_between_thousands_are_read():
    assert parse_amount("1 844,5", UNIT_TKR) == Decimal(1_844_500)
    assert parse_amount("1\xa0500", UNIT_KR) == Decimal(1_500)
