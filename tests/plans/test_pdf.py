"""The plan's PDF: archival, accessible, the figures in Swedish format, stored once."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from budgets.selectors import plan_figures
from plans import pdf as pdf_module
from plans.models import PdfKind, PdfStatus, PlanPdf
from plans.pdf import LocalOnlyFetcher, render_plan_pdf
from tests import factories
from tests.helpers import text_of

STOCKHOLM = ZoneInfo("Europe/Stockholm")


@pytest.mark.django_db
def test_draft_pdf_is_pdfa_tagged_swedish_and_watermarked(clean_plan):
    rendered = render_plan_pdf(clean_plan, draft=True)
    reader = PdfReader(io.BytesIO(rendered.content))
    raw_xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3"' in raw_xmp, raw_xmp
    assert 'pdfaid:conformance="B"' in raw_xmp
    assert reader.trailer["/Root"]["/Lang"] == "sv"
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged for accessibility
    assert reader.metadata.title.startswith(
        "Verksamhetsplan och budget 2027 med plan för 2028–2029"
    )
    assert reader.metadata.author == "Samordningsförbundet A"
    text = text_of(rendered.content)
    assert "UTKAST" in text
    assert "Sida 2 av" in text
    assert rendered.sha256 == hashlib.sha256(rendered.content).hexdigest()


@pytest.mark.django_db
@time_machine.travel(datetime(2026, 11, 21, 10, tzinfo=STOCKHOLM), tick=False)
def test_each_contents_entry_gives_the_page_its_heading_stands_on(clean_plan):
    content = render_plan_pdf(clean_plan, draft=True).content
    pages = [page.extract_text().splitlines() for page in PdfReader(io.BytesIO(content)).pages]
    assert pages[1][0] == "Innehåll"
    # "Budget ........ 5": each title, the leader, the page it starts on
    entries = [
        (match[1], int(match[2]))
        for line in pages[1]
        if (match := re.fullmatch(r"(.+?) \.{2,} ?(\d+)", line.strip()))
    ]
    titles = [s.title for s in clean_plan.sections.all()]
    if plan_figures(clean_plan).findings:
        titles.append("Kontroller (utkastet)")
    assert [title for title, _ in entries] == titles
    # The sections follow one another: each heading is found from the page of the one before.
    first = 3
    for title, number in entries:
        standing = next(
            index
            for index in range(first, len(pages) + 1)
            if title in (line.strip() for line in pages[index - 1])
        )
        assert number == standing, (
            f"{title}: the contents say page {number}, the heading stands on page {standing}"
        )
        first = standing


@pytest.mark.django_db
def test_fonts_are_embedded_from_the_project_not_the_machine(clean_plan):
    reader = PdfReader(io.BytesIO(render_plan_pdf(clean_plan, draft=True).content))
    fonts = set()
    for page in reader.pages:
        resources = page["/Resources"]
        for font in resources.get("/Font", {}).values():
            font = font.get_object()
            fonts.add(font["/BaseFont"].split("+")[-1])
            descendant = font["/DescendantFonts"][0].get_object()
            assert "/FontFile2" in descendant["/FontDescriptor"].get_object()
    assert fonts and all(name.startswith("Finsam-Sans") for name in fonts), fonts


def test_url_fetcher_refuses_the_network_and_files_outside_static():
    fetcher = LocalOnlyFetcher()
    for url in (
        "http://example.com/x.png",
        "https://example.com/",
        "file:///etc/passwd",
        "ftp://x/y",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    font = (pdf_module.STATIC_ROOT / "fonts" / "DejaVuSans.ttf").as_uri()
    assert fetcher.fetch(font).status in (None, 200)


@pytest.mark.django_db
def test_adoption_archives_the_pdf_once_and_downloads_serve_those_bytes(
    personas, clean_plan, django_capture_on_commit_callbacks, monkeypatch
):
    chair = personas["styrelse_a"]
    personas["kansli_a"].post(reverse("plan_submit", args=["forbund-a", clean_plan.pk]))
    chair.post(reverse("plan_review", args=["forbund-a", clean_plan.pk]), {"decision": "godkand"})
    with django_capture_on_commit_callbacks(execute=True):
        chair.post(
            reverse("plan_adopt", args=["forbund-a", clean_plan.pk]),
            {
                "meeting_date": "2026-11-20",
                "paragraph": "§12",
                "diarienummer": "3/26",
                "empty_ok": "on",
                "objections_seen": "on",  # the world's plan has an unresolved thread
                "present": [str(pk) for pk in factories.everyone_present(clean_plan)],
            },
        )
    archived = PlanPdf.objects.get(plan=clean_plan, kind=PdfKind.ANTAGEN)
    assert archived.status == PdfStatus.KLAR and archived.pages > 3

    # From here nothing may render: a download serves the stored file.
    def refuse(*args, **kwargs):
        raise AssertionError("a download must not render")

    monkeypatch.setattr(pdf_module, "render_plan_pdf", refuse)
    download = reverse("pdf_download", args=["forbund-a", clean_plan.pk, archived.pk])
    first = b"".join(personas["revisor_a"].get(download).streaming_content)
    second = b"".join(personas["revisor_a"].get(download).streaming_content)
    assert first == second
    assert hashlib.sha256(first).hexdigest() == archived.sha256
    text = text_of(first)
    assert "Antagen av styrelsen den 20 november 2026, §12, Dnr 3/26" in text
    assert "UTKAST" not in text
    archive_page = (
        personas["revisor_a"].get(reverse("archive", args=["forbund-a"])).content.decode()
    )
    assert archived.sha256 in archive_page


@pytest.mark.django_db
def test_draft_pdf_request_is_prepared_in_the_background(
    personas, clean_plan, django_capture_on_commit_callbacks
):
    client = personas["styrelse_a"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("pdf_request", args=["forbund-a", clean_plan.pk]))
    pdf = PlanPdf.objects.get(plan=clean_plan, kind="utkast", sha256="")
    assert response["Location"] == reverse("pdf_status", args=["forbund-a", clean_plan.pk, pdf.pk])
    waiting = client.get(response["Location"]).content.decode()
    assert "förbereds" in waiting and 'hx-trigger="every 2s"' in waiting
    for callback in callbacks:  # the worker's turn
        callback()
    ready = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert "Pdf:en är klar" in ready and "<html" not in ready


@pytest.mark.django_db
def test_render_plan_pdf_command_writes_a_draft(clean_plan, tmp_path):
    out = tmp_path / "plan.pdf"
    call_command("render_plan_pdf", "--forbund", "forbund-a", "--year", "2027", "--out", str(out))
    assert out.read_bytes().startswith(b"%PDF-")
    assert "UTKAST" in text_of(out.read_bytes())


@pytest.mark.django_db
def test_seed_pdf_shows_goteborgs_figures_in_swedish_format():
    from plans.demo import load_demo
    from plans.models import Plan

    load_demo()
    plan = Plan.objects.get(forbund__slug="goteborg", budget_year=2021)
    text = text_of(render_plan_pdf(plan, draft=True).content)
    for figure in ("12 981", "6 177", "325", "61 478", "30 739", "15 369,5", "82 871"):
        assert figure in text, figure
    assert "Samordningsförbundet Göteborg" in text
