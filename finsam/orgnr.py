"""Swedish organisationsnummer: ten digits, the last a Luhn check digit."""

from __future__ import annotations

import re

_PATTERN = re.compile(r"^(\d{6})-?(\d{4})$")


def luhn_check_digit(digits: str) -> int:
    """The Luhn check digit for nine digits."""
    total = 0
    for index, char in enumerate(digits):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return (10 - total % 10) % 10


def normalize_orgnr(value: str) -> str | None:
    """The number as "NNNNNN-NNNN" when it is valid, otherwise None."""
    match = _PATTERN.match(value.strip())
    if not match:
        return None
    digits = match.group(1) + match.group(2)
    if luhn_check_digit(digits[:9]) != int(digits[9]):
        return None
    return f"{digits[:6]}-{digits[6:]}"


def orgnr_digits(value: str) -> str:
    """An organisationsnummer's ten digits however it is written: with or without the hyphen,
    or with the century "16" some systems put before a juridisk person's number (else the
    digits as they are)."""
    digits = "".join(ch for ch in value if ch.isdigit())
    return digits[2:] if len(digits) == 12 and digits.startswith("16") else digits
