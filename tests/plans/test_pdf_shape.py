"""The PDF in the förbund's own shape: words in tables whole, its contents list to the depth it
chooses with its chapter numbers, and the rows it adds to its statements."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from plans.pdf import render_plan_pdf
from tests import factories

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
