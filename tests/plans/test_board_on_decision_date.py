"""The board decides as it stood on the decision date: the board of 2023–2026 adopts in December
what the board of 2027–2030 finds registered in January, and a former member keeps no right to
act (DOMAIN.md §1)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from plans import workflow
from plans.models import Decision, PlanStatus
from tests import factories
from tests.helpers import make_plan, url

STOCKHOLM = ZoneInfo("Europe/Stockholm")
OLD = {"starts_on": date(2023, 1, 1), "ends_on": date(2026, 12, 31)}
NEW = {"starts_on": date(2027, 1, 1), "ends_on": date(2030, 12, 31)}


def at(year, month, day):
    return time_machine.travel(datetime(year, month, day, 10, tzinfo=STOCKHOLM), tick=False)


def person(first, last, **kwargs):
    return factories.UserFactory(
        first_name=first, last_name=last, email=f"{first.lower()}@example.se", **kwargs
    )


def client_for(membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


@pytest.fixture
def boards(db, django_capture_on_commit_callbacks):
    """A plan for 2027 submitted on 2026-11-20 to the board of 2023–2026; the board of
    2027–2030 (Anna Ek among them) was chosen in the autumn and begins on 1 January."""
    with at(2026, 11, 20):
        forbund, plan = make_plan("byte")
        kansli = factories.kansli(forbund, user=person("Kim", "Kansli"))
        old = [
            factories.ledamot(forbund, chair=True, user=person("Olle", "Gammal"), **OLD),
            factories.ledamot(forbund, user=person("Olga", "Gammal"), **OLD),
        ]
        new = [
            factories.ledamot(forbund, user=person("Anna", "Ek"), **NEW),
            factories.ledamot(forbund, user=person("Nils", "Ny"), **NEW),
        ]
        with django_capture_on_commit_callbacks(execute=True):
            plan = workflow.plan_submit(plan=plan, acting_user=kansli.user)
    return {"plan": plan, "kansli": kansli, "old": old, "new": new}


def decision(present, **over):
    return {
        "meeting_date": "2026-12-10",
        "paragraph": "108",
        "diarienummer": "",
        "empty_ok": "on",
        "present": [str(m.pk) for m in present],
        **over,
    }


def test_submission_mails_only_the_board_in_office(boards):
    # The plan was submitted on 2026-11-20: the board of 2023–2026 is asked, the coming one not.
    to = {address for message in mail.outbox for address in message.to}
    assert to == {"olle@example.se", "olga@example.se"}


def test_december_decision_registered_in_january_counts_the_old_board(boards):
    plan, kansli, old, new = boards["plan"], boards["kansli"], boards["old"], boards["new"]
    with at(2026, 11, 25):  # the board in office approves ahead of its December meeting
        for member in old:
            workflow.plan_review(plan=plan, acting_user=member.user, decision=Decision.GODKAND)
    with at(2027, 1, 20):
        client = client_for(kansli)
        page = client.get(url("plan_adopt", plan)).content.decode()
        # Everyone in office since the submission is offered, with their period.
        assert "Olle Gammal (ledamot, 2023-01-01 – 2026-12-31)" in page
        assert "Anna Ek (ledamot, 2027-01-01 – 2030-12-31)" in page

        response = client.post(url("plan_adopt", plan), decision([*old, new[0]]))
        assert response.status_code == 400
        assert "Anna Ek satt inte i styrelsen 2026-12-10." in response.content.decode()
        plan.refresh_from_db()
        assert plan.status == PlanStatus.INLAMNAD

        response = client.post(url("plan_adopt", plan), decision(old))
        assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ANTAGEN and plan.meeting_date == date(2026, 12, 10)
    assert plan.attendance["ordinarie"] == 2 and plan.attendance["beslutfor"]
    assert plan.attendance["ledamoter"] == ["Olga Gammal", "Olle Gammal"]
    # The approvals recorded with the decision are those of the board that made it.
    assert plan.attendance["godkannanden"] == 2
    assert "styrelse_bytt" not in plan.attendance  # submitted to and adopted by the same board


def test_the_new_board_alone_is_not_beslutsfor_for_a_december_meeting(boards):
    plan, kansli, new = boards["plan"], boards["kansli"], boards["new"]
    with at(2027, 1, 20), pytest.raises(ValidationError) as refused:
        workflow.plan_adopt(
            plan=plan,
            acting_user=kansli.user,
            meeting_date=date(2026, 12, 10),
            paragraph="108",
            present=[m.pk for m in new],
        )
    assert refused.value.message_dict["present"] == [
        "Anna Ek satt inte i styrelsen 2026-12-10.",
        "Nils Ny satt inte i styrelsen 2026-12-10.",
    ]


def test_a_plan_adopted_by_the_next_board_records_and_shows_the_change(boards):
    plan, kansli, new = boards["plan"], boards["kansli"], boards["new"]
    text = (
        "Planen lämnades in 2026-11-20 under mandatperioden 2023–2026 och antogs 2027-01-15 "
        "under mandatperioden 2027–2030, av styrelsen i tjänst den dagen."
    )
    with at(2027, 1, 20):
        client = client_for(kansli)
        over = {"meeting_date": "2027-01-15", "date_confirmed": "on"}
        response = client.post(url("plan_adopt", plan), decision(new, **over))
        assert response.status_code == 302
        plan.refresh_from_db()
        assert plan.attendance["styrelse_bytt"] == text
        assert plan.attendance["ledamoter"] == ["Anna Ek", "Nils Ny"]
        assert text in client.get(url("plan_detail", plan)).content.decode()
        history = client.get(url("plan_history", plan)).content.decode()
        # The log shortens a long value; its beginning names both periods.
        assert "Styrelsen bytt sedan inlämningen" in history and text[:110] in history


def test_quorum_during_review_counts_the_ledamoter_in_office_today(boards):
    plan, old, new = boards["plan"], boards["old"], boards["new"]
    with at(2026, 11, 25):
        workflow.plan_review(plan=plan, acting_user=old[0].user, decision=Decision.GODKAND)
        assert workflow.quorum(plan) == (1, 2, 1)
    with at(2027, 1, 20):
        # The old board's approval is no longer the preparation of anyone in office.
        assert workflow.quorum(plan) == (0, 2, 1)
        workflow.plan_review(plan=plan, acting_user=new[0].user, decision=Decision.GODKAND)
        assert workflow.quorum(plan) == (1, 2, 1)


def test_an_ended_ledamot_can_neither_approve_nor_comment(boards):
    plan, old = boards["plan"], boards["old"]
    with at(2027, 1, 20):
        with pytest.raises(PermissionDenied, match="i tjänst"):
            workflow.plan_review(plan=plan, acting_user=old[1].user, decision=Decision.GODKAND)
        with pytest.raises(PermissionDenied, match="i tjänst"):
            workflow.comment_add(doc=plan, acting_user=old[1].user, text="Ett sista ord")
        # Through the pages the plan under review is not theirs to see at all.
        client = client_for(old[1])
        assert client.post(url("plan_review", plan), {"decision": "godkand"}).status_code == 404
    assert not plan.approvals.exists() and not plan.comments.exists()


def test_an_ended_chair_cannot_record_the_decision(boards):
    plan, old = boards["plan"], boards["old"]
    with at(2027, 1, 20), pytest.raises(PermissionDenied):
        workflow.plan_adopt(
            plan=plan,
            acting_user=old[0].user,
            meeting_date=date(2026, 12, 10),
            paragraph="108",
            present=[m.pk for m in old],
        )


def test_a_coming_ledamot_reads_the_plan_but_cannot_approve_or_comment(boards):
    plan, new = boards["plan"], boards["new"]
    with at(2026, 11, 25):
        client = client_for(new[0])
        page = client.get(url("plan_detail", plan)).content.decode()
        assert "Din roll i styrelsen börjar 2027-01-01" in page
        assert "Ditt ställningstagande" not in page
        assert client.post(url("plan_review", plan), {"decision": "godkand"}).status_code == 403
        with pytest.raises(PermissionDenied):
            workflow.comment_add(doc=plan, acting_user=new[0].user, text="Inför januari")
    assert not plan.approvals.exists() and not plan.comments.exists()
