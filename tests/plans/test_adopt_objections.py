"""Before the board's decision is registered: what is still open is shown and confirmed, an odd
decision date is confirmed, and the rule (approvals prepare, presence decides) is said one way."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from finsam.models import AuditEvent, Membership, Seat
from plans import workflow
from plans.models import Comment, PlanStatus
from tests import factories

pytestmark = pytest.mark.django_db

RULE = "Styrelsen är beslutsför när minst hälften av de ordinarie ledamöterna är närvarande"
STOCKHOLM = ZoneInfo("Europe/Stockholm")
PRESENCE = "Beslutsförhet avgörs av vilka som är närvarande vid mötet"


def url(name, plan, *extra):
    return reverse(name, args=[plan.forbund.slug, plan.pk, *extra])


def decision(plan, **over):
    present = Membership.objects.filter(forbund_id=plan.forbund_id, role="styrelse")
    return {
        "meeting_date": f"{plan.budget_year - 1}-11-20",
        "paragraph": "108",
        "empty_ok": "on",
        "present": [str(pk) for pk in present.values_list("pk", flat=True)],
        **over,
    }


@pytest.fixture
def submitted(personas, clean_plan):
    """The plan before the board, its world's one open thread resolved: nothing is open."""
    kansli = personas["kansli_a"].membership.user
    for thread in Comment.objects.filter(plan=clean_plan, parent__isnull=True):
        workflow.comment_resolve(acting_user=kansli, comment=thread)
    workflow.plan_submit(plan=clean_plan, acting_user=kansli)
    return clean_plan


def adoption_event(plan):
    return AuditEvent.objects.get(action="plan.adopt", object_id=str(plan.pk))


def test_open_requests_for_changes_and_threads_are_listed_and_confirmed_before_the_decision(
    personas, submitted
):
    plan, chair = submitted, personas["styrelse_a"]
    member = factories.ledamot(plan.forbund)
    workflow.plan_review(
        plan=plan, acting_user=member.user, decision="andringar", comment="Ta med en riskanalys."
    )
    thread = workflow.comment_add(
        doc=plan, acting_user=member.user, text="Stämmer siffran för IT-tjänster?"
    )
    page = chair.get(url("plan_adopt", plan)).content.decode()
    assert "Begärda ändringar (1)" in page and "Ta med en riskanalys." in page
    assert member.user.get_full_name() in page
    assert "Olösta kommentarer (1)" in page and "Stämmer siffran för IT-tjänster?" in page
    assert f'{url("plan_document", plan)}#kommentar-{thread.pk}"' in page

    refused = chair.post(url("plan_adopt", plan), decision(plan))
    assert refused.status_code == 400
    html = refused.content.decode()
    box = html.index('name="objections_seen"')
    message = html.index(
        "Bekräfta att du har sett den begärda ändringen och den olösta kommentaren innan"
    )
    assert abs(box - message) < 800  # beside the box, not only at the top
    plan.refresh_from_db()
    assert plan.status == PlanStatus.INLAMNAD

    assert chair.post(url("plan_adopt", plan), decision(plan, objections_seen="on")).status_code
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ANTAGEN
    seen = adoption_event(plan).changes["objections_seen"][1]
    assert seen == "Sett före beslutet: 1 begäran om ändringar, 1 olöst kommentar"


def test_with_nothing_open_no_confirmation_is_asked(personas, submitted):
    plan, chair = submitted, personas["styrelse_a"]
    assert 'name="objections_seen"' not in chair.get(url("plan_adopt", plan)).content.decode()
    assert chair.post(url("plan_adopt", plan), decision(plan)).status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ANTAGEN
    assert "objections_seen" not in adoption_event(plan).changes


def test_a_decision_date_after_the_budget_year_began_is_confirmed_and_shown(personas, submitted):
    plan, chair = submitted, personas["styrelse_a"]
    late = decision(plan, meeting_date=f"{plan.budget_year}-02-10")
    with time_machine.travel(datetime(plan.budget_year, 3, 1, 10, tzinfo=STOCKHOLM), tick=False):
        chair.force_login(chair.membership.user)  # the fixture's session ended meanwhile
        refused = chair.post(url("plan_adopt", plan), late)
        assert refused.status_code == 400
        html = refused.content.decode()
        assert 'name="date_confirmed"' in html
        assert "Beslutsdatumet ligger efter budgetårets början. Bekräfta datumet" in html
        plan.refresh_from_db()
        assert plan.status == PlanStatus.INLAMNAD
        assert chair.post(url("plan_adopt", plan), {**late, "date_confirmed": "on"}).status_code
        plan.refresh_from_db()
        assert plan.status == PlanStatus.ANTAGEN and plan.meeting_date.month == 2
        event = adoption_event(plan)
        assert event.changes["meeting_date_confirmed"][1] == (
            "Beslutsdatum efter budgetårets början, bekräftat"
        )
        page = chair.get(url("plan_detail", plan)).content.decode()
    name = chair.membership.user.get_full_name()
    assert f"Beslutsdatum efter budgetårets början, bekräftat av {name}" in page


@pytest.mark.parametrize(
    ("months_before", "asked"), [(2, False), (17, False), (19, True), (23, True)]
)
def test_a_decision_date_long_before_the_budget_year_is_confirmed(
    personas, submitted, months_before, asked
):
    plan, chair = submitted, personas["styrelse_a"]
    months = plan.budget_year * 12 - months_before
    day = date(months // 12, months % 12 + 1, 1)
    response = chair.post(url("plan_adopt", plan), decision(plan, meeting_date=day.isoformat()))
    plan.refresh_from_db()
    if asked:
        assert response.status_code == 400
        assert "mer än 18 månader före budgetårets början" in response.content.decode()
        assert plan.status == PlanStatus.INLAMNAD
    else:
        assert response.status_code == 302 and plan.status == PlanStatus.ANTAGEN


def test_the_rule_is_said_one_way_on_every_page_and_setting(personas, submitted):
    plan, chair, kansli = submitted, personas["styrelse_a"], personas["kansli_a"]
    pages = {
        "förbund": kansli.get(reverse("forbund_detail", args=[plan.forbund.slug])),
        "inställningar": kansli.get(reverse("forbund_edit", args=[plan.forbund.slug])),
        "planen": chair.get(url("plan_detail", plan)),
        "antagandet": chair.get(url("plan_adopt", plan)),
    }
    for name, response in pages.items():
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))
        assert RULE.lower() in text.lower(), name
        assert "beslutför" not in text.lower(), name
        assert "har godkänt" not in text or "Förberedelse: 0 av" in text, name
    for name in ("förbund", "planen", "antagandet"):
        assert PRESENCE.lower() in pages[name].content.decode().lower(), name
    assert "Förberedelse: 0 av" in pages["planen"].content.decode()


def test_counts_of_ordinarie_ledamöter_are_singular_for_one(personas, submitted):
    plan, chair = submitted, personas["styrelse_a"]
    others = Membership.objects.filter(forbund_id=plan.forbund_id, seat=Seat.LEDAMOT)
    others.exclude(pk=chair.membership.pk).update(seat=Seat.ERSATTARE)
    workflow.plan_review(plan=plan, acting_user=chair.membership.user, decision="godkand")
    assert "Förberedelse: 1 av 1 ordinarie ledamot har godkänt" in (
        chair.get(url("plan_detail", plan)).content.decode()
    )
    assert "1 av 1 ordinarie ledamot har godkänt planen" in (
        chair.get(url("plan_adopt", plan)).content.decode()
    )
    chair.post(url("plan_adopt", plan), decision(plan))
    page = chair.get(url("plan_detail", plan)).content.decode()
    assert "Förberedelse: 1 ordinarie ledamot hade godkänt planen" in page


def test_the_present_group_is_a_fieldset_named_by_its_legend_before_the_boxes(personas, submitted):
    page = personas["styrelse_a"].get(url("plan_adopt", submitted)).content.decode()
    group = re.search(r"<fieldset[^>]*>(.*?)</fieldset>", page, re.S)
    assert group, "no fieldset"
    inside = group.group(1)
    legend = inside.index("<legend>Närvarande ordinarie ledamöter och ersättare")
    assert legend < inside.index('name="present"')
    assert (
        inside.count('name="present"')
        == Membership.objects.filter(forbund_id=submitted.forbund_id, role="styrelse").count()
    )
