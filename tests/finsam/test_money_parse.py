"""One reading of a typed amount for the grid, the forms and the Excel import: a unit after the
figure says its unit, any other is explained in the field's unit, and an amount shown in a field
reads back as itself."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from finsam.fields import AmountField
from finsam.money import MAX_KR, UNIT_KR, UNIT_TKR, AmountError, input_value, parse_amount

# (typed, kronor in a kr field, kronor in a tkr field)
READ = [
    ("2 500", 2_500, 2_500_000),
    ("2\xa0500", 2_500, 2_500_000),
    ("12 tkr", 12_000, 12_000),
    ("12tkr", 12_000, 12_000),
    ("12 TKR", 12_000, 12_000),
    ("12 Tkr", 12_000, 12_000),
    ("12 kkr", 12_000, 12_000),
    ("2,5 tkr", 2_500, 2_500),
    ("1 844,5 tkr", 1_844_500, 1_844_500),
    ("12 000 kr", 12_000, 12_000),
    ("12 000kr", 12_000, 12_000),
    ("12 000 KR", 12_000, 12_000),
    ("12 000:-", 12_000, 12_000),
    ("12 000 :-", 12_000, 12_000),
    ("6 072 000 SEK", 6_072_000, 6_072_000),
]


@pytest.mark.parametrize(("typed", "in_kr", "in_tkr"), READ)
def test_a_unit_after_the_figure_says_its_unit_in_either_field(typed, in_kr, in_tkr):
    assert parse_amount(typed, UNIT_KR) == Decimal(in_kr)
    assert parse_amount(typed, UNIT_TKR) == Decimal(in_tkr)


# (typed, field's unit, what the message says)
REFUSED = [
    # A sign and a decimal comma and nothing else was a 500 in every amount field.
    ("-,", UNIT_KR, "Ange ett belopp."),
    ("-, tkr", UNIT_TKR, "Ange beloppet med siffror"),
    ("12 mkr", UNIT_KR, "Ange beloppet med siffror i kr, t.ex. 1 234 567; ”mkr”"),
    ("12 mkr", UNIT_TKR, "Ange beloppet med siffror i tkr, t.ex. 1 234,5; ”mkr”"),
    ("12 €", UNIT_KR, "i kr, t.ex. 1 234 567; ”€” kan inte läsas som enhet"),
    ("12 €", UNIT_TKR, "i tkr, t.ex. 1 234,5; ”€” kan inte läsas som enhet"),
    ("12a", UNIT_TKR, "Ange beloppet med siffror i tkr, t.ex. 1 234,5"),
    ("kanske", UNIT_KR, "Ange beloppet med siffror, t.ex. 1 234 567."),
    ("kanske", UNIT_TKR, "Ange beloppet med siffror, t.ex. 1 234,5."),
    ("1a2", UNIT_TKR, "Ange beloppet med siffror, t.ex. 1 234,5."),
    ("1.500", UNIT_KR, "Skriv tusental med mellanrum, inte punkt, t.ex. 1 234 567;"),
    ("1.500", UNIT_TKR, "Skriv decimaler med komma och tusental med mellanrum, t.ex. 1 234,5;"),
    ("12,5", UNIT_KR, "Ange beloppet i hela kronor, utan ören, t.ex. 1 234 567."),
    ("12,5 kr", UNIT_TKR, "Ange beloppet i hela kronor, utan ören, t.ex. 1 234,5."),
    ("1,2345", UNIT_TKR, "högst tre decimaler i tkr, t.ex. 1 234,5."),
    ("1,2345 tkr", UNIT_KR, "högst tre decimaler i tkr, eller i kr, t.ex. 1 234 567."),
    ("9" * 13, UNIT_KR, "orimligt stort (1 000 miljarder kr eller mer)"),
    ("9" * 13, UNIT_TKR, "orimligt stort (1 000 000 000 tkr eller mer)"),
    ("1 000 000 000 tkr", UNIT_KR, "orimligt stort"),
    ("-5 tkr", UNIT_TKR, "Beloppet kan inte vara negativt."),
    ("tkr", UNIT_TKR, "Ange beloppet med siffror, t.ex. 1 234,5."),
]


@pytest.mark.parametrize(("typed", "unit", "message"), REFUSED)
def test_what_cannot_be_read_is_explained_with_an_example_in_the_fields_unit(typed, unit, message):
    with pytest.raises(AmountError) as refused:
        parse_amount(typed, unit)
    assert message in str(refused.value)


def test_a_negative_amount_with_a_unit_is_read_where_negatives_are_allowed():
    assert parse_amount("−1 500 kr", UNIT_TKR, allow_negative=True) == Decimal(-1_500)
    assert parse_amount("-2 tkr", UNIT_KR, allow_negative=True) == Decimal(-2_000)


@pytest.mark.parametrize(
    ("kronor", "unit", "shown"),
    [
        (6_072_000, UNIT_KR, "6\xa0072\xa0000"),
        (500, UNIT_KR, "500"),
        (0, UNIT_KR, "0"),
        (1_844_500, UNIT_TKR, "1\xa0844,5"),
        (6_072_000, UNIT_TKR, "6\xa0072"),
        (1_234_567, UNIT_TKR, "1\xa0234,567"),
    ],
)
def test_an_amount_field_shows_its_amount_grouped_as_a_computed_figure(kronor, unit, shown):
    field = AmountField(unit=unit)
    assert field.prepare_value(Decimal(kronor)) == shown
    html = field.widget.render("belopp", field.prepare_value(Decimal(kronor)))
    assert f'value="{shown}"' in html
    assert not field.has_changed(Decimal(kronor), shown)  # sent back untouched: no change


@given(
    kronor=st.integers(min_value=-MAX_KR, max_value=MAX_KR),
    unit=st.sampled_from([UNIT_KR, UNIT_TKR]),
)
def test_every_amount_shown_in_a_field_reads_back_as_itself(kronor, unit):
    shown = input_value(Decimal(kronor), unit)
    assert parse_amount(shown, unit, allow_negative=True) == kronor
    assert parse_amount(shown.replace("\xa0", " "), unit, allow_negative=True) == kronor
