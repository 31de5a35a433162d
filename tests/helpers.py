"""Helpers the tests share: URLs, form posts as a browser sends them, growing a plan, reading a
PDF, logging in a browser, and the pinned query counts of the budget pages. Tests import from
here, never from one another or from a conftest."""

from __future__ import annotations

import io
from decimal import Decimal
from html.parser import HTMLParser

from django.urls import reverse
from pypdf import PdfReader

from budgets import services
from budgets.models import BudgetCategory
from finsam.models import Fordelningstal

# The budget pages' queries, in order:
#  1 session, 2 user, 3 the user's roles with their förbund, 4 the plan,
#  5 the plan's budget years, 6 the förbund's members, 7 the kommuner's fördelningstal,
#  8 budget groups, 9 their categories (prefetch), 10 the plan's lines, 11 their amounts.
BUDGET_PAGE_QUERIES = 11
# The plan's overview adds, to the same eleven: 12 this round's approvals, 13 the ordinarie
# ledamöter and 14 their approvals (quorum), 15 the user's roles (may record the decision),
# 16 the budget year's versions, 17 the latest PDFs, 18 the archived PDF, 19 the comment
# threads (unresolved ones listed, the återremiss reason shown), 20 where the opening eget
# kapital came from when the plan was carried forward from a followed year (followup.PlanSource).
PLAN_DETAIL_QUERIES = 20


def url(name, plan, *extra):
    return reverse(name, args=[plan.forbund.slug, plan.pk, *extra])


def member(plan, kind: str, index: int = 0):
    return [m for m in plan.forbund.medlemmar.all() if m.kind == kind][index]


def insats_post(plan, **over) -> dict:
    """Everything the insats form sends for a plain individinriktad insats, with overrides.

    Per-year keys go as "beviljat_2027" etc. and become the form's "ar2027-beviljat".
    """
    data = {
        "name": "Unga till arbete",
        "description": "Ett team för unga vuxna.",
        "kind": "individ",
        "individ_percent": "",
        "struktur_percent": "",
        "status": "beviljad",
        "agare": str(member(plan, "region").pk),
        "parter": [str(member(plan, "fk").pk)],
        "malgrupper": [],
        "age_min": "16",
        "age_max": "29",
        "start": f"{plan.budget_year}-01-01",
        "end": "",
        "decision_date": "",
        "decision_paragraph": "",
        "contact_name": "",
        "contact_email": "",
        "contact_phone": "",
        "risk": "",
        "risk_comment": "",
        "effekt": "",
        "effekt_comment": "",
        "agenda2030": [],
        "order": "",
    }
    for year in plan.years:
        for name in ("beviljat", "esf_percent", "esf_amount", "medfinansiar", "medfinansiering"):
            data[f"ar{year}-{name}"] = ""
    for key, value in over.items():
        field, _, year = key.rpartition("_")
        if year.isdigit() and field:
            data[f"ar{year}-{field}"] = value
        else:
            data[key] = value
    return data


def grow(plan, n_lines: int) -> None:
    """Add lines with amounts in every year, and fördelningstal for every kommun and year."""
    categories = list(BudgetCategory.objects.filter(group__forbund=plan.forbund))
    for i in range(n_lines):
        services.budget_line_create(
            plan=plan,
            acting_user=None,
            category=categories[i % len(categories)],
            name=f"Rad {plan.budget_lines.count() + 1}",
            amounts={(y, "budget"): Decimal(1000 * (i + 1)) for y in plan.years},
        )
    for medlem in plan.forbund.medlemmar.filter(kind="kommun"):
        for year in plan.years:
            Fordelningstal.objects.get_or_create(
                medlem=medlem, year=year, defaults={"invanare": 5000}
            )


def text_of(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages).replace("\xa0", " ")


def login(page, live_server, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/konto/logga-in/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()


def editor_url(plan) -> str:
    return reverse("budget_editor", args=[plan.forbund.slug, plan.pk])


def grid_post(plan, changes: dict[str, str]) -> dict:
    """The editor's form as the browser sends it: every field with its shown value, some changed."""
    from budgets.forms import BudgetGridForm
    from budgets.selectors import plan_figures

    form = BudgetGridForm(plan_figures(plan))
    data = {}
    for name in form.cells:
        data[name] = form.initial_text(name)
        data["o-" + name] = form.shown_text(name)
    data.update(changes)
    return data


def make_plan(slug: str):
    """A förbund with a draft plan for 2027: medlemsbidrag 4 mkr and a Kansli line of 1 mkr a year."""
    from plans import services as plan_services
    from tests import factories

    forbund = factories.complete_forbund(name=f"Samordningsförbundet {slug}", slug=slug)
    plan = plan_services.plan_create(forbund=forbund, acting_user=None, budget_year=2027)
    for medlem in forbund.medlemmar.filter(kind="kommun"):
        for year in plan.years:
            Fordelningstal.objects.create(medlem=medlem, year=year, invanare=10_000)
    services.budget_figures_set(
        plan=plan,
        acting_user=None,
        medlemsbidrag={(y, "budget"): Decimal(4_000_000) for y in plan.years},
    )
    category = BudgetCategory.objects.get(group__forbund=forbund, name="Kansli")
    services.budget_line_create(
        plan=plan,
        acting_user=None,
        category=category,
        name="Kansli",
        amounts={(y, "budget"): Decimal(1_000_000) for y in plan.years},
    )
    return forbund, plan


class _FormValues(HTMLParser):
    def __init__(self):
        super().__init__()
        self.values: dict[str, str | list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self.values.setdefault(name, []).append(a.get("value", "on"))
            else:
                self.values[name] = a.get("value") or ""
        elif tag == "select" and name:
            self._select = name
            self.values.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select].append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data


def form_values(html: str) -> dict:
    """What a browser would send for the page's form fields as they stand (ticked boxes and
    selected options as lists, the test client sends them as repeated fields)."""
    parser = _FormValues()
    parser.feed(html)
    return parser.values


def adopt_plan(plan) -> None:
    """Mark a plan adopted as the board's decision leaves it (status, meeting date, §)."""
    from plans.models import Plan

    Plan.objects.filter(pk=plan.pk).update(
        status="antagen", meeting_date="2026-11-20", paragraph="§1"
    )
    plan.refresh_from_db()
