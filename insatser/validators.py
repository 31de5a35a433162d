"""Validation shared by the insatser's models and the mål models."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator

from insatser import rules

AGE_VALIDATORS = [
    MinValueValidator(0, "Ange en ålder mellan 0 och 120 år."),
    MaxValueValidator(120, "Ange en ålder mellan 0 och 120 år."),
]
PERCENT_VALIDATORS = [
    MinValueValidator(0, rules.PERCENT_MESSAGE),
    MaxValueValidator(100, rules.PERCENT_MESSAGE),
]

# Samordningsförbund exist since the law on finansiell samordning (2003:1210) took effect in
# 2004; 1990 still leaves room for the trials before it (Socsam, Frisam) that a plan may name
# as an insats's origin. No plan is made for a year past 2100. Outside these a date is a slip
# of the keyboard (0101 for 2027, 2207 for 2027), which would otherwise stand in the plan.
DATE_MIN = date(1990, 1, 1)
DATE_MAX = date(2100, 12, 31)
DATE_RANGE_MESSAGE = (
    f"Ange ett datum mellan {DATE_MIN.isoformat()} och {DATE_MAX.isoformat()}, t.ex. 2027-01-01."
)


def date_range_problems(instance, fields) -> dict[str, str]:
    """The fields of instance holding a date outside DATE_MIN–DATE_MAX, with the message."""
    return {
        name: DATE_RANGE_MESSAGE
        for name in fields
        if (value := getattr(instance, name)) is not None and not DATE_MIN <= value <= DATE_MAX
    }


def clean_fields_with(instance, exclude, clean_fields) -> None:
    """Django's field validation plus the model's own checks of one field against others.

    They raise beside the field, and skip a field in exclude: a field a ModelForm already
    refused is not judged a second time with a second message.
    """
    errors: dict = {}
    try:
        clean_fields(exclude)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    for field, message in instance._field_problems().items():
        if field not in (exclude or ()) and field not in errors:
            errors[field] = [message]
    if errors:
        raise ValidationError(errors)
