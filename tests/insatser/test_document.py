"""The plan document's generated sections show målgrupper, the plan's mål and the insatser."""

from __future__ import annotations

import pytest

from insatser.models import Indikator
from tests import factories
from tests.helpers import url

pytestmark = pytest.mark.django_db


def test_the_document_generates_malgrupper_mal_and_insatser(personas, world):
    plan = world["plan_a"]
    insats = world["insats_a"]
    factories.mal(
        plan,
        insats=insats,
        text="100 deltagare om året.",
        indikatorer=[
            Indikator(description="Antal deltagare", kind="antal", target_value=100, source="sus")
        ],
    )
    factories.insats(plan, name="Avslutad sedan länge", status="avslutad")
    page = personas["styrelse_a"].get(url("plan_document", plan)).content.decode()
    assert "Inga uppgifter registrerade ännu" not in page
    assert "Målgrupper och de insatser och utvecklingsområden" in page
    assert "Fler deltagare går till arbete eller studier." in page  # the plan's verksamhetsmål
    assert "<h4>Finsam-team</h4>" in page and "100 deltagare om året." in page
    assert "minst 100" in page and "Insatsägare: Region Testlän" in page
    assert "<h4>Avslutad sedan länge</h4>" not in page  # its line stays in the budget section
    assert "Ändra målet" not in page  # no editing links in the document


def test_the_pdf_shows_the_insatser(world):
    from plans.pdf import render_plan_pdf
    from tests.helpers import text_of

    text = text_of(render_plan_pdf(world["plan_a"], draft=True).content)
    assert "Finsam-team" in text and "Unga vuxna 16–29 år" in text
