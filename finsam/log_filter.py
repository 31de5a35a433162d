"""The förbund's log, filtered by plan, person and kind of thing changed (?plan=12&vem=3&vad=
budgets.budgetline). The choices are what the förbund's own log holds, so nothing of another
förbund can be named; a value not among them is refused with the form's message and filters
nothing."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.db import models

from finsam.models import AuditEvent, Forbund


def _person(user) -> str:
    return user.get_full_name() or user.username


def _kind_label(object_type: str) -> str:
    # The event names its model by label; the registry finds it without finsam importing the app.
    try:
        name = str(django_apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type
    return name[:1].upper() + name[1:]


class LogFilterForm(forms.Form):
    plan = forms.TypedChoiceField(label="Plan", required=False, coerce=int, empty_value=None)
    vem = forms.TypedChoiceField(label="Vem", required=False, coerce=int, empty_value=None)
    vad = forms.ChoiceField(label="Vad ändrades", required=False)

    def __init__(self, data, *, forbund: Forbund):
        super().__init__(data)
        events = AuditEvent.objects.filter(forbund=forbund).order_by()
        plan_model = django_apps.get_model("plans", "Plan")
        plans = plan_model.objects.filter(forbund=forbund).order_by("-budget_year", "-version")
        people = (
            get_user_model()
            .objects.filter(pk__in=events.exclude(actor=None).values("actor"))
            .order_by("first_name", "last_name", "username")
        )
        kinds = sorted(
            (_kind_label(kind), kind)
            for kind in events.values_list("object_type", flat=True).distinct()
        )
        everything = [("", "Alla")]
        self.fields["plan"].choices = everything + [(p.pk, p.title) for p in plans]
        self.fields["vem"].choices = everything + [(u.pk, _person(u)) for u in people]
        self.fields["vad"].choices = everything + [(kind, label) for label, kind in kinds]

    def filter(self, events: models.QuerySet) -> models.QuerySet:
        """The events the valid choices ask for; all of them when the form is not valid."""
        if not self.is_bound or not self.is_valid():
            return events
        wanted = self.cleaned_data
        if wanted["plan"] is not None:
            events = events.filter(scope=f"plan:{wanted['plan']}")
        if wanted["vem"] is not None:
            events = events.filter(actor_id=wanted["vem"])
        if wanted["vad"]:
            events = events.filter(object_type=wanted["vad"])
        return events

    def query(self) -> str:
        """The chosen filters as a query string, for the pager's links."""
        if not self.is_bound or not self.is_valid():
            return ""
        return urlencode({name: self.data[name] for name in self.fields if self.data.get(name)})
