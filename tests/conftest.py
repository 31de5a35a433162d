"""Shared fixtures (Django is imported lazily, so the pure tests run without it): the personas of CONTRIBUTING.md (kansli, styrelse and revisor of förbund A,
kansli of förbund B who must see nothing of A, and anonymous)."""

from __future__ import annotations

import os
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def pytest_configure(config):
    """`FINSAM_TEST_CLOCK=2027-12-01T09:00` runs the whole suite as if it were that moment in
    Stockholm, with the clock ticking on from there. The suite must pass on any day: .ci/run
    runs it again on 1 December, 31 December and 1 January (CONTRIBUTING.md, "Datum")."""
    moment = os.environ.get("FINSAM_TEST_CLOCK")
    if moment:
        start = datetime.fromisoformat(moment)
        if start.tzinfo is None:
            start = start.replace(tzinfo=STOCKHOLM)
        config._finsam_clock = time_machine.travel(start, tick=True)
        config._finsam_clock.start()


def pytest_report_header(config):
    if getattr(config, "_finsam_clock", None):
        return f"finsam: the clock is set to {os.environ['FINSAM_TEST_CLOCK']} (Europe/Stockholm)"
    return None


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: a flushed test database gives its ids out again,
    and computed figures are kept by ids (budgets.selectors.plan_figures)."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def forbund_a(db):
    from tests import factories

    return factories.complete_forbund(name="Samordningsförbundet A", slug="forbund-a")


@pytest.fixture
def forbund_b(db):
    from tests import factories

    return factories.complete_forbund(name="Samordningsförbundet B", slug="forbund-b")


def _client_for(membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    client.membership = membership
    return client


@pytest.fixture
def personas(forbund_a, forbund_b):
    """Logged-in clients by persona name."""
    from tests import factories

    return {
        "kansli_a": _client_for(factories.kansli(forbund_a)),
        "styrelse_a": _client_for(factories.ledamot(forbund_a, chair=True)),
        "revisor_a": _client_for(factories.revisor(forbund_a)),
        "kansli_b": _client_for(factories.kansli(forbund_b)),
        "anonymous": Client(),
    }


@pytest.fixture
def kansli_a(personas):
    return personas["kansli_a"]


@pytest.fixture
def world(forbund_a, forbund_b):
    """Objects of förbund A (and B) that URLs in the persona matrix point at."""
    from budgets import services
    from budgets.models import BudgetCategory
    from plans import services as plan_services

    plan = plan_services.plan_create(forbund=forbund_a, acting_user=None, budget_year=2027)
    category = BudgetCategory.objects.get(group__forbund=forbund_a, name="Kansli")
    line = services.budget_line_create(
        plan=plan,
        acting_user=None,
        category=category,
        name="Kansli",
        amounts={(2027, "budget"): 500},
    )
    from django.core.files.base import ContentFile

    from plans.models import PdfKind, PdfStatus, PlanPdf

    pdf = PlanPdf(plan=plan, kind=PdfKind.UTKAST, status=PdfStatus.KLAR, sha256="0" * 64, pages=1)
    pdf.file.save("test.pdf", ContentFile(b"%PDF-1.7 test"), save=True)
    from tests import factories

    # An insats without money, so that the plan's figures stay those of the line above.
    malgrupp = factories.malgrupp(plan, name="Unga vuxna 16–29 år")
    insats = factories.insats(plan, name="Finsam-team", malgrupper=[malgrupp])
    mal = factories.mal(plan, text="Fler deltagare går till arbete eller studier.")
    from plans.models import Comment

    # A thread by someone outside the personas: only förbund A's kansli may resolve it.
    comment = Comment.objects.create(
        plan=plan, author=factories.UserFactory(), text="Kan detta förtydligas?"
    )
    return {
        "forbund_a": forbund_a,
        "forbund_b": forbund_b,
        "medlem_a": forbund_a.medlemmar.get(kind="kommun", name="Testköping 1"),
        "plan_a": plan,
        "line_a": line,
        "group_a": category.group,
        "category_a": category,
        "section_a": plan.sections.first(),
        "event_a": plan.arshjul.first(),
        "pdf_a": pdf,
        "malgrupp_a": malgrupp,
        "insats_a": insats,
        "mal_a": mal,
        "comment_a": comment,
    }
