"""The PDF as a document a board signs ([9]): the running header, the title page with the
förbund's logo, nothing internal in the adopted plan, a revised plan that says so, charts whose
legends list what they show."""

from __future__ import annotations

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from djmoney.money import Money
from PIL import Image
from pypdf import PdfReader

from budgets import services as budget_services
from budgets.charts import cost_chart, equity_chart
from budgets.selectors import plan_figures
from plans import services, workflow
from plans.pdf import render_plan_pdf
from tests import factories

pytestmark = pytest.mark.django_db

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def _pages(content: bytes) -> list[str]:
    """Each page's text with its lines joined, as a person reads it."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages]


def _spaced(text: str) -> str:
    """Text with the narrow and non-breaking spaces of Swedish amounts as plain spaces."""
    return text.replace("\xa0", " ").replace("\u202f", " ").replace("\u2009", " ")


def _png(size=(40, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (11, 61, 107)).save(out, "PNG")
    return out.getvalue()


def _adopt(plan):
    chair = factories.ledamot(plan.forbund, chair=True).user
    workflow.plan_submit(plan=plan, acting_user=factories.kansli(plan.forbund).user)
    for membership in plan.forbund.memberships.filter(role="styrelse", seat="ledamot"):
        workflow.plan_review(plan=plan, acting_user=membership.user, decision="godkand")
    workflow.plan_adopt(
        plan=plan,
        acting_user=chair,
        meeting_date=date(2026, 11, 20),
        paragraph="§108",
        diarienummer="65/26",
        present=factories.everyone_present(plan),
    )
    plan.refresh_from_db()
    return plan


def test_every_page_after_the_title_page_has_the_running_header(clean_plan):
    pages = _pages(render_plan_pdf(clean_plan, draft=True).content)
    assert len(pages) > 3
    title = clean_plan.document_title
    assert pages[0].count(title) == 1  # the title itself, no header above it
    for text in pages[1:]:
        assert clean_plan.forbund_name in text
        assert f"{title} – UTKAST" in text


def test_the_logo_is_uploaded_checked_and_on_the_title_page(clean_plan):
    forbund = clean_plan.forbund
    client = Client()
    client.force_login(factories.kansli(forbund).user)
    url = reverse("forbund_edit", args=[forbund.slug])
    page = client.get(url).content.decode()
    assert 'enctype="multipart/form-data"' in page
    data = {k: v for k, v in _form(page).items() if k != "logo"}
    bad = client.post(
        url, {**data, "logo": SimpleUploadedFile("logo.png", b"%PDF-1.7 not an image")}
    )
    assert bad.status_code == 200
    assert "Filen är ingen bild" in bad.content.decode() or "giltig bild" in bad.content.decode()
    forbund.refresh_from_db()
    assert not forbund.logo
    good = client.post(url, {**data, "logo": SimpleUploadedFile("logo.png", _png())})
    assert good.status_code == 302
    forbund.refresh_from_db()
    assert forbund.logo.name.startswith("logotyper/")
    reader = PdfReader(io.BytesIO(render_plan_pdf(clean_plan, draft=True).content))
    assert "/Image" in str(
        reader.pages[0]["/Resources"].get_object().get("/XObject", {}).values()
    ) or any(
        x.get_object()["/Subtype"] == "/Image"
        for x in reader.pages[0]["/Resources"]["/XObject"].values()
    )


def _form(html: str) -> dict:
    from tests.helpers import form_values

    return form_values(html)


@time_machine.travel(datetime(2026, 11, 21, 10, tzinfo=STOCKHOLM), tick=False)
def test_the_adopted_pdf_holds_no_findings_and_the_draft_marks_them(clean_plan):
    # A finding of the draft's own: eget kapital ends 2027 above a ceiling of 1 000 000 kr.
    row = clean_plan.year_rows.get(year=2027, column="budget")
    budget_services.budget_years_update(
        plan=clean_plan,
        acting_user=None,
        rows={row.pk: {"ceiling_amount": Money(1_000_000, "SEK")}},
    )
    ceiling = next(f for f in plan_figures(clean_plan).findings if f.code == "ek-over-tak")
    assert _spaced(ceiling.message) == (
        "2027: utgående eget kapital 3 999 500 kr är över taket 1 000 000 kr."
    )
    draft = _spaced("\n".join(_pages(render_plan_pdf(clean_plan, draft=True).content)))
    assert "Kontroller (utkastet)" in draft
    assert "ingår inte i den plan styrelsen antar" in draft
    assert "2027: utgående eget kapital 3 999 500 kr är över taket 1 000 000 kr." in draft
    plan = _adopt(clean_plan)
    adopted = _spaced("\n".join(_pages(render_plan_pdf(plan, draft=False).content)))
    assert "Kontroller" not in adopted
    assert "över taket" not in adopted
    assert "Antagen av styrelsen den 20 november 2026, §108, Dnr 65/26" in adopted


def test_a_revised_plan_says_so_on_its_title_page_with_its_history(clean_plan):
    plan = _adopt(clean_plan)
    revision = services.plan_revise(plan=plan, acting_user=factories.kansli(plan.forbund).user)
    title_page = _pages(render_plan_pdf(revision, draft=True).content)[0]
    assert "Reviderad plan, version 2" in title_page
    assert "Version 1: antagen av styrelsen den 20 november 2026, §108, Dnr 65/26." in title_page
    assert "ersätter version 1 antagen 20 november 2026, §108" in title_page


def test_chart_legends_name_only_what_the_chart_shows(clean_plan):
    figures = plan_figures(clean_plan)
    equity = equity_chart(figures)
    assert ">golv<" not in equity and ">tak<" not in equity  # the plan states neither
    costs = cost_chart(figures)
    shown = [g.name for g in figures.groups if g.side == "kostnad"]
    with_costs = {
        g.name
        for g in figures.groups
        for c in figures.plan_columns
        if c.result.group_totals.get(str(g.pk))
    }
    for name in shown:
        assert (name.split()[0] in costs) == (name in with_costs)
