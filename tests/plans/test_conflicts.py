"""Two people editing the same thing: the later save from an older page changes nothing and
shows the conflict (their value, yours, who); sending again keeps yours. A form sends only what
its user changed, so it never reverts a colleague's field the user did not touch."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from budgets import services as budget_services
from budgets.models import BudgetAmount
from plans.models import Section
from tests.helpers import editor_url, grid_post, insats_post

pytestmark = pytest.mark.django_db


def _section_post(client, url) -> dict:
    form = client.get(url).context["form"]
    return {name: form[name].value() or "" for name in form.fields}


def test_a_stale_section_form_shows_the_conflict_and_saves_nothing(personas, world):
    plan, section = world["plan_a"], world["section_a"]
    url = reverse("section_edit", args=[plan.forbund.slug, plan.pk, section.pk])
    mine = _section_post(personas["kansli_a"], url)
    theirs = dict(mine, body="Kollegans text.", engang="")
    colleague = plan.forbund.memberships.get(role="kansli").user
    assert personas["kansli_a"].post(url, theirs).status_code == 302  # a colleague saves first
    stale = dict(mine, body="Min text.")
    page = personas["kansli_a"].post(url, stale)
    html = page.content.decode()
    assert page.status_code == 400
    assert "efter att du öppnade sidan" in html
    assert "Kollegans text." in html and "Min text." in html
    assert Section.objects.get(pk=section.pk).body == "<p>Kollegans text.</p>"
    assert colleague.get_username() in html or "kollega" in html.lower()
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
