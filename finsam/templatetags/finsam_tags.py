"""Template filters for Swedish amounts; builtins, so every template has them."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

from finsam.money import UNIT_KR, format_amount, format_number, format_percent

register = template.Library()


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None


@register.filter
def belopp(value, unit: str = UNIT_KR) -> str:
    """An amount in the unit, without the unit's name: for table cells."""
    number = _decimal(value)
    return "" if number is None else format_number(number, unit or UNIT_KR)


@register.filter
def belopp_enhet(value, unit: str = UNIT_KR) -> str:
    """An amount with its unit: "1 234 567 kr"."""
    number = _decimal(value)
    return "" if number is None else format_amount(number, unit or UNIT_KR)


@register.filter
def procent(value, decimals: int = 1) -> str:
    """A fraction as a Swedish percentage: 0.854 → "85,4 %"."""
    number = _decimal(value)
    return "" if number is None else format_percent(number, int(decimals))


@register.filter
def attr(obj, name: str):
    """An attribute by name, for tables whose rows are listed in the view."""
    return getattr(obj, name, None)


@register.filter
def get_item(mapping, key):
    """A dictionary value by key in a template."""
    return mapping.get(key) if mapping else None


@register.filter
def person(user) -> str:
    """A user's full name, else the username; "systemet" when nobody (a loader or a task)."""
    if user is None:
        return "systemet"
    return user.get_full_name() or user.username


@register.filter
def arsspann(first, last) -> str:
    """Years from first to last as Swedish text: "2025–2026", or "2025" when they are one."""
    return str(first) if str(first) == str(last) else f"{first}–{last}"
