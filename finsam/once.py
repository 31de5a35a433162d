"""Creating something exactly once: a create form carries a one-time token, and saving it twice
(back and resubmit, a double click, two tabs) saves nothing the second time. A lost race on a
unique constraint (two people creating the same plan at once) answers with the form's own
message, never a server error."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from uuid import uuid4

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect

from finsam.models import SubmittedForm

ONCE = "engang"
ALREADY_SAVED_MESSAGE = "Formuläret var redan sparat; inget sparades en gång till."
T = TypeVar("T")


class AlreadySaved(Exception):
    """This very form was saved before; nothing was saved again."""


class CreateOnceMixin:
    """For a form that creates something: a hidden one-time token, new each time it is shown."""

    once_token = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[ONCE] = forms.CharField(
            widget=forms.HiddenInput, required=False, initial=uuid4().hex, max_length=32
        )

    def clean(self):
        cleaned = super().clean()
        # The token is the form's, not the object's: it never reaches a service.
        self.once_token = cleaned.pop(ONCE, "") or ""
        if self.once_token and SubmittedForm.objects.filter(token=self.once_token).exists():
            # Back and resubmit: the summary says so, whatever else the form finds.
            raise forms.ValidationError(ALREADY_SAVED_MESSAGE, code="already_saved")
        return cleaned


def save_once(form: forms.BaseForm, save: Callable[[], T]) -> T | None:
    """Run save() for a valid form at most once per token, in one transaction with the token.

    AlreadySaved when the token was used; None when a unique constraint was lost to someone
    saving at the same moment: the form is then validated again and its errors say why.
    """
    token = getattr(form, "once_token", "")
    try:
        with transaction.atomic():
            if token:
                SubmittedForm.objects.create(token=token)
            return save()
    except IntegrityError:
        if token and SubmittedForm.objects.filter(token=token).exists():
            raise AlreadySaved from None
        form.full_clean()  # sees the row the other saver committed: the form's own message
        if not form.errors:
            form.add_error(None, "Någon sparade samtidigt något som krockar; inget sparades.")
        return None


def save_form(
    request: HttpRequest,
    form: forms.BaseForm,
    save: Callable[[], T],
    *,
    done: Callable[[T], str],
    to: Callable[[T], str],
    already_to: str,
) -> HttpResponseRedirect | None:
    """The answer to a valid form that creates or changes one thing through a service: the
    page to(obj) with done(obj); already_to when this very form was saved before; None when the
    service refused (its message beside the field) or a lost race left the form with errors."""
    try:
        obj = save_once(form, save)
    except AlreadySaved:
        messages.info(request, ALREADY_SAVED_MESSAGE)
        return redirect(already_to)
    except ValidationError as error:
        form.add_error(None, error)
        return None
    if obj is None:
        return None
    messages.success(request, done(obj))
    return redirect(to(obj))
