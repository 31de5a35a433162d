"""The demo carries its seeds in full ([9]): each plan's sections and årshjul as the seed has
them, so a demo PDF can be read beside its seed."""

from __future__ import annotations

import pytest
from django.db import transaction

from plans.demo import load_demo
from plans.models import Plan
from plans.sanitize import plain_text

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        yield
        transaction.set_rollback(True)


def _plan(slug: str) -> Plan:
    return Plan.objects.filter(forbund__slug=slug).order_by("-budget_year").first()


@pytest.mark.parametrize(
    ("slug", "titles", "sentences"),
    [
        (
            "goteborg",
            [
                "Finsamlagen",
                "Styrelsens uppdrag",
                "Samverkan lokalt, regionalt och nationellt",
                "Styrelsen och revision",
                "Kansli och administration",
                "Riskanalys och internkontroll",
                "Ekonomisk information",
            ],
            [
                "Samordningsförbundet Göteborg bildades 2019 genom en sammanslagning",
                "Styrelsen består av åtta ordinarie ledamöter samt åtta ersättare",
                "Vid utgången av 2020 kommer förbundet ha ett eget kapital på 16,9 mkr",
            ],
        ),
        (
            "sundsvall",
            [
                "Inledning",
                "Syfte",
                "Vision",
                "Uppgifter",
                "Organisation",
                "Ekonomi",
                "Uppföljning och utvärdering",
                "Kommunikation och information",
            ],
            [
                "Samordningsförbundet i Sundsvall bildades i december 2004",
                "Styrelsen är beslutoför när minst hälften av ledamöterna är närvarande. Ersättarna "
                "har närvaro- och yttranderätt men ingen beslutsrätt.",
                "Försäkringskassan utser statens revisor.",
            ],
        ),
        (
            "sodra-vatterbygden",
            [
                "Inledning",
                "Vision",
                "Samordningsförbundets uppgifter",
                "Inriktning på samverkansarbetet",
                "Samordningsförbundets organisation",
                "Finansiella mål",
                "Verksamhet under 2020",
            ],
            [
                "Förbundet är en fristående juridisk person som består av sju medlemmar",
                "Förbundet verkar samtidigt som strategisk förändringsaktör genom att uppmärksamma",
                "Nationella rådet rekommenderar att samordningsförbund i vår storlek",
            ],
        ),
    ],
)
def test_each_demo_plan_has_its_seeds_sections_and_text(demo, slug, titles, sentences):
    plan = _plan(slug)
    sections = {s.title: s for s in plan.sections.all()}
    for title in titles:
        assert title in sections
    text = " ".join(plain_text(s.intro) + " " + plain_text(s.body) for s in sections.values())
    text = " ".join(text.split())
    for sentence in sentences:
        assert sentence in text
    # No empty heading: every text section has its text.
    assert [s.title for s in sections.values() if s.is_empty] == []


def test_goteborgs_arshjul_is_the_seeds_months_not_invented_dates(demo):
    events = list(_plan("goteborg").arshjul.all())
    assert [(e.date.month, e.month_only) for e in events] == [
        (1, True),
        (3, True),
        (4, True),
        (5, True),
        (8, True),
        (9, True),
        (11, True),
    ]
    # As the seed's "Årsplanering" states them.
    assert events[1].title == "Styrelsen fattar beslut om årsredovisningen"
    assert events[4].title.startswith("Gemensam planeringsdag med beredningsgruppen")
