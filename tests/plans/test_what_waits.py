"""What to do now ([9] item 7): the start page tells each person what waits for them, and
e-mail says when a plan is submitted, returned or adopted, unless the person turned it off."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from finsam.models import Membership
from plans import workflow
from tests import factories

pytestmark = pytest.mark.django_db


def url(name, plan, *extra):
    return reverse(name, args=[plan.forbund.slug, plan.pk, *extra])


def start(client) -> str:
    return client.get(reverse("start")).content.decode()


def _emails(personas):
    for name in ("kansli_a", "styrelse_a", "revisor_a"):
        user = personas[name].membership.user
        user.email = f"{name}@example.se"
        user.save()


def test_each_role_sees_what_waits_for_it(personas, clean_plan, django_capture_on_commit_callbacks):
    plan, kansli, chair, revisor = (
        clean_plan,
        personas["kansli_a"],
        personas["styrelse_a"],
        personas["revisor_a"],
    )
    assert "Väntar på dig" not in start(chair)
    kansli.post(url("plan_submit", plan))
    assert "väntar på ditt ställningstagande" in start(chair)
    chair.post(url("plan_return", plan), {"reason": "Se över lokalkostnaden."})
    page = start(kansli)
    assert "återremitterad med begärda ändringar" in page and "olösta kommentarer" in page
    assert "väntar på ditt ställningstagande" not in start(chair)
    kansli.post(url("plan_submit", plan))
    chair.post(url("plan_review", plan), {"decision": "godkand"})
    assert "väntar på ditt ställningstagande" not in start(chair)
    assert "nyligen antagen" not in start(revisor)
    workflow.plan_adopt(
        plan=plan,
        acting_user=chair.membership.user,
        meeting_date=plan.adoption_deadline.replace(day=20),
        paragraph="9",
        present=factories.everyone_present(plan),
    )
    assert "nyligen antagen" in start(revisor)


def test_the_start_page_runs_the_same_queries_for_more_forbund(personas, world):
    user = personas["kansli_a"].membership.user

    def more(n: int) -> None:
        for _ in range(n):
            forbund = factories.complete_forbund()
            Membership.objects.create(user=user, forbund=forbund, role="kansli")
            Membership.objects.create(user=user, forbund=forbund, role="revisor")
            factories.plan(forbund)

    more(1)
    with CaptureQueriesContext(connection) as two:
        personas["kansli_a"].get(reverse("start"))
    more(3)
    with CaptureQueriesContext(connection) as five:
        personas["kansli_a"].get(reverse("start"))
    assert len(five) == len(two)


def test_email_goes_out_on_submit_return_and_adopt(
    personas, clean_plan, django_capture_on_commit_callbacks
):
    _emails(personas)
    plan, kansli, chair = clean_plan, personas["kansli_a"], personas["styrelse_a"]
    with django_capture_on_commit_callbacks(execute=True):
        kansli.post(url("plan_submit", plan))
    assert [m.to for m in mail.outbox] == [["styrelse_a@example.se"]]
    assert "är inlämnad till styrelsen" in mail.outbox[0].subject
    assert f"/f/{plan.forbund.slug}/planer/{plan.pk}/" in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        chair.post(url("plan_return", plan), {"reason": "Se över lokalkostnaden."})
    assert mail.outbox[1].to == ["kansli_a@example.se"]
    assert "Se över lokalkostnaden." in mail.outbox[1].body
    # The kansli turns it off for this förbund: the adoption reaches only the revisor.
    kansli.post(reverse("my_settings"), {})
    assert not Membership.objects.get(pk=kansli.membership.pk).email_notifications
    with django_capture_on_commit_callbacks(execute=True):
        kansli.post(url("plan_submit", plan))
        workflow.plan_adopt(
            plan=plan,
            acting_user=chair.membership.user,
            meeting_date=plan.adoption_deadline.replace(day=20),
            paragraph="9",
            present=factories.everyone_present(plan),
        )
    adopted = mail.outbox[-1]
    assert "är antagen" in adopted.subject and adopted.to == ["revisor_a@example.se"]
    page = kansli.get(reverse("my_settings")).content.decode()
    assert "E-post om planer" in page and "checked" not in page


def test_a_refused_change_sends_nothing(personas, clean_plan, django_capture_on_commit_callbacks):
    _emails(personas)
    with django_capture_on_commit_callbacks(execute=True):
        response = personas["revisor_a"].post(url("plan_submit", clean_plan))
    assert response.status_code in (302, 403)
    assert mail.outbox == []
