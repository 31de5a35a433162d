"""The PDF in the förbund's own shape: words in tables whole, its contents list to the depth it
chooses with its chapter numbers, and its notes numbered."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from budgets import services as budget_services
from budgets.services import budget_years_update
from plans import services as plan_services
from plans.models import Plan
from plans.pdf import render_plan_pdf
from tests import factories
from tests.helpers import form_values, text_of, url

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


def test_every_note_is_numbered_at_its_figure_and_below_its_table(clean_plan, kansli_a):
    plan = clean_plan
    budget_years_update(
        plan=plan,
        acting_user=None,
        rows={
            row.pk: {"balance_item": "kortfristiga_skulder", "omsattningstillgangar": 900_000}
            for row in plan.year_rows.filter(column="budget")
        },
    )
    line = plan.budget_lines.get(name="Kansli")
    budget_services.budget_line_update(
        line=line, acting_user=None, data={"note": "Kansliet delas med grannförbundet."}
    )
    budget_services.budget_amount_notes_set(
        line=line, acting_user=None, notes={(2027, "budget"): "Varav 100 000 kr engångskostnad."}
    )

    lines = [
        " ".join(x.split()) for x in text_of(render_plan_pdf(plan, draft=True).content).splitlines()
    ]
    assert "Kansli1) 5002) 0 0" in lines  # the line's note, then the one amount's
    assert "1) Kansliet delas med grannförbundet." in lines
    assert "2) Varav 100 000 kr engångskostnad." in lines
    # The balansbudget's computed row carries a numbered note too (it had an unnumbered "*").
    assert any(x.startswith("Kortfristiga skulder") and x.count("1)") == 3 for x in lines)
    balance_note = (
        "Räknas fram ur eget kapital och de andra posterna, så att balansbudgeten går ihop."
    )
    assert f"1) {balance_note}" in lines

    page = kansli_a.get(url("budget_statements", plan)).content.decode()
    marks = '<sup><a href="#balansbudget-fotnot-1" aria-label="fotnot 1">1)</a></sup>'
    assert page.count(marks) == 3
    assert f'<li id="balansbudget-fotnot-1" value="1">{balance_note}</li>' in page
    assert '<a href="#fotnot-2" aria-label="fotnot 2">2)</a>' in page
