"""Swedish formatting of amounts in kronor: "1 234 567 kr", "1 844,5 tkr".

Pure functions over Decimal, with no Django in them, so that views, the PDF, the Excel export,
the CLI and the plan checks all format an amount the same way: a no-break space between
thousands and a comma before decimals, as Babel's Swedish locale writes them. The formatting is
Python's own (about twenty times faster than Babel's pattern engine, which a page of thousands
of figures felt); tests/finsam/test_money_format.py holds it to Babel's output.
"""

from __future__ import annotations

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


def parse_amount(text: str, unit: str = UNIT_KR, *, allow_negative: bool = False) -> Decimal:
    """An amount typed in Swedish style in the given unit, as whole kronor.

    Accepts "1 234 567", "1234567", "1 844,5" (tkr) and a no-break or thin space between
    thousands. Refuses letters, more decimals than whole kronor allow, negatives (unless allowed)
    and amounts of 10^12 kr or more.
    """
    cleaned = (
        str(text)
        .strip()
        .replace("\xa0", "")
        .replace("\u202f", "")
        .replace(" ", "")
        .replace("−", "-")
    )
    if cleaned.endswith(unit):
        cleaned = cleaned[: -len(unit)]
    if "." in cleaned:
        # "1.500" is 1,5 in some habits and 1 500 in others: say so rather than guess.
        raise AmountError(
            "Skriv decimaler med komma (1,5) och tusental utan punkt (1 500); "
            "en punkt kan läsas på två sätt."
        )
    cleaned = cleaned.replace(",", ".")
    if cleaned in ("", "-", "."):
        raise AmountError("Ange ett belopp.")
    if (
        not all(c in "0123456789.-" for c in cleaned)
        or cleaned.count(".") > 1
        or "-" in cleaned[1:]
    ):
        raise AmountError("Ange beloppet med siffror, t.ex. 1 234 567.")
    value = Decimal(cleaned)
    if unit == UNIT_TKR:
        value = value * THOUSAND
    if abs(value) > MAX_KR:  # before rounding: a 30-digit figure is beyond Decimal's precision
        raise AmountError("Beloppet är orimligt stort (1 000 miljarder kr eller mer).")
    if value != value.to_integral_value():
        if unit == UNIT_TKR:
            raise AmountError("Ange beloppet i hela kronor: högst tre decimaler i tkr.")
        raise AmountError("Ange beloppet i hela kronor, utan ören.")
    value = value.quantize(Decimal(1))
    if value < 0 and not allow_negative:
        raise AmountError("Beloppet kan inte vara negativt.")
    return value


def input_value(value: Decimal | None, unit: str = UNIT_KR) -> str:
    """An amount as it is shown in an input field in the unit: "1844,5" for tkr, "1234567" for kr.

    Without thousands separators, so that editing a figure never trips over spaces.
    """
    if value is None:
        return ""
    value = Decimal(value)
    if unit == UNIT_TKR:
        text = format(value / THOUSAND, "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text.replace(".", ",")
    return format(value.quantize(Decimal(1)), "f")


def format_typed_percent(percent: Decimal) -> str:
    """A percentage as the kansli typed it (20, 11.6, 5.25): "20 %", "11,6 %", "5,25 %"."""
    percent = Decimal(percent)
    decimals = 0
    while decimals < 2 and percent != percent.quantize(Decimal(1).scaleb(-decimals)):
        decimals += 1
    return format_percent(percent / 100, decimals)
