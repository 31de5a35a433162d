"""A role counts in its period: a coming role reads, an ended one gives nothing, except that a
former board member reads the plans adopted while they sat where the förbund keeps that
(Forbund.past_board_keeps_read); every other plan of the förbund answers 404 to them."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from plans import services as plan_services
from plans import workflow
from plans.models import PdfKind, PdfStatus, PlanPdf
from tests import factories
from tests.helpers import make_plan, url

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def at(year, month, day):
    return time_machine.travel(datetime(year, month, day, 10, tzinfo=STOCKHOLM), tick=False)


def client_for(membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


def stored_pdf(plan, kind) -> PlanPdf:
    """The plan's PDF of the kind as if rendered (plan_adopt queued the archived one)."""
    pdf = plan.pdfs.filter(kind=kind).first() or PlanPdf(plan=plan, kind=kind)
    pdf.status, pdf.sha256, pdf.pages = PdfStatus.KLAR, "0" * 64, 1
    pdf.file.save(f"plan-{plan.pk}.pdf", ContentFile(b"%PDF-1.7 test"), save=True)
    return pdf


@pytest.fixture
def periods(db):
    """Förbund "perioder": the 2027 plan adopted on 2026-11-20 by the board of 2023–2026, and
    a 2028 plan begun as a draft; a ledamot of 2023–2026 and one of 2027–2030."""
    with at(2026, 11, 10):
        forbund, adopted = make_plan("perioder")
        kansli = factories.kansli(forbund)
        old = factories.ledamot(
            forbund, chair=True, starts_on=date(2023, 1, 1), ends_on=date(2026, 12, 31)
        )
        new = factories.ledamot(forbund, starts_on=date(2027, 1, 1), ends_on=date(2030, 12, 31))
        adopted = workflow.plan_submit(plan=adopted, acting_user=kansli.user)
    with at(2026, 11, 20):
        adopted = workflow.plan_adopt(
            plan=adopted,
            acting_user=kansli.user,
            meeting_date=date(2026, 11, 20),
            paragraph="108",
            present=[old.pk],
        )
        draft = plan_services.plan_create(forbund=forbund, acting_user=None, budget_year=2028)
    return {
        "forbund": forbund,
        "adopted": adopted,
        "draft": draft,
        "old": old,
        "new": new,
        "adopted_pdf": stored_pdf(adopted, PdfKind.ANTAGEN),
        "draft_pdf": stored_pdf(draft, PdfKind.UTKAST),
    }


def test_a_former_ledamot_reads_only_the_plans_adopted_in_their_period(periods):
    adopted, draft, forbund = periods["adopted"], periods["draft"], periods["forbund"]
    with at(2027, 2, 1):
        client = client_for(periods["old"])
        listed = client.get(reverse("plan_list", args=[forbund.slug])).content.decode()
        assert adopted.title in listed and draft.title not in listed
        assert "Din roll i styrelsen upphörde 2026-12-31" in listed

        page = client.get(url("plan_detail", adopted))
        assert page.status_code == 200
        assert "du kan läsa de planer som antogs medan du hade den" in page.content.decode()
        assert client.get(url("plan_document", adopted)).status_code == 200
        pdf = client.get(url("pdf_download", adopted, periods["adopted_pdf"].pk))
        assert pdf.status_code == 200

        for other in (
            url("plan_detail", draft),
            url("plan_document", draft),
            url("pdf_download", draft, periods["draft_pdf"].pk),
        ):
            assert client.get(other).status_code == 404, other

        archive = client.get(reverse("archive", args=[forbund.slug])).content.decode()
        assert adopted.title in archive
        front = client.get(reverse("forbund_detail", args=[forbund.slug])).content.decode()
        assert "Din roll i styrelsen upphörde 2026-12-31" in front
        start = client.get(reverse("start")).content.decode()
        assert forbund.name in start and "läsa de planer som antogs medan du hade den" in start


def test_a_former_ledamot_cannot_comment_on_or_change_what_they_decided(periods):
    adopted, forbund = periods["adopted"], periods["forbund"]
    with at(2027, 2, 1):
        client = client_for(periods["old"])
        post = client.post(url("comment_create", adopted), {"text": "Bra beslut"})
        assert post.status_code == 403
        assert client.post(url("plan_review", adopted), {"decision": "godkand"}).status_code == 403
        assert client.post(url("plan_revise", adopted)).status_code == 403
        assert client.get(reverse("forbund_log", args=[forbund.slug])).status_code == 403
    assert not adopted.comments.exists()


def test_a_former_ledamot_reads_nothing_where_the_forbund_does_not_keep_it(periods):
    forbund, adopted = periods["forbund"], periods["adopted"]
    forbund.past_board_keeps_read = False
    forbund.save(update_fields=["past_board_keeps_read"])
    with at(2027, 2, 1):
        client = client_for(periods["old"])
        assert client.get(reverse("forbund_detail", args=[forbund.slug])).status_code == 404
        assert client.get(reverse("plan_list", args=[forbund.slug])).status_code == 404
        assert client.get(url("plan_detail", adopted)).status_code == 404
        assert forbund.name not in client.get(reverse("start")).content.decode()


def test_a_coming_ledamot_reads_every_plan_and_is_told_when_the_role_begins(periods):
    forbund, draft = periods["forbund"], periods["draft"]
    with at(2026, 12, 1):
        client = client_for(periods["new"])
        listed = client.get(reverse("plan_list", args=[forbund.slug])).content.decode()
        assert periods["adopted"].title in listed and draft.title in listed
        front = client.get(reverse("forbund_detail", args=[forbund.slug])).content.decode()
        assert "Din roll i styrelsen börjar 2027-01-01" in front
        assert client.get(url("plan_detail", draft)).status_code == 200
        assert client.get(url("plan_edit", draft)).status_code == 403
        start = client.get(reverse("start")).content.decode()
        assert forbund.name in start and "börjar 2027-01-01" in start


def test_another_forbunds_plan_stays_404_to_every_period(periods):
    other_forbund, other = make_plan("annat")
    with at(2027, 2, 1):
        for membership in (periods["old"], periods["new"]):
            client = client_for(membership)
            assert client.get(url("plan_detail", other)).status_code == 404
            assert client.get(reverse("plan_list", args=[other_forbund.slug])).status_code == 404
        stranger = client_for(factories.kansli(other_forbund))
        assert stranger.get(url("plan_detail", periods["adopted"])).status_code == 404


@pytest.mark.django_db
def test_the_forbund_page_lists_the_board_in_office_and_the_coming_one_apart():
    forbund = factories.complete_forbund()
    kansli = factories.kansli(forbund)
    factories.ledamot(
        forbund,
        user=factories.UserFactory(first_name="Gun", last_name="Gammal"),
        starts_on=date(2019, 1, 1),
        ends_on=date(2022, 12, 31),
    )
    factories.ledamot(
        forbund,
        user=factories.UserFactory(first_name="Nu", last_name="Varande"),
        starts_on=date(2023, 1, 1),
        ends_on=date(2026, 12, 31),
    )
    factories.ledamot(
        forbund,
        user=factories.UserFactory(first_name="Ny", last_name="Kommande"),
        starts_on=date(2027, 1, 1),
        ends_on=date(2030, 12, 31),
    )
    with time_machine.travel(datetime(2026, 12, 10, 9, 0, tzinfo=ZoneInfo("Europe/Stockholm"))):
        client = Client()
        client.force_login(kansli.user)
        html = client.get(f"/f/{forbund.slug}/").content.decode()
    assert "Gun Gammal" not in html
    board, coming = html.split("Från en kommande period")
    assert "Nu Varande" in board and "Ny Kommande" not in board
    assert "Ny Kommande" in coming and "2027-01-01 – 2030-12-31" in coming
