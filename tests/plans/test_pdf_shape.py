"""The PDF in the förbund's own shape: words in tables whole, its contents list to the depth it
chooses with its chapter numbers, and the rows it adds to its statements."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from plans import services as plan_services
from plans.models import Plan
from plans.pdf import render_plan_pdf
from tests import factories
from tests.helpers import form_values, url

pytestmark = pytest.mark.django_db

LONG_WORDS = [
    "Arbetslivsinriktade",
    "rehabiliteringsinsatser",
    "Strukturövergripande",
    "Samverkansinsatser",
    "Vuxna",
    "insatser",
]


def _words(content: bytes) -> set[str]:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return set(text.replace("\xa0", " ").split())


def test_table_labels_are_never_hyphenated_or_split_across_lines(clean_plan):
    plan = clean_plan
    groups = [
        factories.malgrupp(plan, name="Vuxna med rehabiliteringsinsatser"),
        factories.malgrupp(plan, name="Unga vuxna"),
    ]
    for n in range(5):
        factories.insats(
            plan,
            name=f"Arbetslivsinriktade samverkansinsatser {n}",
            malgrupper=groups,
        )
    factories.insats(plan, name="Strukturövergripande insatser", kind="struktur", malgrupper=groups)

    words = _words(render_plan_pdf(plan, draft=True).content)

    for word in LONG_WORDS:
        assert word in words or word.lower() in words, word
    # The hyphen the renderer puts in is U+2010 (or a soft hyphen): none may be left.
    assert not {w for w in words if w.endswith(("\u2010", "\u00ad"))}


def _pdf_pages(plan) -> list[str]:
    content = render_plan_pdf(plan, draft=True).content
    return [
        " ".join(page.extract_text().replace("\xa0", " ").split())
        for page in PdfReader(io.BytesIO(content)).pages
    ]


def _with_subheadings(plan, *, title: str = "Inledning"):
    section = plan.sections.get(title="Inledning")
    plan_services.section_save(
        section=section,
        acting_user=None,
        data={
            "title": title,
            "body": "Förbundet arbetar.\n\n## Bakgrund\n\nText.\n\n### Lagen om samordning\n\n"
            "Mer text.\n\n## Uppdraget\n\nSista texten.",
        },
    )
    return section


def test_contents_list_goes_to_the_depth_the_plan_chooses_with_page_numbers(clean_plan):
    plan = clean_plan
    _with_subheadings(plan)

    toc = _pdf_pages(plan)[1]
    assert "Innehåll" in toc and "Inledning" in toc
    assert "Bakgrund" not in toc  # the default: sections only

    plan = plan_services.plan_update(plan=plan, acting_user=None, data={"toc_depth": 2})
    toc = _pdf_pages(plan)[1]
    assert re.search(r"Bakgrund \.+ ?\d+", toc) and re.search(r"Uppdraget \.+ ?\d+", toc)
    assert "Lagen om samordning" not in toc

    plan = plan_services.plan_update(plan=plan, acting_user=None, data={"toc_depth": 3})
    toc = _pdf_pages(plan)[1]
    assert re.search(r"Lagen om samordning \.+ ?\d+", toc)


def test_numbered_chapters_show_the_same_numbers_on_the_page_and_in_the_pdf(clean_plan, kansli_a):
    plan = clean_plan
    # Typed with its own number: it must not get two.
    section = _with_subheadings(plan, title="1. Inledning")
    plan = plan_services.plan_update(
        plan=plan, acting_user=None, data={"toc_depth": 3, "number_chapters": True}
    )
    second = plan.sections.exclude(pk=section.pk).first()

    pages = _pdf_pages(plan)
    text = " ".join(pages[2:])
    for heading in ("1. Inledning", "1.1 Bakgrund", "1.1.1 Lagen om samordning", "1.2 Uppdraget"):
        assert heading in pages[1], heading  # the contents list
        assert heading in text, heading  # the heading itself
    assert f"2. {second.title}" in pages[1] and f"2. {second.title}" in text
    assert "1. 1." not in " ".join(pages)

    html = kansli_a.get(url("plan_document", plan)).content.decode()
    assert f'<h2 id="rubrik-{section.pk}">1. Inledning</h2>' in html
    assert f'<h3 id="avsnitt-{section.pk}-1">1.1 Bakgrund</h3>' in html
    assert f'<h4 id="avsnitt-{section.pk}-1-1">1.1.1 Lagen om samordning</h4>' in html
    assert f'href="#avsnitt-{section.pk}-2"><span class="toc-number">1.2</span> Uppdraget' in html


def test_the_plan_settings_form_sets_the_contents_depth_and_numbering(clean_plan, kansli_a):
    plan = clean_plan
    page = url("plan_edit", plan)
    values = form_values(kansli_a.get(page).content.decode())

    refused = kansli_a.post(page, {**values, "toc_depth": "7"})
    assert refused.status_code == 200
    assert "Välj ett giltigt alternativ" in refused.content.decode()
    assert Plan.objects.get(pk=plan.pk).toc_depth == 1

    kansli_a.post(page, {**values, "toc_depth": "2", "number_chapters": "on"})
    plan = Plan.objects.get(pk=plan.pk)
    assert (plan.toc_depth, plan.number_chapters) == (2, True)
