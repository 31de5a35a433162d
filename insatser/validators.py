"""Validation shared by the insatser's models and the mål models."""

from __future__ import annotations

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
