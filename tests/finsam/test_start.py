"""The start page: each förbund with its current plan and what comes next."""

from __future__ import annotations

import pytest
from django.utils import timezone


@pytest.mark.django_db
def test_start_page_shows_the_current_plan_and_the_adoption_deadline_first(personas, world):
    import re

    html = personas["styrelse_a"].get("/").content.decode()
    plan = world["plan_a"]
    assert plan.title in html and "Utkast" in html
    upcoming = re.search(r'<ul class="upcoming">(.*?)</ul>', html, re.S).group(1)
    items = [re.sub(r"<[^>]+>", "", li).strip() for li in re.findall(r"<li>(.*?)</li>", upcoming)]
    assert (
        items[0]
        == "30 november 2026: Sista dag att anta verksamhetsplan och budget 2027 med plan för 2028–2029"
    )
    assert len(items) == 4


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
    html = personas["kansli_a"].get("/").content.decode()
    assert past.title not in html
