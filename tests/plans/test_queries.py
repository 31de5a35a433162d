"""Pages that list or render plans run a fixed number of queries whatever the data size."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plans import services, workflow
from plans import services as plan_services
from plans.models import Section
from tests.helpers import grow


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def add_content(plan, n: int, user) -> None:
    """n more text sections with a comment each, plus n lines of budget."""
    for i in range(n):
        section = services.section_save(
            section=Section(plan=plan, title=f"Avsnitt {i}", kind="text", body="Text"),
            acting_user=None,
        )
        workflow.comment_add(plan=plan, acting_user=user, text="Synpunkt", section=section)
    grow(plan, n)


# The plan as a document (the page, and the PDF from the same context), in order:
#  1 session, 2 user, 3 the user's roles, 4 the plan, 5 its comments,
#  6–12 plan_figures: years, members, fördelningstal, groups, categories, lines, amounts,
#  13 sections, 14 årshjul, 15 målgrupper, 16 insatser, 17 their parter, 18 their målgrupper,
#  19 their Agenda 2030 goals, 20 the plan's mål, 21 the insatser's mål, 22 indikatorer,
#  23 the plan's Agenda 2030 goals, 24 the earlier versions of its budget year (whose comment
#  threads are read in one more query when there are any).
DOCUMENT_QUERIES = 24


@pytest.mark.django_db
def test_the_document_page_pins_its_queries(personas, world, django_assert_num_queries):
    plan = world["plan_a"]
    client = personas["styrelse_a"]
    url = reverse("plan_document", args=[plan.forbund.slug, plan.pk])
    add_content(plan, 3, client.membership.user)
    with django_assert_num_queries(DOCUMENT_QUERIES):
        assert client.get(url).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["plan_document", "plan_history", "plan_versions"])
def test_plan_pages_run_the_same_queries_for_double_the_content(url_name, personas, world):
    plan = world["plan_a"]
    client = personas["styrelse_a"]
    user = client.membership.user
    url = reverse(url_name, args=[plan.forbund.slug, plan.pk])
    add_content(plan, 4, user)
    before = count(client, url)
    add_content(plan, 8, user)
    assert count(client, url) == before


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["plan_list", "archive"])
def test_plan_lists_run_the_same_queries_for_more_plans(url_name, personas, world):
    forbund = world["forbund_a"]
    client = personas["revisor_a"]
    url = reverse(url_name, args=[forbund.slug])
    adopt(world["plan_a"])
    before = count(client, url)
    for year in (2028, 2029, 2030):
        adopt(
            plan_services.plan_create(
                forbund=forbund, acting_user=None, budget_year=year, opening_equity=Decimal(0)
            )
        )
    assert count(client, url) == before


def adopt(plan) -> None:
    """Mark a plan adopted with an archived PDF, as the archive lists them."""
    from plans.models import PdfKind, PdfStatus, Plan, PlanPdf

    Plan.objects.filter(pk=plan.pk).update(
        status="antagen", meeting_date="2026-11-20", paragraph="§1"
    )
    PlanPdf.objects.create(plan=plan, kind=PdfKind.ANTAGEN, status=PdfStatus.KLAR, sha256="a" * 64)
