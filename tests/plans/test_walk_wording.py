"""What a tester read walking a year (issue [13]): the adoption's confirmation names what is
really open, and a submitted plan's pdf button names the submitted plan."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from plans import workflow
from plans.models import Comment, PlanStatus
from tests import factories

pytestmark = pytest.mark.django_db


def url(name, plan):
    return reverse(name, args=[plan.forbund.slug, plan.pk])


@pytest.fixture
def submitted(personas, clean_plan):
    """The plan before the board with nothing open: its world's one thread resolved."""
    kansli = personas["kansli_a"].membership.user
    for thread in Comment.objects.filter(plan=clean_plan, parent__isnull=True):
        workflow.comment_resolve(acting_user=kansli, comment=thread)
    workflow.plan_submit(plan=clean_plan, acting_user=kansli)
    return clean_plan


def confirmation_label(html: str) -> str:
    found = re.search(r'<label for="id_objections_seen">([^<]*)</label>', html)
    assert found, "no confirmation box on the page"
    return found.group(1)


def test_with_only_comment_threads_open_the_confirmation_names_the_threads_not_requests(
    personas, submitted
):
    plan, chair = submitted, personas["styrelse_a"]
    member = factories.ledamot(plan.forbund)
    for text in ("Stämmer siffran för IT-tjänster?", "Saknas en målgrupp?"):
        workflow.comment_add(doc=plan, acting_user=member.user, text=text)

    html = chair.get(url("plan_adopt", plan)).content.decode()
    assert confirmation_label(html) == "Jag har sett de olösta kommentarerna ovan"

    refused = chair.post(url("plan_adopt", plan), {"meeting_date": "", "paragraph": ""})
    assert "Bekräfta att du har sett de olösta kommentarerna innan" in refused.content.decode()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.INLAMNAD


def test_with_one_request_for_changes_open_the_confirmation_names_that_one_request(
    personas, submitted
):
    plan, chair = submitted, personas["styrelse_a"]
    member = factories.ledamot(plan.forbund)
    workflow.plan_review(
        plan=plan, acting_user=member.user, decision="andringar", comment="Ta med en riskanalys."
    )
    html = chair.get(url("plan_adopt", plan)).content.decode()
    assert confirmation_label(html) == "Jag har sett den begärda ändringen ovan"


def test_with_requests_and_a_thread_open_the_confirmation_names_both(personas, submitted):
    plan, chair = submitted, personas["styrelse_a"]
    for _ in range(2):
        member = factories.ledamot(plan.forbund)
        workflow.plan_review(
            plan=plan, acting_user=member.user, decision="andringar", comment="Mer om risker."
        )
    workflow.comment_add(doc=plan, acting_user=member.user, text="Stämmer siffran?")
    html = chair.get(url("plan_adopt", plan)).content.decode()
    assert (
        confirmation_label(html)
        == "Jag har sett de begärda ändringarna och den olösta kommentaren ovan"
    )


def test_a_submitted_plans_pdf_button_names_the_submitted_plan_not_the_draft(personas, submitted):
    html = personas["kansli_a"].get(url("plan_detail", submitted)).content.decode()
    assert "Förbered pdf av den inlämnade planen" in html
    assert "Förbered pdf av utkastet" not in html


def test_a_drafts_pdf_button_names_the_draft(personas, clean_plan):
    html = personas["kansli_a"].get(url("plan_detail", clean_plan)).content.decode()
    assert "Förbered pdf av utkastet (med vattenmärke)" in html
