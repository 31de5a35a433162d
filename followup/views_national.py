"""FK's national follow-up of the year: the page, its workbook and the participants form."""

from __future__ import annotations

import re

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from finsam import ratelimit
from finsam.nav import nav
from followup.access import get_year_for_user
from followup.compute import MONTH_NAMES
from followup.excel_national import national_workbook
from followup.models import InsatsDeltagare
from followup.national import national
from followup.selectors import follow_up
from followup.services_national import Count, participants_set
from plans.views_excel import xlsx_response

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
    # The insats the figures are for, as the page showed it: a form opened before a revision
    # changed the insatser lands on that insats (or is refused), never on its old position's.
    insats = forms.CharField(widget=forms.HiddenInput, max_length=200)

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


TWICE_MESSAGE = "En insats stod två gånger i formuläret. Inget sparades: ladda om sidan."
POSTED = re.compile(r"^i(\d{1,4})-insats$")


def _forms(data, forbund, year: int, names: list[str]) -> list[ParticipantsForm]:
    """A form per insats of the year; for a post, a form per insats the post names, each by
    the name it carries (participants_set refuses a name that is not one of the year's)."""
    stored = {d.insats_name: d for d in InsatsDeltagare.objects.filter(forbund=forbund, year=year)}
    if data is None:
        keyed = [(f"i{i}", name) for i, name in enumerate(names)]
    else:
        prefixes = sorted(int(m[1]) for key in data if (m := POSTED.match(key)))
        keyed = [(f"i{i}", data.get(f"i{i}-insats", "")) for i in prefixes]
    out = []
    for prefix, name in keyed:
        row = stored.get(name)
        initial = {"version": row.lock_version if row else 0, "insats": name}
        if row is not None:
            initial.update(total=row.total, women=row.women, men=row.men)
        out.append(ParticipantsForm(data, prefix=prefix, name=name, initial=initial))
    return out


def _error_links(participant_forms: list[ParticipantsForm]) -> list[tuple[str, str]]:
    """Each error of the forms as (the field's id, words) for the summary at the top."""
    out = []
    for form in participant_forms:
        for field, errors in form.errors.items():
            target = form[field].auto_id if field in form.fields else ""
            out.extend((target, f"{form.name}: {error}") for error in errors)
    return out


def _saved_message(changed: int) -> str:
    if changed == 0:
        return "Inget ändrades."
    if changed == 1:
        return "Deltagarna är sparade (1 insats ändrad)."
    return f"Deltagarna är sparade ({changed} insatser ändrade)."


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
                if len({f.name for f in participant_forms}) != len(participant_forms):
                    raise ValidationError(TWICE_MESSAGE)
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
                messages.success(request, _saved_message(changed))
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
            "month_name": MONTH_NAMES[figures.month - 1] if figures.month else "",
            "error_links": _error_links(participant_forms),
            "participant_forms": participant_forms,
        },
        status=status,
    )


@login_required
def national_xlsx(request, slug: str, year: int):
    access, plan = get_year_for_user(request, slug, year, need="view")
    if (answer := ratelimit.refused(request, "excel")) is not None:
        return answer
    data = national_workbook(national(follow_up(plan)), forbund_name=access.forbund.name)
    return xlsx_response(data, f"nationell-uppfoljning-{access.forbund.slug}-{year}.xlsx")
