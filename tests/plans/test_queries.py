"""Pages that list or render plans run a fixed number of queries whatever the data size."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from budgets.models import StatementNote
from budgets.services_statement import statement_note_save
from plans import services, workflow
from plans import services as plan_services
from plans.models import Section
from tests.helpers import grow


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def assert_same_queries_doubled(client, url, add, plan, n: int, user) -> None:
    """The page's queries with n more of what add makes, and again with 2n more: the same."""
    add(plan, n, user)
    before = count(client, url)
    add(plan, 2 * n, user)
    assert count(client, url) == before


def add_content(plan, n: int, user) -> None:
    """n more text sections with a comment each, n rows of the förbund's own in the
    balansbudget, plus n lines of budget."""
    for i in range(n):
        section = services.section_save(
            section=Section(plan=plan, title=f"Avsnitt {i}", kind="text", body="Text"),
            acting_user=None,
        )
        workflow.comment_add(doc=plan, acting_user=user, text="Synpunkt", section=section)
        statement_note_save(
            note=StatementNote(
                plan=plan,
                statement="balans",
                label=f"Egen rad {plan.statement_notes.count()}",
                text="Inga",
            ),
            acting_user=None,
        )
    grow(plan, n)


# The plan as a document (the page, and the PDF from the same context), in order:
#  1 session, 2 user, 3 the user's roles, 4 the plan, 5 its comments,
#  6–12 plan_figures: years, members, fördelningstal, groups, categories, lines, amounts,
#  13 sections, 14 årshjul, 15 målgrupper, 16 insatser, 17 their parter, 18 their målgrupper,
#  19 their Agenda 2030 goals, 20 the plan's mål, 21 the insatser's mål, 22 indikatorer,
#  23 the plan's Agenda 2030 goals, 24 the earlier versions of its budget year (whose comment
#  threads are read in one more query when there are any), 25 the rows the förbund adds to
#  its statements (budgets.tables.own_statement_rows, read where the statements are shown).
DOCUMENT_QUERIES = 25


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
    assert_same_queries_doubled(client, url, add_content, plan, 4, user)


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


def add_every_kind(plan, n: int, user) -> None:
    """n more of every child row a plan can have: sections with comments and replies, budget
    lines, målgrupper, insatser with money, Agenda 2030 goals, mål with indikatorer and utfall
    (on insatser and on the plan), and årshjul events."""
    from datetime import date

    from insatser import services_mal
    from insatser.models_mal import Indikator, Mal
    from insatser.services_mal import Outcome
    from plans.models import ArshjulEvent
    from tests import factories

    add_content(plan, n, user)
    start = plan.insatser.count()
    for i in range(n):
        malgrupp = factories.malgrupp(plan, name=f"Målgrupp {start + i}")
        insats = factories.insats(
            plan,
            name=f"Insats {start + i}",
            malgrupper=[malgrupp],
            money={y: 10_000 for y in plan.years},
            agenda2030=[1 + i % 17],
        )
        for owner in (insats, None):
            mal = factories.mal(
                plan,
                text=f"Mål {start + i}",
                insats=owner,
                indikatorer=[
                    Indikator(
                        description="Andel i arbete",
                        kind="andel",
                        target_value=40,
                        direction="minst",
                        source="sus",
                    ),
                    Indikator(
                        description="Antal deltagare",
                        kind="antal",
                        target_value=100,
                        direction="minst",
                        source="sus",
                    ),
                ],
            )
            services_mal.utfall_set(
                mal=Mal.objects.get(pk=mal.pk),
                acting_user=None,
                outcomes={
                    (ind.pk, year): Outcome(value=Decimal(30 + year % 7))
                    for ind in mal.indikatorer.all()
                    for year in plan.years
                },
            )
        services.arshjul_event_save(
            event=ArshjulEvent(
                plan=plan,
                date=date(plan.budget_year, 1 + i % 12, 10),
                kind="styrelsemote",
                title=f"Möte {start + i}",
            ),
            acting_user=None,
        )


PLAN_PAGES = [
    "plan_detail",
    "plan_document",
    "budget_editor",
    "budget_statements",
    "insats_list",
    "plan_mal",
    "malgrupp_list",
    "risk_matrix",
    "plan_arshjul",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", PLAN_PAGES)
def test_every_plan_page_runs_the_same_queries_for_double_every_kind_of_content(
    url_name, personas, world
):
    plan = world["plan_a"]
    client = personas["kansli_a"]
    user = personas["styrelse_a"].membership.user
    url = reverse(url_name, args=[plan.forbund.slug, plan.pk])
    assert_same_queries_doubled(client, url, add_every_kind, plan, 2, user)


@pytest.mark.django_db
def test_the_pdf_runs_the_same_queries_for_double_every_kind_of_content(personas, world):
    from plans.pdf import plan_html

    plan = world["plan_a"]
    user = personas["styrelse_a"].membership.user

    def pdf_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            plan_html(plan, draft=True)
        return len(ctx.captured_queries)

    add_every_kind(plan, 2, user)
    before = pdf_queries()
    add_every_kind(plan, 4, user)
    assert pdf_queries() == before


@pytest.mark.django_db
def test_the_version_diff_of_a_revision_runs_the_same_queries_for_double_the_content(
    personas, clean_plan
):
    """With an earlier version to compare with, the page computes both versions' figures: still
    a fixed number of queries, whatever the plans hold."""
    from tests import factories

    plan = clean_plan
    kansli = personas["kansli_a"].membership.user
    chair = personas["styrelse_a"].membership.user
    workflow.plan_submit(plan=plan, acting_user=kansli)
    workflow.plan_review(plan=plan, acting_user=chair, decision="godkand")
    workflow.plan_adopt(
        plan=plan,
        acting_user=chair,
        meeting_date=plan.adoption_deadline.replace(day=20),
        paragraph="1",
        present=factories.everyone_present(plan),
    )
    revision = services.plan_revise(plan=plan, acting_user=kansli)
    url = reverse("plan_versions", args=[plan.forbund.slug, revision.pk])
    assert (
        "Vad ändringarna gör med summorna" not in personas["styrelse_a"].get(url).content.decode()
    )
    assert_same_queries_doubled(personas["styrelse_a"], url, add_content, revision, 4, kansli)
    assert "Vad ändringarna gör med summorna" in personas["styrelse_a"].get(url).content.decode()
