"""Form fields for amounts typed in the förbund's unit, Swedish style, stored as whole kronor."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from finsam.money import UNIT_KR, AmountError, input_value, parse_amount


class AmountInput(forms.TextInput):
    """A text box for an amount: numeric keyboard on phones, right-aligned figures."""

    def __init__(self, attrs=None):
        base = {"inputmode": "decimal", "class": "amount", "autocomplete": "off"}
        super().__init__({**base, **(attrs or {})})


class AmountField(forms.Field):
    """An amount in kr or tkr as the förbund shows it; cleaned to whole kronor (Decimal)."""

    widget = AmountInput

    def __init__(self, *, unit: str = UNIT_KR, allow_negative: bool = False, **kwargs):
        self.unit = unit
        self.allow_negative = allow_negative
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, Decimal | int):
            return input_value(Decimal(value), self.unit)
        if hasattr(value, "amount"):  # django-money's Money
            return input_value(value.amount, self.unit)
        return value

    def to_python(self, value) -> Decimal | None:
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, Decimal):
            return value
        try:
            return parse_amount(str(value), self.unit, allow_negative=self.allow_negative)
        except AmountError as error:
            raise ValidationError(str(error), code="amount") from error


# The largest id a database holds (64 bits); SQLite raises OverflowError past it.
MAX_ID = 2**63 - 1


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's multiple choice of objects, refusing an id past what the database holds as an
    invalid choice (SQLite raises OverflowError on it in the lookup)."""

    def clean(self, value):
        for item in value or []:
            try:
                too_large = abs(int(item)) > MAX_ID
            except (TypeError, ValueError):
                continue
            if too_large:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": item},
                )
        return super().clean(value)


class DecimalField(forms.DecimalField):
    """A decimal number typed Swedish style: "4,5" (a point is read as a decimal sign too, as
    in "4.5"; a percentage or a fördelningstal has no thousands to group), spaces and a trailing
    "%" ignored. Shown with a decimal comma in a text box, never a browser number box, whose
    reading of a comma depends on the browser's language."""

    def __init__(self, **kwargs):
        kwargs.setdefault("localize", True)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("\u00a0", "").replace(" ", "").removesuffix("%")
            if value.count(",") == 0 and value.count(".") == 1:
                value = value.replace(".", ",")
        return super().to_python(value)
