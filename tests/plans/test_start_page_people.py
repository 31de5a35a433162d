"""The start page as each person meets it: with one förbund nothing asks them to choose one, a
revisor reaches the archive from it, an adopted plan is "nyligen antagen" only while it is, and
a board member sees first the plan that waits on them."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from finsam.models import Membership, Role
from plans import workflow
from tests import factories

pytestmark = pytest.mark.django_db

STOCKHOLM = ZoneInfo("Europe/Stockholm")
ADOPTED = datetime(2026, 11, 20, 10, tzinfo=STOCKHOLM)


def start(client) -> str:
    # Signed in on the day travelled to: a session idle since the real today has ended.
    client.force_login(client.membership.user)
    return client.get(reverse("start")).content.decode()


def test_with_one_forbund_nobody_is_asked_to_choose_one(personas):
    assert "Välj det förbund" not in start(personas["kansli_a"])


def test_with_two_forbund_the_person_is_asked_to_choose(personas, forbund_b):
    kansli = personas["kansli_a"]
    Membership.objects.create(user=kansli.membership.user, forbund=forbund_b, role=Role.KANSLI)

    assert "Välj det förbund du vill arbeta i" in start(kansli)


def test_a_revisor_reaches_the_archive_of_each_forbund_they_audit(personas, forbund_a, forbund_b):
    revisor = personas["revisor_a"]
    Membership.objects.create(user=revisor.membership.user, forbund=forbund_b, role=Role.KANSLI)

    html = start(revisor)

    assert f'href="{reverse("archive", args=[forbund_a.slug])}"' in html
    # Förbund B's archive is not linked: there the person is kansli, not revisor.
    assert f'href="{reverse("archive", args=[forbund_b.slug])}"' not in html
    assert reverse("archive", args=[forbund_a.slug]) not in start(personas["kansli_a"])


def test_an_adopted_plan_is_nyligen_antagen_for_45_days_and_not_after(personas, clean_plan):
    chair, revisor = personas["styrelse_a"], personas["revisor_a"]
    with time_machine.travel(ADOPTED, tick=False):
        personas["kansli_a"].post(reverse("plan_submit", args=["forbund-a", clean_plan.pk]))
        workflow.plan_adopt(
            plan=clean_plan,
            acting_user=chair.membership.user,
            meeting_date=ADOPTED.date(),
            paragraph="9",
            present=factories.everyone_present(clean_plan),
        )
    with time_machine.travel(ADOPTED + timedelta(days=45), tick=False):
        assert "nyligen antagen (2026-11-20)" in start(revisor)
    with time_machine.travel(ADOPTED + timedelta(days=46), tick=False):
        assert "nyligen antagen" not in start(revisor)


def test_a_board_member_sees_first_the_plan_that_waits_on_them(personas, clean_plan):
    with time_machine.travel(ADOPTED, tick=False):
        personas["kansli_a"].post(reverse("plan_submit", args=["forbund-a", clean_plan.pk]))
        html = start(personas["styrelse_a"])

    card = html[html.index("Din roll") :]
    waits = card.index("väntar på ditt ställningstagande")
    assert waits < card.index("Aktuell plan")
    assert waits < card.index("Härnäst")
