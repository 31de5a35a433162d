"""No htmx request gets a page inside a page ([13] item 4).

htmx follows a plain redirect inside its request and swaps the page it lands on into the part
that asked: an autosave to a plan submitted in another tab put the whole plan page, header and
menus, into the budget editor. Every htmx endpoint (found from the templates' hx-* attributes,
so a new one is covered) is asked as htmx in each state that makes it refuse, and must answer
with a part, or with HX-Redirect / HX-Refresh that the browser follows as a whole page.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import get_resolver, reverse

from budgets.models import BudgetLine
from plans import workflow
from plans.models import PdfKind, PdfStatus, PlanPdf
from tests import factories
from tests.helpers import grid_post, make_plan

pytestmark = pytest.mark.django_db

STOCKHOLM = ZoneInfo("Europe/Stockholm")
ROOT = Path(settings.BASE_DIR)
HX = {"HX-Request": "true"}
HX_ATTRIBUTE = re.compile(r"""hx-(get|post|put|patch|delete)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
URL_TAG = re.compile(r"""\{%\s*url\s+['"]([\w:-]+)['"]""")


def htmx_endpoints() -> list[tuple[str, str]]:
    """(method, url name) of every hx-get/post/put/patch/delete in the templates and scripts."""
    found = set()
    files = [*(ROOT / "templates").rglob("*.html"), *(ROOT / "static" / "js").glob("*.js")]
    for path in files:
        if path.name == "htmx.min.js":
            continue
        for method, double, single in HX_ATTRIBUTE.findall(path.read_text(encoding="utf-8")):
            target = double or single
            name = URL_TAG.search(target)
            assert name, f"{path.relative_to(ROOT)}: hx-{method} to {target!r}, not a {{% url %}}"
            found.add((method, name.group(1)))
    return sorted(found)


ENDPOINTS = htmx_endpoints()


def test_the_endpoints_are_found_in_the_templates():
    assert ("post", "budget_editor") in ENDPOINTS
    assert ("get", "pdf_status") in ENDPOINTS


@pytest.fixture
def plan():
    _, plan = make_plan("htmx")
    pdf = PlanPdf(plan=plan, kind=PdfKind.UTKAST, status=PdfStatus.KO)
    pdf.save()
    plan.test_pdf = pdf
    return plan


def client_of(membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


def endpoint_url(name: str, plan) -> str:
    """The endpoint's URL for this plan; a new URL parameter must be named here."""
    known = {"slug": plan.forbund.slug, "pk": plan.pk, "pdf_pk": plan.test_pdf.pk}
    params = get_resolver().reverse_dict.getlist(name)[0][0][0][1]
    unknown = set(params) - set(known)
    assert not unknown, f"{name}: say what {sorted(unknown)} is for the test plan"
    return reverse(name, kwargs={p: known[p] for p in params})


def ask(client: Client, method: str, name: str, plan):
    url = endpoint_url(name, plan)
    if method == "get":
        return client.get(url, headers=HX)
    line = BudgetLine.objects.filter(plan=plan).first()
    data = grid_post(plan, {f"a-{line.pk}-{plan.budget_year}-budget": "1 234"})
    return getattr(client, method)(url, data, headers=HX)


def assert_no_page_inside_a_page(response) -> None:
    if 300 <= response.status_code < 400:
        assert "HX-Redirect" in response or "HX-Location" in response, response.status_code
    body = response.content.decode().lower()
    assert "<html" not in body
    assert "site-header" not in body
    assert 'aria-label="konto"' not in body


def submitted(plan, kansli):
    workflow.plan_submit(plan=plan, acting_user=kansli.user)


def adopted(plan, kansli):
    submitted(plan, kansli)
    chair = factories.ledamot(plan.forbund, chair=True)
    workflow.plan_review(plan=plan, acting_user=chair.user, decision="godkand")
    workflow.plan_adopt(
        plan=plan,
        acting_user=chair.user,
        meeting_date=plan.adoption_deadline.replace(day=20),
        paragraph="9",
        present=factories.everyone_present(plan),
    )


@pytest.mark.parametrize("method,name", ENDPOINTS)
@pytest.mark.parametrize("state", [submitted, adopted], ids=["submitted", "adopted"])
def test_a_locked_plan_never_answers_htmx_with_a_page(method, name, state, plan):
    kansli = factories.kansli(plan.forbund)
    client = client_of(kansli)
    state(plan, kansli)
    response = ask(client, method, name, plan)
    assert_no_page_inside_a_page(response)


@pytest.mark.parametrize("method,name", ENDPOINTS)
@pytest.mark.parametrize("role", ["styrelse", "revisor", "other_forbund"])
def test_a_wrong_role_never_gets_a_page_through_htmx(method, name, role, plan):
    membership = {
        "styrelse": lambda: factories.ledamot(plan.forbund),
        "revisor": lambda: factories.revisor(plan.forbund),
        "other_forbund": lambda: factories.kansli(factories.complete_forbund(slug="annat")),
    }[role]()
    response = ask(client_of(membership), method, name, plan)
    assert_no_page_inside_a_page(response)


@pytest.mark.parametrize("method,name", ENDPOINTS)
def test_an_ended_session_sends_htmx_to_the_login_page_whole(method, name, plan):
    kansli = factories.kansli(plan.forbund)
    start = datetime(2026, 11, 2, 9, tzinfo=STOCKHOLM)
    with time_machine.travel(start, tick=False):
        client = client_of(kansli)
    later = start + timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)
    with time_machine.travel(later, tick=False):
        response = ask(client, method, name, plan)
    assert_no_page_inside_a_page(response)
    to = urlsplit(response["HX-Redirect"])
    assert to.path == reverse("login")
    assert parse_qs(to.query)["next"] == [endpoint_url(name, plan)]


def test_an_autosave_to_a_plan_submitted_meanwhile_loads_the_plan_page_with_the_reason(plan):
    kansli = factories.kansli(plan.forbund)
    client = client_of(kansli)
    line = BudgetLine.objects.filter(plan=plan).first()
    before = list(line.amounts.values_list("year", "column", "amount"))
    submitted(plan, kansli)
    response = ask(client, "post", "budget_editor", plan)
    plan_page = reverse("plan_detail", args=[plan.forbund.slug, plan.pk])
    assert response["HX-Redirect"] == plan_page
    assert list(line.amounts.values_list("year", "column", "amount")) == before
    assert "Planen är inlämnad till styrelsen" in client.get(plan_page).content.decode()


def test_a_refused_autosave_reloads_the_page_and_says_why(plan):
    client = client_of(factories.revisor(plan.forbund))
    response = ask(client, "post", "budget_editor", plan)
    assert response["HX-Refresh"] == "true"
    page = client.get(reverse("budget_editor", args=[plan.forbund.slug, plan.pk]))
    assert "Ändringen sparades inte: du har inte behörighet" in page.content.decode()


def test_an_autosave_after_the_session_ended_says_so_on_the_login_page(plan):
    kansli = factories.kansli(plan.forbund)
    start = datetime(2026, 11, 2, 9, tzinfo=STOCKHOLM)
    with time_machine.travel(start, tick=False):
        client = client_of(kansli)
    later = start + timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)
    with time_machine.travel(later, tick=False):
        response = ask(client, "post", "budget_editor", plan)
        login = client.get(response["HX-Redirect"]).content.decode()
    assert "Du har loggats ut, och det du ändrade sist sparades inte" in login


def test_without_javascript_a_locked_plan_still_redirects_to_its_page(plan):
    kansli = factories.kansli(plan.forbund)
    client = client_of(kansli)
    submitted(plan, kansli)
    url = endpoint_url("budget_editor", plan)
    line = BudgetLine.objects.filter(plan=plan).first()
    response = client.post(url, grid_post(plan, {f"a-{line.pk}-{plan.budget_year}-budget": "1"}))
    assert response.status_code == 302
    assert response["Location"] == reverse("plan_detail", args=[plan.forbund.slug, plan.pk])
