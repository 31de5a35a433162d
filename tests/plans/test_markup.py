"""The simple markup of a section's text: what a kansli officer types without the rich editor
becomes headings, paragraphs, lists, tables and links, and comes back as the same text."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from plans.markup import html_to_markup, markup_to_html
from plans.sanitize import sanitize_html
from tests import factories
from tests.helpers import form_values

TEXT = """## Bakgrund
Förbundet bildades 2005 av **fyra** parter.
Rad två i samma stycke.

- Försäkringskassan
- Arbetsförmedlingen

1. Först
2. Sedan

| År | Deltagare |
|---|---|
| 2024 | 120 |

Läs mer på [förbundets webbplats](https://finsam.se/om?a=1&b=2)."""


def test_the_markup_becomes_html_in_the_allowed_subset():
    html = sanitize_html(TEXT)
    assert html.startswith("<h3>Bakgrund</h3><p>Förbundet bildades 2005 av <strong>fyra</strong>")
    assert "parter.<br>Rad två" in html
    assert "<ul><li>Försäkringskassan</li><li>Arbetsförmedlingen</li></ul>" in html
    assert "<ol><li>Först</li><li>Sedan</li></ol>" in html
    assert "<thead><tr><th>År</th><th>Deltagare</th></tr></thead>" in html
    assert "<tbody><tr><td>2024</td><td>120</td></tr></tbody>" in html
    assert '<a href="https://finsam.se/om?a=1&amp;b=2" rel="noopener noreferrer">' in html


def test_bold_text_keeps_the_paragraphs_apart():
    # Before: one <strong> made the whole text "HTML", and its blank lines no longer split it.
    html = markup_to_html("Första stycket med **fetstil**.\n\nAndra stycket.")
    assert html == "<p>Första stycket med <strong>fetstil</strong>.</p><p>Andra stycket.</p>"


def test_what_is_typed_as_a_tag_is_shown_as_text_never_run():
    html = sanitize_html("<script>alert(1)</script> och <b onclick=x>fet</b>")
    assert "<script" not in html and "onclick" not in html
    assert sanitize_html("[x](javascript:alert(1))") == "<p>[x](javascript:alert(1))</p>"


def test_pasted_word_html_keeps_structure_and_drops_styles():
    word = (
        '<p class=MsoNormal style="mso-margin-top-alt:auto"><b><span style="font-size:12pt">'
        "Mål</span></b></p><ul style='margin-top:0cm'><li class=MsoListParagraph "
        "style='mso-list:l0 level1 lfo1'>Ett</li></ul><table class=MsoTableGrid border=1 "
        "style='border-collapse:collapse'><tr><td width=200 style='width:5cm'>A</td></tr></table>"
    )
    html = sanitize_html(word)
    assert html == (
        "<p><b>Mål</b></p><ul><li>Ett</li></ul><table><tbody><tr><td>A</td></tr></tbody></table>"
    )


blocks = st.one_of(
    st.builds(
        lambda t: f"## {t}", st.text("abcåäö ", min_size=1, max_size=12).map(str.strip).filter(bool)
    ),
    st.builds(
        lambda items: "\n".join(f"- {i}" for i in items),
        st.lists(
            st.text("abcXYZ 12", min_size=1, max_size=10).map(str.strip).filter(bool),
            min_size=1,
            max_size=4,
        ),
    ),
    st.builds(
        lambda items: "\n".join(f"{n}. {i}" for n, i in enumerate(items, 1)),
        st.lists(
            st.text("abc 12", min_size=1, max_size=10).map(str.strip).filter(bool),
            min_size=1,
            max_size=4,
        ),
    ),
    st.builds(
        lambda words: " ".join(words),
        st.lists(
            st.one_of(
                st.text("abcåäöXYZ<>&\"'", min_size=1, max_size=8).map(str.strip).filter(bool),
                st.sampled_from(["**fet**", "*kursiv*", "[länk](https://a.se/x)"]),
            ),
            min_size=1,
            max_size=6,
        ),
    ),
)


@given(st.lists(blocks, min_size=1, max_size=5))
def test_stored_text_comes_back_as_the_same_markup(parts):
    # As the section form does: the markup to HTML, sanitised on save.
    html = sanitize_html(markup_to_html("\n\n".join(parts)))
    assert sanitize_html(markup_to_html(html_to_markup(html))) == html


@pytest.mark.django_db
def test_a_section_is_edited_as_markup_and_stored_as_html():
    forbund = factories.complete_forbund(kommuner=1)
    plan = factories.plan(forbund)
    section = plan.sections.get(title="Styrelsens uppdrag")
    client = Client()
    client.force_login(factories.kansli(forbund).user)
    url = reverse("section_edit", args=[forbund.slug, plan.pk, section.pk])
    data = form_values(client.get(url).content.decode())
    assert (
        data["body"]
        .lstrip("\n")
        .startswith("Styrelsen ska enligt lagen och förbundsordningen:\n\n- besluta")
    )
    data["body"] = TEXT
    assert client.post(url, data).status_code == 302
    section.refresh_from_db()
    assert section.body.startswith("<h3>Bakgrund</h3>")
    assert "<ul><li>Försäkringskassan</li>" in section.body


def test_the_rich_editors_html_comes_back_as_markup():
    # The editor wraps list items and table cells in paragraphs.
    html = (
        "<p>Vi ska <strong>särskilt</strong> prioritera:</p>"
        "<ul><li><p>Unga vuxna</p></li><li><p>Nyanlända</p></li></ul>"
        "<table><tbody><tr><td><p>År</p></td><td><p>2025</p></td></tr></tbody></table>"
    )
    assert html_to_markup(html) == (
        "Vi ska **särskilt** prioritera:\n\n- Unga vuxna\n- Nyanlända\n\n| År | 2025 |"
    )
