"""Two people editing the same thing: the later save from an older page changes nothing and
shows the conflict (their value, yours, who); sending again keeps yours. A form sends only what
its user changed, so it never reverts a colleague's field the user did not touch."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from budgets import services as budget_services
from budgets.models import BudgetAmount, BudgetLine
from finsam import services as finsam_services
from finsam.models import Fordelningstal, Medlem
from insatser import services as insats_services
from insatser import services_mal
from insatser.models_mal import Indikator, Mal
from plans import services as plan_services
from plans.models import Plan, Section
from tests import factories
from tests.helpers import editor_url, form_values, grid_post, insats_post, url

pytestmark = pytest.mark.django_db

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def _section_post(client, url) -> dict:
    form = client.get(url).context["form"]
    return {name: form[name].value() or "" for name in form.fields}


def test_a_stale_section_form_shows_the_conflict_and_saves_nothing(personas, world):
    plan, section = world["plan_a"], world["section_a"]
    url = reverse("section_edit", args=[plan.forbund.slug, plan.pk, section.pk])
    mine = _section_post(personas["kansli_a"], url)
    colleague = Client()
    colleague.force_login(
        factories.kansli(
            plan.forbund, user=factories.UserFactory(first_name="Karin", last_name="Lund")
        ).user
    )
    theirs = dict(_section_post(colleague, url), body="Kollegans text.")
    with time_machine.travel(datetime(2026, 11, 5, 14, 30, tzinfo=STOCKHOLM), tick=False):
        assert colleague.post(url, theirs).status_code == 302  # a colleague saves first
    stale = dict(mine, body="Min text.")
    page = personas["kansli_a"].post(url, stale)
    html = page.content.decode()
    assert page.status_code == 400
    assert "Karin Lund ändrade detta 5 november 2026 14:30, efter att du öppnade sidan." in html
    assert "Kollegans text." in html and "Min text." in html
    assert Section.objects.get(pk=section.pk).body == "<p>Kollegans text.</p>"
    # Sending the same form again (it now carries the newer version) keeps mine.
    again = page.context["form"]
    resend = {name: again[name].value() or "" for name in again.fields}
    resend["body"] = "Min text."
    assert personas["kansli_a"].post(url, resend).status_code == 302
    assert Section.objects.get(pk=section.pk).body == "<p>Min text.</p>"


def test_a_stale_insats_form_does_not_revert_a_colleagues_change(personas, world):
    plan, insats = world["plan_a"], world["insats_a"]
    url = reverse("insats_edit", args=[plan.forbund.slug, plan.pk, insats.pk])
    version = personas["kansli_a"].get(url).context["form"]["lock_version"].value()
    # A colleague renames the insats; our page, opened before, changes only the description.
    from insatser import services as insats_services

    insats_services.insats_save(insats=insats, acting_user=None, data={"name": "Nytt namn"})
    stale = insats_post(plan, name="Finsam-team", description="Ny beskrivning")
    stale.update(lock_version=str(version), engang="")
    page = personas["kansli_a"].post(url, stale)
    assert page.status_code == 400
    assert "efter att du öppnade sidan" in page.content.decode()
    description_before = insats.description
    insats.refresh_from_db()
    assert (insats.name, insats.description) == ("Nytt namn", description_before)


def test_a_stale_budget_cell_is_a_conflict_not_an_overwrite(personas, world):
    plan, line = world["plan_a"], world["line_a"]
    stale = grid_post(plan, {f"a-{line.pk}-2027-budget": "600"})
    budget_services.budget_figures_set(
        plan=plan, acting_user=None, amounts={(line.pk, 2027, "budget"): Decimal(900)}
    )
    page = personas["kansli_a"].post(editor_url(plan), stale)
    html = page.content.decode()
    assert page.status_code == 400
    assert "efter att du öppnade sidan" in html
    assert BudgetAmount.objects.get(line=line, year=2027).amount.amount == 900
    # The page keeps 600 in the cell and now knows 900 is stored: sending again keeps 600.
    resend = grid_post(plan, {f"a-{line.pk}-2027-budget": "600"})
    personas["kansli_a"].post(editor_url(plan), resend)
    assert BudgetAmount.objects.get(line=line, year=2027).amount.amount == 600


def _conflict_row(html: str, label: str) -> tuple[str, str] | None:
    """(saved now, yours) of a field in the conflict's comparison."""
    found = re.search(
        rf'<th scope="row">{re.escape(label)}</th><td>([^<]*)</td><td>([^<]*)</td>', html
    )
    return (
        (found.group(1).replace("\xa0", " "), found.group(2).replace("\xa0", " "))
        if found
        else None
    )


def _stale_then_again(client, page, change: dict, colleague, unchanged) -> str:
    """Open the page, let a colleague save, send my change from the page as it was: a visible
    conflict (returned) and unchanged() holds; then send the conflict page's form again: it is
    saved."""
    mine = form_values(client.get(page).content.decode())
    colleague()
    answer = client.post(page, {**mine, **change})
    html = answer.content.decode()
    assert answer.status_code in (200, 400)
    assert "efter att du öppnade sidan" in html
    unchanged()
    assert client.post(page, form_values(html)).status_code == 302
    return html


def test_the_insats_page_carries_the_version_it_shows(personas, world):
    plan, insats = world["plan_a"], world["insats_a"]
    page = url("insats_edit", plan, insats.pk)
    mine = form_values(personas["kansli_a"].get(page).content.decode())
    insats_services.insats_save(insats=insats, acting_user=None, data={"description": "Deras."})
    answer = personas["kansli_a"].post(page, {**mine, "description": "Min."})
    assert "efter att du öppnade sidan" in answer.content.decode()
    insats.refresh_from_db()
    assert insats.description == "Deras."


def test_a_colleagues_money_on_an_insats_is_shown_in_the_conflict_not_overwritten(personas, world):
    plan, insats = world["plan_a"], world["insats_a"]
    page = url("insats_edit", plan, insats.pk)
    granted = BudgetAmount.objects.filter(line__insats=insats, year=2027, column="budget")

    def colleague():
        insats_services.insats_save(
            insats=insats,
            acting_user=None,
            money={2027: insats_services.YearMoney(beviljat=Decimal(90_000))},
        )

    def saved_before_resend():
        assert granted.get().amount.amount == 90_000
        insats.refresh_from_db()
        assert insats.description != "Min."

    html = _stale_then_again(
        personas["kansli_a"], page, {"description": "Min."}, colleague, saved_before_resend
    )
    assert _conflict_row(html, "Beviljat 2027") == ("90 000 kr", "0 kr")
    # Sent again from the page that showed both, the form keeps what it shows.
    insats.refresh_from_db()
    assert (insats.description, granted.get().amount.amount) == ("Min.", 0)


def test_money_set_in_the_budget_editor_is_shown_in_the_insats_forms_conflict(personas, world):
    """The insats's granted amount is its budget line's amount: a colleague who changes it in
    the budget editor makes an insats form opened before it stale."""
    plan, insats = world["plan_a"], world["insats_a"]
    page = url("insats_edit", plan, insats.pk)
    line = BudgetLine.objects.get(insats=insats)
    granted = BudgetAmount.objects.filter(line=line, year=2027, column="budget")

    def colleague():
        budget_services.budget_figures_set(
            plan=plan, acting_user=None, amounts={(line.pk, 2027, "budget"): Decimal(90_000)}
        )

    def saved_before_resend():
        assert granted.get().amount.amount == 90_000
        insats.refresh_from_db()
        assert insats.description != "Min."

    html = _stale_then_again(
        personas["kansli_a"], page, {"description": "Min."}, colleague, saved_before_resend
    )
    assert _conflict_row(html, "Beviljat 2027") == ("90 000 kr", "0 kr")


def test_a_colleagues_fordelningstal_is_shown_in_the_conflict_not_overwritten(personas, world):
    medlem = world["medlem_a"]
    row = Fordelningstal.objects.create(medlem=medlem, year=2027, invanare=5000)
    page = reverse("medlem_edit", args=[medlem.forbund.slug, medlem.pk])

    def colleague():
        row.invanare = 6000
        finsam_services.medlem_save(medlem=medlem, acting_user=None, fordelningstal=[row])

    def saved_before_resend():
        assert Fordelningstal.objects.get(pk=row.pk).invanare == 6000
        assert Medlem.objects.get(pk=medlem.pk).name == "Testköping 1"

    html = _stale_then_again(
        personas["kansli_a"], page, {"name": "Testköping nya"}, colleague, saved_before_resend
    )
    assert _conflict_row(html, "Fördelningstal 2027") == ("6 000", "5 000")
    assert Medlem.objects.get(pk=medlem.pk).name == "Testköping nya"


def test_a_colleagues_indikator_is_shown_in_the_conflict_not_overwritten(personas, world):
    plan = world["plan_a"]
    mal = factories.mal(
        plan,
        text="Fler i arbete.",
        indikatorer=[
            Indikator(description="Deltagare", kind="antal", target_value=100, source="sus")
        ],
    )
    page = url("mal_edit", plan, mal.pk)

    def colleague():
        indikator = mal.indikatorer.get()
        indikator.description = "Deltagare per år"
        services_mal.mal_save(mal=mal, acting_user=None, indikatorer=[indikator])

    def saved_before_resend():
        assert mal.indikatorer.get().description == "Deltagare per år"
        assert Mal.objects.get(pk=mal.pk).text == "Fler i arbete."

    change = {"text": "Fler i arbete eller studier."}
    html = _stale_then_again(personas["kansli_a"], page, change, colleague, saved_before_resend)
    theirs, yours = _conflict_row(html, "Indikator")
    assert theirs.startswith("Deltagare per år (") and yours.startswith("Deltagare (")
    assert Mal.objects.get(pk=mal.pk).text == "Fler i arbete eller studier."


def test_a_stale_plan_settings_form_shows_the_conflict_and_sending_again_keeps_mine(
    personas, world
):
    plan = world["plan_a"]

    def colleague():
        plan_services.plan_update(plan=plan, acting_user=None, data={"deficit_reason": "Deras."})

    def saved_before_resend():
        assert Plan.objects.get(pk=plan.pk).deficit_reason == "Deras."

    change = {"deficit_reason": "Min motivering."}
    page = url("plan_edit", plan)
    html = _stale_then_again(personas["kansli_a"], page, change, colleague, saved_before_resend)
    assert _conflict_row(html, "Motivering till planerat underskott") == (
        "Deras.",
        "Min motivering.",
    )
    assert Plan.objects.get(pk=plan.pk).deficit_reason == "Min motivering."


def test_a_conflict_says_when_the_colleague_saved_in_swedish_time(world):
    """The log keeps UTC; a person reads Stockholm's time (23:37 UTC on 5 December is 00:37
    on 6 December in Stockholm)."""
    import datetime as dt

    import time_machine

    from finsam.audit import EditConflict

    section = world["section_a"]
    seen = section.lock_version
    moment = dt.datetime(2026, 12, 5, 23, 37, tzinfo=dt.UTC)
    with time_machine.travel(moment, tick=False):
        plan_services.section_save(section=section, acting_user=None, data={"title": "Deras"})
    with pytest.raises(EditConflict) as conflict:
        plan_services.section_save(
            section=Section.objects.get(pk=section.pk),
            acting_user=None,
            data={"title": "Min", "lock_version": seen},
        )
    assert "6 december 2026 00:37" in conflict.value.messages[0]
