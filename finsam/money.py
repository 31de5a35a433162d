"""Swedish formatting of amounts in kronor: "1 234 567 kr", "1 844,5 tkr".

Pure functions over Decimal, with no Django in them, so that views, the PDF, the Excel export,
the CLI and the plan checks all format an amount the same way: a no-break space between
thousands and a comma before decimals, as Babel's Swedish locale writes them. The formatting is
Python's own (about twenty times faster than Babel's pattern engine, which a page of thousands
of figures felt); tests/finsam/test_money_format.py holds it to Babel's output.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

LOCALE = "sv_SE"
UNIT_KR = "kr"
UNIT_TKR = "tkr"
UNITS = (UNIT_KR, UNIT_TKR)
THOUSAND = Decimal(1000)


_QUANTA = {d: Decimal(1).scaleb(-d) for d in range(10)}
# Python writes "1,234,567.5"; Swedish is "1 234 567,5" with a no-break space.
_SWEDISH = str.maketrans({",": "\xa0", ".": ","})


def _grouped(value: Decimal, decimals: int) -> str:
    return format(value, f",.{decimals}f").translate(_SWEDISH)


def _fmt(value: Decimal, decimals: int) -> str:
    """value rounded half up to `decimals` places, in Swedish style; never "-0"."""
    rounded = Decimal(value).quantize(_QUANTA[decimals], rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)
    return _grouped(rounded, decimals)


def format_plain(value: Decimal, max_decimals: int = 2) -> str:
    """A number with at most `max_decimals` decimals and none it does not need, rounded half to
    even ("400 000", "38,5"): Babel's pattern "#,##0.##"."""
    rounded = Decimal(value).quantize(_QUANTA[max_decimals], rounding=ROUND_HALF_EVEN)
    if rounded == 0:
        rounded = abs(rounded)
    text = _grouped(rounded, max_decimals)
    return text.rstrip("0").rstrip(",") if max_decimals else text


def format_number(value: Decimal, unit: str = UNIT_KR) -> str:
    """The amount in the given unit without the unit's name, as in a table column.

    kr: whole kronor. tkr: thousands with only the decimals the amount needs ("1 844,5" beside
    "3 689", "14 985,25"), so that a column of parts shown in tkr still adds up to its total
    shown in tkr; a fraction of a krona is rounded away.
    """
    value = Decimal(value)
    if unit == UNIT_TKR:
        kronor = value.quantize(Decimal(1), rounding=ROUND_HALF_UP)
        thousands = kronor / THOUSAND
        decimals = 0
        while decimals < 3 and thousands != thousands.quantize(Decimal(1).scaleb(-decimals)):
            decimals += 1
        return _fmt(thousands, decimals)
    if unit != UNIT_KR:
        raise ValueError(f"okänd enhet: {unit}")
    return _fmt(value, 0)


def format_amount(value: Decimal, unit: str = UNIT_KR) -> str:
    """The amount with its unit: "1 234 567 kr" or "1 844,5 tkr"."""
    return f"{format_number(value, unit)}\xa0{unit}"


def format_kr(value: Decimal) -> str:
    """The amount in whole kronor: "1 234 567 kr"."""
    return format_amount(value, UNIT_KR)


def format_percent(fraction: Decimal, decimals: int = 1) -> str:
    """A fraction (0.854) as a Swedish percentage: "85,4 %"."""
    return f"{_fmt(Decimal(fraction) * 100, decimals)}\xa0%"


# The largest amount anywhere, in kronor: no förbund budgets a thousand billion; more is a typo.
MAX_KR = 10**12 - 1


class AmountError(ValueError):
    """Text that is not an amount; the message is Swedish, for the field it came from."""


# The units a typed amount may end with, in kronor each: what people write after a figure in a
# budget or a spreadsheet ("12 000 kr", "12 tkr", "12 kkr", "12 000:-").
_TYPED_UNITS = {
    "kr": Decimal(1),
    "kronor": Decimal(1),
    "sek": Decimal(1),
    ":-": Decimal(1),
    "tkr": THOUSAND,
    "kkr": THOUSAND,
}
# The figure and what follows it: the unit is whatever trails the last digit, comma or point.
_FIGURE_AND_UNIT = re.compile(r"^(?P<figure>.*?)\s*(?P<unit>:-|[^\d\s,.:-]*)$", re.S)
_EXAMPLE = {UNIT_KR: "1 234 567", UNIT_TKR: "1 234,5"}


def amount_example(unit: str = UNIT_KR) -> str:
    """An amount as a person writes it in the unit, for a message: "t.ex. 1 234,5" in tkr."""
    return f"t.ex. {_EXAMPLE[unit]}"


def parse_amount(text: str, unit: str = UNIT_KR, *, allow_negative: bool = False) -> Decimal:
    """An amount typed in Swedish style in the given unit, as whole kronor.

    Accepts "1 234 567", "1234567", "1 844,5" (tkr) and a no-break or thin space between
    thousands, and a unit after the figure in any case, which then says the figure's unit
    whatever the field's: "12 tkr" and "12 kkr" are 12 000 kr, "12 000 kr" and "12 000:-" are
    12 000 kr, in a kr field as in a tkr one. Refuses letters, any other unit, more decimals
    than whole kronor allow, negatives (unless allowed) and amounts of 10^12 kr or more; each
    message gives its example in the field's unit, the one the person is writing in.
    """
    example = amount_example(unit)
    stripped = str(text).strip().replace("\xa0", " ").replace("\u202f", " ")
    match = _FIGURE_AND_UNIT.match(stripped)
    figure, typed = match["figure"], match["unit"]
    if typed and not any(c.isdigit() for c in figure):
        raise AmountError(f"Ange beloppet med siffror, {example}.")
    if typed:
        scale = _TYPED_UNITS.get(typed.lower())
        if scale is None:
            raise AmountError(
                f"Ange beloppet med siffror i {unit}, {example}; ”{typed[:20]}” kan inte läsas "
                "som enhet (skriv kr eller tkr efter beloppet)."
            )
    else:
        scale = THOUSAND if unit == UNIT_TKR else Decimal(1)
    cleaned = figure.replace(" ", "").replace("−", "-")
    if "." in cleaned:
        # "1.500" is 1,5 in some habits and 1 500 in others: say so rather than guess.
        how = (
            "decimaler med komma och tusental med mellanrum"
            if unit == UNIT_TKR
            else "tusental med mellanrum, inte punkt"
        )
        raise AmountError(f"Skriv {how}, {example}; en punkt kan läsas på två sätt.")
    cleaned = cleaned.replace(",", ".")
    if cleaned in ("", "-", ".", "-."):
        raise AmountError("Ange ett belopp.")
    if (
        not all(c in "0123456789.-" for c in cleaned)
        or cleaned.count(".") > 1
        or "-" in cleaned[1:]
    ):
        raise AmountError(f"Ange beloppet med siffror, {example}.")
    value = Decimal(cleaned) * scale
    if abs(value) > MAX_KR:  # before rounding: a 30-digit figure is beyond Decimal's precision
        limit = "1 000 000 000 tkr" if unit == UNIT_TKR else "1 000 miljarder kr"
        raise AmountError(f"Beloppet är orimligt stort ({limit} eller mer).")
    if value != value.to_integral_value():
        if scale == THOUSAND:
            also = f"i tkr, {example}" if unit == UNIT_TKR else f"i tkr, eller i kr, {example}"
            raise AmountError(f"Ange beloppet i hela kronor: högst tre decimaler {also}.")
        raise AmountError(f"Ange beloppet i hela kronor, utan ören, {example}.")
    value = value.quantize(Decimal(1))
    if value < 0 and not allow_negative:
        raise AmountError("Beloppet kan inte vara negativt.")
    return value


def input_value(value: Decimal | None, unit: str = UNIT_KR) -> str:
    """An amount as it is shown in an input field in the unit, grouped as a computed figure is
    shown beside it: "1 844,5" for tkr, "1 234 567" for kr (no-break spaces).

    parse_amount reads it back as the same amount, so a field sent back untouched changes nothing.
    """
    if value is None:
        return ""
    return format_number(Decimal(value), unit)


def format_typed_percent(percent: Decimal) -> str:
    """A percentage as the kansli typed it (20, 11.6, 5.25): "20 %", "11,6 %", "5,25 %"."""
    percent = Decimal(percent)
    decimals = 0
    while decimals < 2 and percent != percent.quantize(Decimal(1).scaleb(-decimals)):
        decimals += 1
    return format_percent(percent / 100, decimals)
