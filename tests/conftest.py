"""Shared fixtures (Django is imported lazily, so the pure tests run without it): the personas of CONTRIBUTING.md (kansli, styrelse and revisor of förbund A,
kansli of förbund B who must see nothing of A, and anonymous)."""

from __future__ import annotations

import os
import zlib
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

STOCKHOLM = ZoneInfo("Europe/Stockholm")

# The property tests (hypothesis) judge what they find, never how fast a loaded machine made
# the examples: CI runs one process per core beside a database server, and a slow example
# there is not a failure.
hypothesis_settings.register_profile(
    "finsam", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("finsam")


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


def pytest_collection_modifyitems(config, items):
    """`FINSAM_TEST_LEAVE_THIRD=k` (0, 1 or 2) leaves out the third of the tests whose stable
    number (CRC-32 of the test's id) is k modulo 3. CI's three days each leave out another
    third (.ci/run): every test runs on two of the three days, so on at least one side of the
    turn of the year, and the three days cost two runs of the suite."""
    third = os.environ.get("FINSAM_TEST_LEAVE_THIRD")
    if third is None:
        return
    left, kept = [], []
    for item in items:
        (left if zlib.crc32(item.nodeid.encode()) % 3 == int(third) else kept).append(item)
    config.hook.pytest_deselected(items=left)
    items[:] = kept


@pytest.fixture(scope="session")
def figure_tables(django_db_setup, django_db_blocker) -> set[str]:
    """The tables plan_figures reads, found by running it on a plan with lines, amounts,
    medlemsbidrag, fördelningstal and an insats with money (then rolled back)."""
    from decimal import Decimal

    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from budgets import services
    from budgets.models import BudgetCategory
    from budgets.selectors import plan_figures
    from finsam.models import Fordelningstal
    from tests import change_guard, factories

    with django_db_blocker.unblock(), transaction.atomic():
        forbund = factories.complete_forbund(slug="figure-tables")
        plan = factories.plan(forbund)
        for medlem in forbund.medlemmar.filter(kind="kommun"):
            Fordelningstal.objects.create(medlem=medlem, year=plan.budget_year, invanare=1)
        services.budget_figures_set(
            plan=plan, acting_user=None, medlemsbidrag={(plan.budget_year, "budget"): 400}
        )
        services.budget_line_create(
            plan=plan,
            acting_user=None,
            category=BudgetCategory.objects.filter(group__forbund=forbund).first(),
            name="Rad",
            amounts={(plan.budget_year, "budget"): Decimal(100)},
        )
        factories.insats(plan, name="Insats", money={plan.budget_year: 100})
        with CaptureQueriesContext(connection) as queries:
            plan_figures(plan)
        transaction.set_rollback(True)
    # The förbund's settings (rounding, targets) come with the plan, read along with it.
    return change_guard.tables_read(q["sql"] for q in queries.captured_queries) | {
        forbund._meta.db_table
    }


@pytest.fixture(autouse=True)
def _changes_are_counted(request):
    """Every write of the product to a table the figures read counts a change (see
    tests/change_guard.py); a test that shows one that does not fails."""
    if request.node.get_closest_marker("uncounted_on_purpose") or (
        request.node.get_closest_marker("django_db") is None
        and not {"db", "transactional_db"} & set(request.fixturenames)
    ):
        yield
        return
    from django.db import connection

    from tests.change_guard import ChangeGuard

    guard = ChangeGuard(request.getfixturevalue("figure_tables"))
    with connection.execute_wrapper(guard):
        yield
    if guard.uncounted():
        pytest.fail(guard.report(), pytrace=False)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: a flushed test database gives its ids out again,
    and computed figures are kept by ids (budgets.selectors.plan_figures)."""
    from django.core.cache import cache

    from finsam.cache import memo

    cache.clear()
    memo.clear()  # what a process keeps in front of the cache (finsam.cache.ProcessMemo)
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
