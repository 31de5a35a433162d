"""The plan's way from draft to adopted, across personas; and that adopted means fixed."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from budgets import services as budget_services
from budgets.models import BudgetAmount, BudgetCategory
from finsam import services as finsam_services
from finsam.models import AuditEvent, Membership
from plans import services, workflow
from plans import services as plan_services
from plans.models import Comment, Plan, PlanStatus, Section
from tests import factories


def url(name, plan, *extra):
    return reverse(name, args=[plan.forbund.slug, plan.pk, *extra])


def submit(personas, plan):
    return personas["kansli_a"].post(url("plan_submit", plan))


def adopt_data(**over):
    # The plans here keep the default outline's empty sections and the world's open comment,
    # which the recorder confirms; the whole board of förbund A is at the meeting.
    present = Membership.objects.filter(forbund__slug="forbund-a", role="styrelse")
    return {
        "meeting_date": "2026-11-20",
        "paragraph": "108",
        "diarienummer": "65/26",
        "empty_ok": "on",
        "objections_seen": "on",
        "present": [str(pk) for pk in present.values_list("pk", flat=True)],
        **over,
    }


@pytest.mark.django_db
def test_adoption_with_empty_sections_is_confirmed_or_refused(personas, clean_plan):
    plan = clean_plan
    submit(personas, plan)
    chair = personas["styrelse_a"]
    page = chair.get(url("plan_adopt", plan)).content.decode()
    empty = [s.title for s in plan.sections.all() if s.is_empty]
    assert empty and "Tomma avsnitt" in page and empty[0] in page
    response = chair.post(url("plan_adopt", plan), adopt_data(empty_ok=""))
    assert response.status_code == 400
    assert "Bekräfta att planen antas med tomma avsnitt" in response.content.decode()
    plan.refresh_from_db()
    assert not plan.is_adopted
    for section in plan.sections.all():
        if section.is_empty:
            section.delete()
    assert "Tomma avsnitt" not in chair.get(url("plan_adopt", plan)).content.decode()


@pytest.mark.django_db
def test_full_journey_from_draft_to_adopted(personas, clean_plan):
    plan = clean_plan
    assert submit(personas, plan).status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.INLAMNAD and plan.submission_round == 1

    # the chair (the only ordinarie ledamot) approves, then records the decision
    chair = personas["styrelse_a"]
    chair.post(url("plan_review", plan), {"decision": "godkand"})
    response = chair.post(url("plan_adopt", plan), adopt_data())
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ANTAGEN
    assert plan.paragraph == "§108" and plan.meeting_date == date(2026, 11, 20)
    assert plan.decision_text == "Antagen av styrelsen den 20 november 2026, §108, Dnr 65/26"
    actions = list(
        AuditEvent.objects.filter(scope=f"plan:{plan.pk}").values_list("action", flat=True)
    )
    assert {"plan.submit", "plan.review", "plan.adopt"} <= set(actions)


@pytest.mark.django_db
def test_submitting_a_plan_with_fel_findings_lists_them_and_stays_draft(personas, world):
    plan = world["plan_a"]  # no medlemsbidrag, a cost: UB negative, and the split lacks weights
    response = submit(personas, plan)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.UTKAST
    page = personas["kansli_a"].get(response["Location"]).content.decode()
    assert "Planen har fel som måste rättas först" in page
    assert "utgående eget kapital" in page


@pytest.mark.django_db
def test_the_board_must_have_been_beslutfor_at_the_meeting(personas, clean_plan, forbund_a):
    plan = clean_plan
    others = [factories.ledamot(forbund_a) for _ in range(3)]  # four ordinarie with the chair
    deputy = factories.ersattare(forbund_a)
    submit(personas, plan)
    chair = personas["styrelse_a"]
    # The approvals are the board's preparation, not its quorum: none is needed here.
    only_chair = adopt_data(present=[str(chair.membership.pk)])
    response = chair.post(url("plan_adopt", plan), only_chair)
    assert response.status_code == 400
    assert (
        "Styrelsen var inte beslutsför: 1 av 4 ordinarie ledamöter närvarande; minst 2 behövs."
        in response.content.decode()
    )
    # Two deputies would not make two of the four: one serves for each absent ledamot, and a
    # deputy with all ledamöter present does not count.
    with_deputy = adopt_data(present=[str(chair.membership.pk), str(deputy.pk)])
    assert chair.post(url("plan_adopt", plan), with_deputy).status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ANTAGEN
    assert plan.attendance["counted"] == 2 and plan.attendance["beslutfor"]
    assert plan.attendance["ersattare"] == [deputy.user.get_full_name() or deputy.user.username]
    page = chair.get(url("plan_detail", plan)).content.decode()
    assert "Närvarande vid beslutet" in page and "2 av 4 räknas, beslutsför" in page
    assert others


@pytest.mark.django_db
@pytest.mark.parametrize("requires_quorum", [True, False])
def test_quorum_can_be_turned_off_per_forbund(personas, clean_plan, forbund_a, requires_quorum):
    for _ in range(3):
        factories.ledamot(forbund_a)  # four ordinarie with the chair: two make a quorum
    finsam_services.forbund_update(
        forbund=forbund_a,
        acting_user=personas["kansli_a"].membership.user,
        data={"adoption_requires_quorum": requires_quorum},
    )
    submit(personas, clean_plan)
    only_chair = adopt_data(present=[str(personas["styrelse_a"].membership.pk)])
    response = personas["kansli_a"].post(url("plan_adopt", clean_plan), only_chair)
    clean_plan.refresh_from_db()
    if requires_quorum:
        assert response.status_code == 400
        assert (
            "Styrelsen var inte beslutsför: 1 av 4 ordinarie ledamöter närvarande; minst 2 behövs."
            in response.content.decode()
        )
        assert clean_plan.status == PlanStatus.INLAMNAD
    else:
        assert response.status_code == 302
        assert clean_plan.status == PlanStatus.ANTAGEN
        assert clean_plan.attendance["counted"] == 1 and not clean_plan.attendance["beslutfor"]


@pytest.mark.django_db
def test_ersattare_may_comment_but_not_vote(clean_plan, forbund_a, personas):
    deputy = factories.ersattare(forbund_a)
    submit(personas, clean_plan)
    with pytest.raises(ValidationError, match="Ersättare har yttranderätt"):
        workflow.plan_review(plan=clean_plan, acting_user=deputy.user, decision="godkand")
    comment = workflow.comment_add(doc=clean_plan, acting_user=deputy.user, text="Bra plan.")
    assert comment.pk


@pytest.mark.django_db
def test_revisor_cannot_review_or_adopt(personas, clean_plan):
    submit(personas, clean_plan)
    revisor = personas["revisor_a"]
    assert revisor.post(url("plan_review", clean_plan), {"decision": "godkand"}).status_code == 403
    assert revisor.post(url("plan_adopt", clean_plan), adopt_data()).status_code == 403
    clean_plan.refresh_from_db()
    assert clean_plan.status == PlanStatus.INLAMNAD


@pytest.mark.django_db
def test_asking_for_changes_needs_a_comment(personas, clean_plan):
    submit(personas, clean_plan)
    response = personas["styrelse_a"].post(
        url("plan_review", clean_plan), {"decision": "andringar"}
    )
    # The page again, the message beside the comment field and the choice kept.
    assert response.status_code == 400
    page = response.content.decode()
    form = page[page.index('class="stacked review-form"') :]
    form = form[: form.index("</form>")]
    assert "Skriv vilka ändringar du vill se." in form
    assert re.search(r'<input[^>]*value="andringar"[^>]*checked', form)
    assert "se meddelandet vid formuläret nedan" in page
    assert not clean_plan.approvals.exists()


@pytest.mark.django_db
def test_a_return_without_a_reason_is_shown_again_open_with_the_message_beside_it(
    personas, clean_plan
):
    submit(personas, clean_plan)
    response = personas["styrelse_a"].post(url("plan_return", clean_plan), {"reason": " "})
    assert response.status_code == 400
    page = response.content.decode()
    details = page[page.index("<details open><summary>Återremittera planen") :]
    assert "Skriv varför planen återremitteras." in details[: details.index("</details>")]
    clean_plan.refresh_from_db()
    assert clean_plan.status == PlanStatus.INLAMNAD


@pytest.mark.django_db
def test_return_sends_the_plan_back_to_draft_with_the_reason(personas, clean_plan):
    submit(personas, clean_plan)
    personas["styrelse_a"].post(url("plan_return", clean_plan), {"reason": "Mer om ESF-projekten."})
    clean_plan.refresh_from_db()
    assert clean_plan.status == PlanStatus.UTKAST
    returned = Comment.objects.get(plan=clean_plan, is_return=True)
    assert returned.text == "Återremitterad: Mer om ESF-projekten."
    assert returned.round == 1
    # The reason stands on the plan while the draft is worked on.
    page = personas["kansli_a"].get(url("plan_detail", clean_plan)).content.decode()
    assert "Återremitterad" in page and "Mer om ESF-projekten." in page
    # a new submission is a new round: earlier approvals do not count
    submit(personas, clean_plan)
    clean_plan.refresh_from_db()
    assert clean_plan.submission_round == 2
    assert workflow.quorum(clean_plan)[0] == 0


@pytest.mark.django_db
def test_who_records_the_decision_is_configurable(personas, clean_plan, forbund_a):
    forbund_a.adoption_recorder = "ordforande"
    forbund_a.save()
    submit(personas, clean_plan)
    personas["styrelse_a"].post(url("plan_review", clean_plan), {"decision": "godkand"})
    assert personas["kansli_a"].post(url("plan_adopt", clean_plan), adopt_data()).status_code == 403
    assert (
        personas["styrelse_a"].post(url("plan_adopt", clean_plan), adopt_data()).status_code == 302
    )


@pytest.mark.django_db
def test_adopting_twice_is_refused_and_changes_nothing(personas, clean_plan):
    submit(personas, clean_plan)
    personas["styrelse_a"].post(url("plan_review", clean_plan), {"decision": "godkand"})
    personas["styrelse_a"].post(url("plan_adopt", clean_plan), adopt_data())
    with pytest.raises(ValidationError, match="redan antagen"):
        workflow.plan_adopt(
            plan=clean_plan,
            acting_user=personas["styrelse_a"].membership.user,
            meeting_date=date(2026, 11, 21),
            paragraph="§1",
        )
    clean_plan.refresh_from_db()
    assert clean_plan.paragraph == "§108"


@pytest.mark.django_db
def test_adoption_refuses_bad_decision_data_beside_the_field(personas, clean_plan):
    submit(personas, clean_plan)
    response = personas["kansli_a"].post(
        url("plan_adopt", clean_plan), {"meeting_date": "2099-01-01", "paragraph": "abc"}
    )
    form = response.context["form"]
    assert "framtiden" in form.errors["meeting_date"][0]
    assert "nummer" in form.errors["paragraph"][0]


@pytest.fixture
def adopted(personas, clean_plan):
    submit(personas, clean_plan)
    personas["styrelse_a"].post(url("plan_review", clean_plan), {"decision": "godkand"})
    personas["styrelse_a"].post(url("plan_adopt", clean_plan), adopt_data())
    clean_plan.refresh_from_db()
    assert clean_plan.status == PlanStatus.ANTAGEN
    return clean_plan


@pytest.mark.django_db
def test_an_adopted_plan_cannot_change_through_any_service(adopted, world, personas):
    user = personas["kansli_a"].membership.user
    line = world["line_a"]
    section = adopted.sections.first()
    event = adopted.arshjul.first()
    category = BudgetCategory.objects.filter(group__forbund=adopted.forbund).first()
    attempts = [
        lambda: budget_services.budget_figures_set(
            plan=adopted, acting_user=user, amounts={(line.pk, 2027, "budget"): Decimal(1)}
        ),
        lambda: budget_services.budget_line_create(
            plan=adopted, acting_user=user, category=category, name="Ny"
        ),
        lambda: budget_services.budget_line_delete(line=line, acting_user=user),
        lambda: plan_services.plan_update(plan=adopted, acting_user=user, data={}),
        lambda: budget_services.budget_years_update(
            plan=adopted, acting_user=user, rows={r.pk: {} for r in adopted.year_rows.all()}
        ),
        lambda: services.section_save(section=section, acting_user=user),
        lambda: services.section_delete(section=section, acting_user=user),
        lambda: services.section_move(section=section, acting_user=user, direction=1),
        lambda: services.arshjul_event_save(event=event, acting_user=user),
        lambda: services.arshjul_event_delete(event=event, acting_user=user),
        lambda: workflow.comment_add(doc=adopted, acting_user=user, text="x"),
        lambda: workflow.plan_submit(plan=adopted, acting_user=user),
    ]
    before = AuditEvent.objects.count()
    for attempt in attempts:
        with pytest.raises((ValidationError, PermissionDenied)):
            attempt()
    assert AuditEvent.objects.count() == before
    assert BudgetAmount.objects.get(line=line, year=2027).amount.amount == 500
    assert Section.objects.filter(plan=adopted).count() == len(adopted.sections.all())


@pytest.mark.django_db
def test_crafted_posts_to_an_adopted_plan_change_nothing(adopted, world, personas):
    client = personas["kansli_a"]
    section = adopted.sections.first()
    before = AuditEvent.objects.count()
    posts = [
        (url("section_edit", adopted, section.pk), {"title": "Kapad", "kind": "text", "body": "x"}),
        (url("section_delete", adopted, section.pk), {}),
        (url("section_create", adopted), {"title": "Ny", "kind": "text", "body": "x"}),
        (url("plan_arshjul", adopted), {"date": "2027-01-01", "kind": "annat", "title": "x"}),
        (url("plan_edit", adopted), {"plan_years": "3", "under_use_percent": "0"}),
        (url("budget_line_create", adopted), {"name": "x"}),
        (url("plan_adopt", adopted), adopt_data(paragraph="999")),
    ]
    for target, data in posts:
        response = client.post(target, data, follow=True)
        assert response.status_code == 200, target
    assert AuditEvent.objects.count() == before
    section.refresh_from_db()
    assert section.title != "Kapad"
    adopted.refresh_from_db()
    assert adopted.paragraph == "§108"


@pytest.mark.django_db
def test_revising_creates_a_new_draft_and_shows_what_changed(adopted, personas, world):
    client = personas["kansli_a"]
    response = client.post(url("plan_revise", adopted))
    new = Plan.objects.get(forbund=adopted.forbund, budget_year=adopted.budget_year, version=2)
    assert response["Location"] == url("plan_detail", new)
    assert new.revises == adopted and new.status == PlanStatus.UTKAST
    assert new.budget_lines.count() == adopted.budget_lines.count()
    assert new.sections.count() == adopted.sections.count()
    line = new.budget_lines.get(name="Kansli")
    budget_services.budget_figures_set(
        plan=new, acting_user=None, amounts={(line.pk, 2027, "budget"): Decimal(800)}
    )
    section = new.sections.get(title="Inledning")
    services.section_save(
        section=section,
        acting_user=None,
        data={"body": section.body + "<p>Ett nytt stycke i revideringen.</p>"},
    )
    page = client.get(url("plan_versions", new)).content.decode()
    assert "Ändringar jämfört med version 1" in page
    assert "Kansli" in page and ">500<" in page and ">800<" in page
    assert "Ett nytt stycke i revideringen." in page
    # the adopted version is untouched
    old_line = adopted.budget_lines.get(name="Kansli")
    assert BudgetAmount.objects.get(line=old_line, year=2027).amount.amount == 500


@pytest.mark.django_db
def test_script_in_a_section_is_removed_never_kept(personas, world):
    plan = world["plan_a"]
    section = plan.sections.get(title="Inledning")
    personas["kansli_a"].post(
        url("section_edit", plan, section.pk),
        {
            "title": "Inledning",
            "kind": "text",
            "body": '<p onclick="steal()">Hej</p><script>alert(1)</script><a href="javascript:x()">l</a>',
        },
    )
    section.refresh_from_db()
    # Typed tags are text in the section markup: shown, never run.
    assert "<script" not in section.body and "<p onclick" not in section.body
    assert '<a href="javascript:' not in section.body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in section.body
    page = personas["styrelse_a"].get(url("plan_document", plan)).content.decode()
    assert "<script>alert(1)" not in page and '<p onclick="steal()">' not in page


@pytest.mark.django_db
def test_history_page_shows_who_changed_what(personas, clean_plan):
    submit(personas, clean_plan)
    page = personas["revisor_a"].get(url("plan_history", clean_plan)).content.decode()
    assert "Lämnade in" in page
    assert "Ändrade 3 belopp i budgeten" in page


@pytest.mark.django_db
def test_new_plan_starts_from_the_default_outline_and_arshjul(world):
    plan = world["plan_a"]
    titles = list(plan.sections.values_list("title", flat=True))
    assert titles[0] == "Inledning" and "Budget" in titles and "Årshjul" in titles
    deadline = plan.arshjul.get(kind="sista_dag")
    assert deadline.date == date(2027, 11, 30)
