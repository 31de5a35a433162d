"""Expensive work is bounded: one draft PDF is prepared per plan and reused while the plan is
unchanged, and each person may ask for only so many PDFs and Excel files in a while."""

from __future__ import annotations

import math
import time
from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse

from finsam.models import AuditEvent, WorkRequest
from finsam.services import forbund_update
from plans import services
from plans.models import PdfKind, PdfStatus, PlanPdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def ask(django_capture_on_commit_callbacks):
    """Ask for a draft PDF as a person; the background worker then runs what was queued."""

    def ask(client, plan):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("pdf_request", args=[plan.forbund.slug, plan.pk]))

    return ask


@pytest.fixture
def drafts(world):
    """The draft PDFs asked for in the test (the world has one of its own from before)."""
    PlanPdf.objects.filter(kind=PdfKind.UTKAST).delete()
    return lambda plan: PlanPdf.objects.filter(plan=plan, kind=PdfKind.UTKAST)


def test_ten_requests_for_an_unchanged_plan_render_it_once(personas, clean_plan, ask, drafts):
    revisor = personas["revisor_a"]
    answers = [ask(revisor, clean_plan) for _ in range(10)]
    pdf = drafts(clean_plan).get()  # one rendering, not ten
    assert pdf.status == PdfStatus.KLAR
    assert {a["Location"] for a in answers} == {
        reverse("pdf_status", args=["forbund-a", clean_plan.pk, pdf.pk])
    }
    assert AuditEvent.objects.filter(action="pdf.request").count() == 1
    page = revisor.get(answers[-1]["Location"]).content.decode()
    assert "Inget har ändrats sedan den senaste pdf:en av utkastet gjordes" in page


def test_a_draft_being_prepared_is_shared_not_queued_again(
    personas, clean_plan, django_capture_on_commit_callbacks, drafts
):
    url = reverse("pdf_request", args=["forbund-a", clean_plan.pk])
    with django_capture_on_commit_callbacks(execute=False):  # the worker is busy elsewhere
        first = personas["kansli_a"].post(url)
        second = personas["styrelse_a"].post(url)  # someone else, while it is prepared
    assert first["Location"] == second["Location"]
    assert drafts(clean_plan).get().status == PdfStatus.KO
    assert "förbereds redan" in personas["styrelse_a"].get(second["Location"]).content.decode()


def test_a_change_to_the_plan_gives_a_new_rendering(personas, world, clean_plan, ask, drafts):
    ask(personas["revisor_a"], clean_plan)
    services.section_save(
        section=world["section_a"], acting_user=None, data={"body": "<p>Ny text.</p>"}
    )
    ask(personas["revisor_a"], clean_plan)
    assert drafts(clean_plan).count() == 2
    newest = drafts(clean_plan).first()
    assert newest.status == PdfStatus.KLAR


def test_a_change_to_the_forbund_also_gives_a_new_rendering(personas, clean_plan, ask, drafts):
    ask(personas["revisor_a"], clean_plan)
    forbund_update(
        forbund=clean_plan.forbund, acting_user=None, data={"name": "Samordningsförbundet Nya A"}
    )
    ask(personas["revisor_a"], clean_plan)
    assert drafts(clean_plan).count() == 2
    assert drafts(clean_plan).first().source_mark > drafts(clean_plan).last().source_mark


def test_a_failed_rendering_is_not_reused(personas, clean_plan, ask, drafts):
    PlanPdf.objects.create(plan=clean_plan, kind=PdfKind.UTKAST, status=PdfStatus.FEL)
    ask(personas["revisor_a"], clean_plan)
    assert drafts(clean_plan).filter(status=PdfStatus.KLAR).count() == 1
    assert drafts(clean_plan).count() == 2


@override_settings(RATE_LIMITS={"pdf": 3, "excel": 1000}, RATE_LIMIT_MINUTES=10)
def test_a_person_may_ask_for_only_so_many_new_renderings(personas, world, clean_plan, ask, drafts):
    revisor = personas["revisor_a"]
    started = time.monotonic()
    for n in range(3):
        assert ask(revisor, clean_plan).status_code == 302
        services.section_save(
            section=world["section_a"], acting_user=None, data={"body": f"<p>Text {n}.</p>"}
        )
    refused = ask(revisor, clean_plan)
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "Du har beställt 3 pdf:er de senaste 10 minuterna" in page
    assert "Försök igen om 10 minuter" in page
    # Ten minutes from the first order, less the time the orders took (long on a loaded machine).
    waited = math.ceil(time.monotonic() - started)
    assert 600 - waited - 1 <= int(refused["Retry-After"]) <= 600
    assert drafts(clean_plan).count() == 3  # nothing queued
    # Someone else is not held up by the revisor's requests.
    assert ask(personas["kansli_a"], clean_plan).status_code == 302
    assert drafts(clean_plan).count() == 4
    # A reused draft is not new work: the revisor still gets it.
    assert ask(revisor, clean_plan).status_code == 302
    # When the oldest request is older than the window, one more may go.
    oldest = WorkRequest.objects.filter(kind="pdf").order_by("at").first()
    WorkRequest.objects.filter(pk=oldest.pk).update(at=oldest.at - timedelta(minutes=11))
    services.section_save(
        section=world["section_a"], acting_user=None, data={"body": "<p>Sista.</p>"}
    )
    assert ask(revisor, clean_plan).status_code == 302


@override_settings(RATE_LIMITS={"pdf": 1000, "excel": 2}, RATE_LIMIT_MINUTES=10)
def test_excel_downloads_and_uploads_share_a_limit(personas, clean_plan):
    kansli = personas["kansli_a"]
    args = ["forbund-a", clean_plan.pk]
    assert kansli.get(reverse("plan_excel", args=args)).status_code == 200
    assert kansli.get(reverse("plan_excel_template", args=args)).status_code == 200
    refused = kansli.get(reverse("plan_excel", args=args))
    assert refused.status_code == 429
    assert "2 Excel-filer" in refused.content.decode()
    upload = kansli.post(reverse("plan_import", args=args), {})
    assert upload.status_code == 429
    audit = kansli.post(reverse("forbund_audit", args=["forbund-a"]), {})
    assert audit.status_code == 429
    # Reading the pages is not limited.
    assert kansli.get(reverse("plan_import", args=args)).status_code == 200
    assert kansli.get(reverse("forbund_audit", args=["forbund-a"])).status_code == 200
