"""The review around the document ([9]): comments as threads that are answered and resolved,
the återremiss reason on the plan, earlier versions' comments, and what changed since a
returning reviewer's last review."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from budgets import services as budget_services
from plans import services, workflow
from plans.models import Comment
from tests import factories

pytestmark = pytest.mark.django_db


def url(name, plan, *extra):
    return reverse(name, args=[plan.forbund.slug, plan.pk, *extra])


def test_a_comment_is_answered_resolved_and_reopened_by_a_reply(personas, clean_plan):
    plan, board, kansli = clean_plan, personas["styrelse_a"], personas["kansli_a"]
    section = plan.sections.get(title="Inledning")
    board.post(url("comment_create", plan), {"text": "Nämn lagen vid namn.", "section": section.pk})
    thread = Comment.objects.get(plan=plan, text="Nämn lagen vid namn.")
    kansli.post(
        url("comment_create", plan), {"text": "Gjort i andra stycket.", "parent": thread.pk}
    )
    reply = Comment.objects.get(plan=plan, text="Gjort i andra stycket.")
    assert reply.parent == thread and reply.section == section
    overview = board.get(url("plan_detail", plan)).content.decode()
    assert "Olösta kommentarer (" in overview and "Nämn lagen vid namn." in overview
    # The revisor neither wrote it nor is kansli: refused, and the thread stays open.
    assert personas["revisor_a"].post(url("comment_resolve", plan, thread.pk)).status_code == 403
    assert kansli.post(url("comment_resolve", plan, thread.pk)).status_code == 302
    thread.refresh_from_db()
    assert thread.resolved_at is not None and thread.resolved_by == kansli.membership.user
    document = board.get(url("plan_document", plan)).content.decode()
    assert "Löst" in document and "Gjort i andra stycket." in document
    assert "Nämn lagen vid namn." not in board.get(url("plan_detail", plan)).content.decode()
    # A new reply opens the thread again.
    board.post(url("comment_create", plan), {"text": "Inte riktigt.", "parent": reply.pk})
    thread.refresh_from_db()
    assert thread.resolved_at is None
    assert Comment.objects.get(text="Inte riktigt.").parent == thread  # one level deep


def test_earlier_versions_comments_are_readable_on_the_next_version(personas, clean_plan):
    plan, chair = clean_plan, personas["styrelse_a"].membership.user
    workflow.comment_add(doc=plan, acting_user=chair, text="Version 1 behöver en riskanalys.")
    workflow.plan_submit(plan=plan, acting_user=personas["kansli_a"].membership.user)
    workflow.plan_review(plan=plan, acting_user=chair, decision="godkand")
    workflow.plan_adopt(
        plan=plan,
        acting_user=chair,
        meeting_date=plan.adoption_deadline.replace(day=20),
        paragraph="1",
        present=factories.everyone_present(plan),
    )
    revision = services.plan_revise(plan=plan, acting_user=personas["kansli_a"].membership.user)
    page = personas["styrelse_a"].get(url("plan_document", revision)).content.decode()
    assert "Kommentarer till version 1" in page
    assert "Version 1 behöver en riskanalys." in page


def test_a_returning_reviewer_sees_what_changed_since_their_last_review(personas, clean_plan):
    plan = clean_plan
    kansli, chair = personas["kansli_a"], personas["styrelse_a"]
    kansli.post(url("plan_submit", plan))
    chair.post(url("plan_review", plan), {"decision": "andringar", "comment": "Mer till lokal."})
    chair.post(url("plan_return", plan), {"reason": "Budgeten för lokal behöver ses över."})
    line = plan.budget_lines.get(name="Kansli")
    budget_services.budget_figures_set(
        plan=plan,
        acting_user=kansli.membership.user,
        amounts={(line.pk, 2027, "budget"): Decimal(900)},
    )
    section = plan.sections.get(title="Inledning")
    services.section_save(
        section=section, acting_user=None, data={"body": section.body + "<p>En ny mening.</p>"}
    )
    kansli.post(url("plan_submit", plan))
    page = chair.get(url("plan_detail", plan)).content.decode().replace("\xa0", " ")
    assert "Ändrat sedan din granskning i omgång 1" in page
    assert "Kansli" in page and "500" in page and "900" in page
    assert "En ny mening." in page
    # Someone reviewing for the first time sees no such part.
    first_timer = factories.ledamot(plan.forbund)
    client = Client()
    client.force_login(first_timer.user)
    assert (
        "Ändrat sedan din granskning" not in client.get(url("plan_detail", plan)).content.decode()
    )
