"""Risk × effekt: each active insats placed once; high risk with low effect is a plan finding."""

from __future__ import annotations

import pytest

from budgets.checks import RISK_HIGH_EFFECT_LOW, RiskItem, check_risk_effect
from budgets.selectors import plan_figures
from insatser.checks import risk_matrix
from insatser.rules import LEVELS
from tests import factories
from tests.helpers import url


def item(key, risk="", effekt="", active=True):
    return RiskItem(key=str(key), name=f"Insats {key}", risk=risk, effekt=effekt, active=active)


def test_every_active_insats_is_placed_exactly_once():
    items = [item(i, r, e) for i, (r, e) in enumerate((r, e) for r in LEVELS for e in LEVELS)]
    items += [item(90), item(91, "hog", ""), item(92, "hog", "lag", active=False)]
    matrix = risk_matrix(items)
    placed = [i.key for cell in matrix.cells.values() for i in cell] + [
        i.key for i in matrix.unassessed
    ]
    assert sorted(placed) == sorted(i.key for i in items if i.active)
    assert len(placed) == len(set(placed))
    assert [i.key for i in matrix.unassessed] == ["90", "91"]
    assert [i.key for i in matrix.cells[("hog", "lag")]] == ["6"]


def test_the_matrix_is_drawn_with_high_risk_on_top_and_low_effect_first():
    rows = risk_matrix([]).rows
    assert [risk for risk, _ in rows] == ["hog", "medel", "lag"]
    assert [effekt for effekt, _ in rows[0][1]] == ["lag", "medel", "hog"]


def test_only_active_insatser_with_high_risk_and_low_effect_are_findings():
    findings = check_risk_effect(
        [
            item(1, "hog", "lag"),
            item(2, "hog", "medel"),
            item(3, "medel", "lag"),
            item(4, "hog", "lag", active=False),
            item(5),
        ]
    )
    assert [(f.code, f.severity, f.ref, f.year) for f in findings] == [
        (RISK_HIGH_EFFECT_LOW, "varning", "insats:1", None)
    ]
    assert "Insats 1 har hög risk och låg effekt" in findings[0].message


@pytest.mark.django_db
def test_the_finding_appears_among_the_plan_checks(personas, world):
    plan = world["plan_a"]
    risky = factories.insats(plan, name="Osäker", risk="hog", effekt="lag")
    factories.insats(plan, name="Avslutad", risk="hog", effekt="lag", status="avslutad")
    factories.insats(plan, name="Stabil", risk="lag", effekt="hog")
    findings = [f for f in plan_figures(plan).findings if f.code == RISK_HIGH_EFFECT_LOW]
    assert [f.ref for f in findings] == [f"insats:{risky.pk}"]
    for name in ("budget_editor", "plan_detail"):
        page = personas["revisor_a"].get(url(name, plan)).content.decode()
        assert "Osäker har hög risk och låg effekt" in page
    listing = personas["styrelse_a"].get(url("insats_list", plan)).content.decode()
    assert "Hög risk, låg effekt" in listing


@pytest.mark.django_db
def test_the_matrix_page_places_each_insats_once_and_singles_out_the_alert(personas, world):
    plan = world["plan_a"]
    factories.insats(plan, name="Osäker", risk="hog", effekt="lag")
    factories.insats(plan, name="Stabil", risk="lag", effekt="hog")
    factories.insats(plan, name="Medel", risk="medel", effekt="medel")
    factories.insats(plan, name="Gammal", risk="hog", effekt="lag", status="avslutad")
    response = personas["styrelse_a"].get(url("risk_matrix", plan))
    page = response.content.decode()
    for name in ("Osäker", "Stabil", "Medel", "Finsam-team"):
        assert page.count(f">{name}</a>") == 1, name
    assert ">Gammal</a>" not in page
    alert = page.split("risk-alert")[1].split("</td>")[0]
    assert "Osäker" in alert and "Åtgärda eller avsluta" in alert
    assert [i.name for i in response.context["matrix"].unassessed] == ["Finsam-team"]
