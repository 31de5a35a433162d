"""FK's national follow-up of the year: the page, its workbook and the participants form."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from finsam.nav import nav
from followup.access import get_year_for_user
from followup.excel_national import national_workbook
from followup.models import InsatsDeltagare
from followup.national import national
from followup.selectors import follow_up
from followup.services_national import Count, participants_set

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COUNT_ERRORS = {
    "invalid": "Ange antalet som ett heltal.",
    "min_value": "Antalet kan inte vara negativt.",
    "max_value": "Ange högst 1 000 000.",
}


def _count_field(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, required=False, min_value=0, max_value=1_000_000, error_messages=COUNT_ERRORS
    )


class ParticipantsForm(forms.Form):
    """One insats's participants in the year; an empty total removes the count."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, name: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.name = name
        self.fields["total"] = _count_field(f"Deltagare i {name}")
        self.fields["women"] = _count_field("varav kvinnor")
        self.fields["men"] = _count_field("varav män")

    def clean(self):
        cleaned = super().clean()
        total, women, men = (cleaned.get(k) for k in ("total", "women", "men"))
        if total is None and (women is not None or men is not None):
            self.add_error("total", "Ange antalet deltagare.")
        elif total is not None and (women or 0) + (men or 0) > total:
            self.add_error("men", "Kvinnor och män kan tillsammans inte vara fler än deltagarna.")
        return cleaned

    def count(self) -> Count:
        d = self.cleaned_data
        return Count(d["version"], d.get("total"), d.get("women"), d.get("men"))


def _forms(data, forbund, year: int, names: list[str]) -> list[ParticipantsForm]:
    stored = {d.insats_name: d for d in InsatsDeltagare.objects.filter(forbund=forbund, year=year)}
    out = []
    for i, name in enumerate(names):
        row = stored.get(name)
        initial = {"version": row.lock_version if row else 0}
        if row is not None:
            initial.update(total=row.total, women=row.women, men=row.men)
        out.append(ParticipantsForm(data, prefix=f"i{i}", name=name, initial=initial))
    return out


@login_required
@nav("uppfoljning")
def national_page(request, slug: str, year: int):
    """The national follow-up's tables; the kansli enters the year's participants here."""
    access, plan = get_year_for_user(request, slug, year, need="view")
    follow = follow_up(plan)
    figures = national(follow)
    names = [i.name for i in figures.insatser]
    status = 200
    data = None
    if request.method == "POST":
        access, plan = get_year_for_user(request, slug, year, need="manage")
        data = request.POST
    participant_forms = _forms(data, access.forbund, year, names) if access.is_kansli else []
    if data is not None:
        status = 400
        if all([f.is_valid() for f in participant_forms]):
            try:
                changed = participants_set(
                    forbund=access.forbund,
                    year=year,
                    counts={f.name: f.count() for f in participant_forms},
                    names=set(names),
                    acting_user=request.user,
                )
            except ValidationError as error:
                status = 409
                for message in error.messages:
                    messages.error(request, message)
            else:
                messages.success(request, f"Deltagarna är sparade ({changed} ändrade).")
                return redirect(reverse("national_follow_up", args=[slug, year]))
    return render(
        request,
        "followup/national.html",
        {
            "access": access,
            "forbund": access.forbund,
            "plan": plan,
            "year": year,
            "unit": plan.amount_unit,
            "heading": f"Nationell uppföljning {year}",
            "n": figures,
            "participant_forms": participant_forms,
        },
        status=status,
    )


@login_required
def national_xlsx(request, slug: str, year: int):
    access, plan = get_year_for_user(request, slug, year, need="view")
    data = national_workbook(national(follow_up(plan)), forbund_name=access.forbund.name)
    response = HttpResponse(data, content_type=XLSX)
    name = f"nationell-uppfoljning-{access.forbund.slug}-{year}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
