"""Saving a form so that no figure is lost or silently changed.

- Once: a form carries a one-time token; saving it twice (back and resubmit, a double click,
  two tabs) saves nothing the second time.
- No silent overwrite: a form of something people edit (finsam.models.Versioned) carries the
  version it was shown; if a colleague saved since, nothing is saved and the page shows their
  value beside yours (finsam.audit.EditConflict). Sending again keeps yours.
- Only what the user changed is sent to the service (SafeFormMixin.changes), so a stale form
  never reverts a field the user did not touch.
- A lost race on a unique constraint answers with the form's own message, never a server error.
"""

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

from finsam.audit import VERSION, EditConflict
from finsam.fields import MAX_ID
from finsam.models import SubmittedForm

ONCE = "engang"
ALREADY_SAVED_MESSAGE = "Formuläret var redan sparat; inget sparades en gång till."
UNREADABLE_MESSAGE = (
    "Formuläret kunde inte läsas (ett dolt fält hade ett ogiltigt värde); inget sparades. "
    "Ladda om sidan och försök igen."
)
T = TypeVar("T")


class AlreadySaved(Exception):
    """This very form was saved before; nothing was saved again."""


class SafeFormMixin:
    """A form that creates or changes one thing: a hidden one-time token, new each time it is
    shown, and for a Versioned object the version it was shown at."""

    once_token = ""
    conflict: EditConflict | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[ONCE] = forms.CharField(
            widget=forms.HiddenInput, required=False, initial=uuid4().hex, max_length=32
        )
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk and hasattr(instance, VERSION):
            self.fields[VERSION] = forms.IntegerField(
                widget=forms.HiddenInput,
                required=False,
                initial=getattr(instance, VERSION),
                min_value=1,
                max_value=MAX_ID,
            )

    def changes(self) -> dict:
        """What the user changed, with the version they saw: what a service should save."""
        data = {
            name: self.cleaned_data[name]
            for name in self.changed_data
            if name in self.cleaned_data and name not in (ONCE, VERSION)
        }
        if self.cleaned_data.get(VERSION) is not None:
            data[VERSION] = self.cleaned_data[VERSION]
        return data

    def show_conflict(self, conflict: EditConflict) -> None:
        """Keep the user's values on the page, beside theirs; sending again keeps the user's."""
        self.conflict = conflict
        self.add_error(None, conflict.messages[0])
        if conflict.version is not None and VERSION in self.fields:
            self.data = self.data.copy()
            self.data[self.add_prefix(VERSION)] = str(conflict.version)

    def clean(self):
        cleaned = super().clean()
        # A hidden field (the token, the version, a choice the page's script makes) shows no
        # message of its own: one above the form says what happened instead.
        hidden = [n for n in self.errors if n in self.fields and self.fields[n].widget.is_hidden]
        if hidden:
            for name in hidden:
                del self.errors[name]
            self.add_error(None, forms.ValidationError(UNREADABLE_MESSAGE, code="hidden_field"))
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
    except EditConflict as conflict:
        form.show_conflict(conflict)
        return None
    except ValidationError as error:
        form.add_error(None, error)
        return None
    if obj is None:
        return None
    messages.success(request, done(obj))
    return redirect(to(obj))
