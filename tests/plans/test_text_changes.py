"""A change as a person reads it: a conflict on a section's text and the version diff show
text, not markup, with the changed words marked; the version diff shows beside a changed
amount the totals, result and UB it moved."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from budgets import services as budget_services
from budgets.selectors import plan_figures
from plans import services, workflow
from tests import factories
from tests.helpers import form_values, url

pytestmark = pytest.mark.django_db


def _adopt_and_revise(plan, personas):
    chair = personas["styrelse_a"].membership.user
    workflow.plan_submit(plan=plan, acting_user=personas["kansli_a"].membership.user)
    workflow.plan_review(plan=plan, acting_user=chair, decision="godkand")
    workflow.plan_adopt(
        plan=plan,
        acting_user=chair,
        meeting_date=plan.adoption_deadline.replace(day=20),
        paragraph="1",
        present=factories.everyone_present(plan),
    )
    return services.plan_revise(plan=plan, acting_user=personas["kansli_a"].membership.user)


def test_a_conflict_on_a_section_shows_the_colleagues_text_as_text(personas, world):
    plan, section = world["plan_a"], world["section_a"]
    client = personas["kansli_a"]
    page = url("section_edit", plan, section.pk)
    stale = form_values(client.get(page).content.decode())
    colleague = form_values(client.get(page).content.decode())
    body = "Kollegans stycke om unga.\n\n- arbete & studier\n- hälsa"
    assert client.post(page, {**colleague, "body": body}).status_code == 302
    answer = client.post(page, {**stale, "body": "Mitt stycke om unga."})
    assert answer.status_code == 400
    conflict = answer.content.decode().split('class="conflict"')[1].split("</div>")[0]
    assert "Kollegans stycke om unga.<br>- arbete &amp; studier<br>- hälsa" in conflict
    assert "&lt;p&gt;" not in conflict and "&lt;li&gt;" not in conflict
    assert "&amp;amp;" not in conflict
    # The words that differ are marked, from what is saved to what the user sent.
    assert re.search(r"<del><span class=\"visually-hidden\">borttaget: </span>Kollegans", conflict)
    assert re.search(r"<ins><span class=\"visually-hidden\">tillagt: </span>Mitt", conflict)
    assert "version för samtidiga ändringar" not in conflict.lower()


def test_the_version_diff_shows_the_totals_and_ub_an_edited_amount_moved(personas, clean_plan):
    old = plan_figures(clean_plan)
    revision = _adopt_and_revise(clean_plan, personas)
    year = revision.years[0]
    line = revision.budget_lines.get(name="Kansli")
    kept = line.amounts.get(year=year, column="budget").amount.amount
    budget_services.budget_figures_set(
        plan=revision,
        acting_user=None,
        amounts={(line.pk, year, "budget"): kept + Decimal(20_000)},
    )
    page = personas["styrelse_a"].get(url("plan_versions", revision)).content.decode()
    before = {c.year: c.result for c in old.columns if not c.is_comparison}[year]

    def shown(value):
        return f"{value:,.0f}".replace(",", "\xa0")

    kostnader = (
        f"Kostnader {year}: {shown(before.kostnader)} → "
        f"{shown(before.kostnader + 20_000)}\xa0kr (+20\xa0000)"
    )
    ub = f"UB eget kapital {year}: {shown(before.ub)} → {shown(before.ub - 20_000)}\xa0kr (-20\xa0000)"
    resultat = f"Årets resultat {year}: {shown(before.resultat)} → "
    assert kostnader in page, page.split("Budget</h3>")[1][:2000]
    assert ub in page
    assert resultat in page
    # Only the year the amount was changed in.
    assert f"Kostnader {year + 1}:" not in page


def test_the_version_diff_marks_the_words_a_section_edit_added(personas, clean_plan):
    revision = _adopt_and_revise(clean_plan, personas)
    section = revision.sections.get(title="Inledning")
    services.section_save(
        section=section,
        acting_user=None,
        data={"body": section.body.replace("Tillsammans bildar", "Tillsammans och gärna bildar")},
    )
    page = personas["styrelse_a"].get(url("plan_versions", revision)).content.decode()
    diff = page.split("Avsnitt</h3>")[1]
    assert "&lt;p&gt;" not in diff and "<p>Lagen" not in diff
    assert re.search(r"<ins><span class=\"visually-hidden\">tillagt: </span>och gärna</ins>", diff)
    assert "…" in diff  # the unchanged text around the change is shortened
