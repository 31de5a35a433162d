"""The start page: each förbund with its current plan and what comes next, on any day."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from budgets.services import budget_figures_set
from finsam.models import Fordelningstal
from plans import workflow
from plans.models import Plan
from plans.services import plan_create_from, plan_revise
from tests import factories

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def on(day: date, hour: int = 10):
    """Travel to a moment of a day in Stockholm, the clock standing still."""
    return time_machine.travel(
        datetime(day.year, day.month, day.day, hour, tzinfo=STOCKHOLM), tick=False
    )


def board(personas):
    return personas["kansli_a"], personas["styrelse_a"]


def page(client) -> str:
    # Signed in on the day travelled to: a session idle since the real today has ended.
    client.force_login(client.membership.user)
    return client.get("/").content.decode()


def upcoming(client, forbund) -> list[str]:
    html = page(client)
    card = html[html.index(forbund.name) :]
    block = re.search(r'<ul class="upcoming">(.*?)</ul>', card, re.S)
    if block is None:
        return []
    items = re.findall(r"<li>(.*?)</li>", block.group(1), re.S)
    return [" ".join(re.sub(r"<[^>]+>", "", li).split()) for li in items]


def plan_for(forbund, budget_year: int, *, adopted_by=None) -> Plan:
    """A draft, or a plan submitted by the kansli and adopted by the chair (the clients)."""
    plan = factories.plan(forbund, budget_year=budget_year)
    if adopted_by is None:
        return plan
    kansli, chair = adopted_by
    for medlem in forbund.medlemmar.filter(kind="kommun"):
        for year in plan.years:
            Fordelningstal.objects.get_or_create(
                medlem=medlem, year=year, defaults={"invanare": 10_000}
            )
    budget_figures_set(
        plan=plan,
        acting_user=None,
        medlemsbidrag={(year, "budget"): Decimal(4_000_000) for year in plan.years},
    )
    with on(plan.adoption_deadline.replace(day=20)):
        workflow.plan_submit(plan=plan, acting_user=kansli.membership.user)
        return workflow.plan_adopt(
            plan=plan,
            acting_user=chair.membership.user,
            meeting_date=plan.adoption_deadline.replace(day=20),
            paragraph="9",
            present=factories.everyone_present(plan),
        )


@pytest.mark.django_db
def test_start_page_shows_the_current_plan_and_the_adoption_deadline_first(personas, world):
    plan = world["plan_a"]
    year = plan.budget_year
    with on(date(year - 1, 10, 15)):
        html = page(personas["styrelse_a"])
        items = upcoming(personas["styrelse_a"], world["forbund_a"])
    assert plan.title in html and "Utkast" in html
    assert items[0] == (
        f"30 november {year - 1}: Sista dag att anta verksamhetsplan och budget {year} "
        f"med plan för {year + 1}–{year + 2}"
    )
    assert "passerad" not in items[0]
    assert len(items) == 4


@pytest.mark.django_db
def test_the_day_after_the_deadline_a_draft_is_shown_late_first(personas, forbund_a):
    plan = plan_for(forbund_a, 2027)
    with on(date(2026, 12, 1), hour=0):
        items = upcoming(personas["kansli_a"], forbund_a)
    assert items[0].startswith(
        "30 november 2026: Sista dag att anta verksamhetsplan och budget 2027"
    )
    assert items[0].endswith("passerad")
    assert plan.title in page(personas["kansli_a"])


@pytest.mark.django_db
def test_once_a_plan_is_adopted_the_next_years_plan_is_due_even_before_it_is_begun(
    personas, forbund_a
):
    plan = plan_for(forbund_a, 2027, adopted_by=board(personas))
    for day in (date(2026, 12, 1), date(2026, 12, 31), date(2027, 1, 1), date(2027, 11, 30)):
        with on(day):
            items = upcoming(personas["kansli_a"], forbund_a)
        assert (
            "30 november 2027: Sista dag att anta verksamhetsplan och budget 2028 "
            "(ingen plan ännu: skapa den utifrån 2027)"
        ) in items, day
    with on(date(2026, 12, 1)):
        html = page(personas["kansli_a"])
    link = reverse("plan_create_from", args=[forbund_a.slug, plan.pk]) + "?budget_year=2028"
    assert f'href="{link}"' in html
    # The board sees that the plan is due, without the kansli's link.
    with on(date(2026, 12, 1)):
        html = page(personas["styrelse_a"])
    assert "Sista dag att anta verksamhetsplan och budget 2028" in html and link not in html


@pytest.mark.django_db
def test_a_plan_late_into_its_own_year_stays_listed_beside_the_next_one(personas, forbund_a):
    plan_for(forbund_a, 2026, adopted_by=board(personas))
    plan_for(forbund_a, 2027)
    with on(date(2027, 1, 1), hour=0):
        items = upcoming(personas["kansli_a"], forbund_a)
    assert items[0].startswith(
        "30 november 2026: Sista dag att anta verksamhetsplan och budget 2027"
    )
    assert items[0].endswith("passerad")
    assert (
        "30 november 2027: Sista dag att anta verksamhetsplan och budget 2028 "
        "(ingen plan ännu: skapa den utifrån 2027)"
    ) in items


@pytest.mark.django_db
def test_a_revision_of_an_adopted_plan_has_no_deadline(personas, forbund_a):
    adopted = plan_for(forbund_a, 2027, adopted_by=board(personas))
    plan_revise(plan=adopted, acting_user=None)
    with on(date(2027, 3, 1)):
        items = upcoming(personas["kansli_a"], forbund_a)
    assert not any("2027 med plan" in item for item in items)
    assert (
        "30 november 2027: Sista dag att anta verksamhetsplan och budget 2028 "
        "(ingen plan ännu: skapa den utifrån 2027)"
    ) in items


@pytest.mark.django_db
def test_a_new_plan_proposes_the_year_that_is_due(personas, forbund_a):
    kansli = personas["kansli_a"]
    url = reverse("plan_create", args=[forbund_a.slug])

    def proposed() -> str:
        kansli.force_login(kansli.membership.user)
        html = kansli.get(url).content.decode()
        return re.search(r'name="budget_year"[^>]*value="(\d+)"', html).group(1)

    with on(date(2026, 10, 1)):
        assert proposed() == "2027"
    with on(date(2026, 12, 1)):
        # After the deadline the late plan is still the one to write.
        assert proposed() == "2027"
        plan_for(forbund_a, 2027, adopted_by=board(personas))
        assert proposed() == "2028"
    with on(date(2027, 1, 1)):
        assert proposed() == "2028"
        assert re.search(r'value="2030"', kansli.get(url + "?budget_year=2030").content.decode())


@pytest.mark.django_db
def test_a_carried_plan_from_the_start_pages_link_is_the_due_year(personas, forbund_a):
    previous = plan_for(forbund_a, 2027, adopted_by=board(personas))
    with on(date(2026, 12, 1)):
        plan = plan_create_from(previous=previous, acting_user=None, budget_year=2028)
        items = upcoming(personas["kansli_a"], forbund_a)
    assert plan.budget_year == 2028
    assert items[0].startswith(
        "30 november 2027: Sista dag att anta verksamhetsplan och budget 2028"
    )
    assert "ingen plan ännu" not in items[0]


@pytest.mark.django_db
def test_start_page_does_not_show_another_forbunds_plan(personas, world):
    html = personas["kansli_b"].get("/").content.decode()
    assert world["plan_a"].title not in html
    assert "Ingen plan ännu." in html


@pytest.mark.django_db
def test_past_events_are_not_listed(personas, world):
    plan = world["plan_a"]
    past = plan.arshjul.first()
    past.date = timezone.localdate().replace(year=2020)
    past.save()
    html = page(personas["kansli_a"])
    assert past.title not in html
