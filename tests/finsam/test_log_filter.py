"""The förbund's log filtered by plan, person and kind of thing changed: choices only from the
förbund's own log, a wrong value refused with a message, the pager keeping the filters, and the
same number of queries however many events there are."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from budgets import services
from budgets.models import BudgetCategory
from finsam.audit import AUDIT_PAGE_SIZE
from plans import services as plan_services
from tests import factories

pytestmark = pytest.mark.django_db


def log(client, forbund, **filters) -> str:
    return client.get(reverse("forbund_log", args=[forbund.slug]), filters).content.decode()


def summaries(html: str) -> list[str]:
    return re.findall(r'<th scope="row">(.*?)</th>', html)


@pytest.fixture
def two_plans_two_people(personas, world, forbund_a):
    """A second plan of A; a line in each by the kansli, and one in the first by a colleague."""
    kansli = personas["kansli_a"].membership.user
    colleague = factories.kansli(forbund_a, user__first_name="Karin", user__last_name="Lund").user
    first = world["plan_a"]
    second = plan_services.plan_create(forbund=forbund_a, acting_user=kansli, budget_year=2028)
    category = BudgetCategory.objects.get(group__forbund=forbund_a, name="Kansli")
    for plan, who, name in [
        (first, kansli, "Lokalhyra"),
        (second, kansli, "Städning"),
        (first, colleague, "Konsulter"),
    ]:
        services.budget_line_create(plan=plan, acting_user=who, category=category, name=name)
    return first, second, kansli, colleague


def test_the_log_filtered_by_plan_shows_only_that_plans_changes(
    personas, forbund_a, two_plans_two_people
):
    first, second, _, _ = two_plans_two_people

    shown = " ".join(summaries(log(personas["kansli_a"], forbund_a, plan=second.pk)))

    assert "Städning" in shown
    assert "Lokalhyra" not in shown and "Konsulter" not in shown


def test_the_log_filtered_by_person_shows_only_what_they_did(
    personas, forbund_a, two_plans_two_people
):
    _, _, _, colleague = two_plans_two_people

    html = log(personas["revisor_a"], forbund_a, vem=colleague.pk)

    assert f'<option value="{colleague.pk}" selected>Karin Lund</option>' in html
    assert summaries(html) and all("Konsulter" in s for s in summaries(html))


def test_the_log_filtered_by_kind_shows_only_that_kind(personas, forbund_a, two_plans_two_people):
    shown = summaries(log(personas["kansli_a"], forbund_a, vad="budgets.budgetline"))

    assert {"Lokalhyra", "Städning", "Konsulter"} <= {s.split()[3] for s in shown}
    assert all(s.startswith("Lade till budgetraden") for s in shown)
    everything = summaries(log(personas["kansli_a"], forbund_a))
    assert any("budgetrad" not in s for s in everything)


def test_another_forbunds_plan_is_neither_offered_nor_accepted(
    personas, forbund_a, forbund_b, two_plans_two_people
):
    foreign = plan_services.plan_create(forbund=forbund_b, acting_user=None, budget_year=2027)

    html = log(personas["kansli_a"], forbund_a, plan=foreign.pk)

    assert f'<option value="{foreign.pk}"' not in html
    assert "Välj ett giltigt alternativ" in html
    # Refused, the filter changes nothing: the förbund's whole log is shown.
    assert "Lokalhyra" in html and "Städning" in html


def test_the_pager_keeps_the_filter(personas, forbund_a, two_plans_two_people):
    first, _, kansli, _ = two_plans_two_people
    category = BudgetCategory.objects.get(group__forbund=forbund_a, name="Kansli")
    for n in range(AUDIT_PAGE_SIZE):
        services.budget_line_create(plan=first, acting_user=kansli, category=category, name=f"R{n}")

    html = log(personas["kansli_a"], forbund_a, plan=first.pk, vem=kansli.pk)

    assert f'href="?plan={first.pk}&amp;vem={kansli.pk}&amp;sida=2"' in html


def test_a_filtered_log_runs_the_same_queries_for_more_events(
    personas, forbund_a, two_plans_two_people
):
    first, _, kansli, _ = two_plans_two_people
    category = BudgetCategory.objects.get(group__forbund=forbund_a, name="Kansli")
    client = personas["kansli_a"]

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            log(client, forbund_a, plan=first.pk, vem=kansli.pk, vad="budgets.budgetline")
        return len(queries)

    few = count()
    for n in range(10):
        services.budget_line_create(plan=first, acting_user=kansli, category=category, name=f"R{n}")
    assert count() == few
