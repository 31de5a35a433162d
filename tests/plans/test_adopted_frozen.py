"""An adopted plan never changes: every förbund-level write a kansli can make after adoption
leaves its plan_summary, its pages and its archived PDF as they were, and a submitted plan is
just as still under the board's eyes. A draft keeps following its förbund."""

from __future__ import annotations

import hashlib
import importlib
import io
import json
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from budgets import services as budget_services
from budgets.models import BudgetCategory, BudgetGroup, Statement
from budgets.selectors import freeze_inputs
from finsam import services as finsam_services
from finsam.models import Fordelningstal, Medlem
from insatser.models_mal import Indikator
from insatser.services_mal import Outcome, utfall_set
from plans import workflow
from plans.demo import load_demo
from plans.models import Plan
from plans.pdf import render_plan_pdf
from tests import factories
from tests.helpers import make_plan, text_of
from tests.matrix_rows import ROWS, statement_note_a

pytestmark = pytest.mark.django_db


def _summary(plan) -> dict:
    out = io.StringIO()
    call_command(
        "plan_summary",
        forbund=plan.forbund.slug,
        year=plan.budget_year,
        plan_version=plan.version,
        stdout=out,
    )
    data = json.loads(out.getvalue())
    data.pop("findings", None)  # the deadline finding moves with today's date, not the data
    return data


def _pages(client, plan) -> dict[str, str]:
    pages = {}
    for name in ("plan_detail", "budget_editor", "budget_statements", "plan_document"):
        html = client.get(reverse(name, args=[plan.forbund.slug, plan.pk])).content.decode()
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
        main = html[html.index("<main") : html.index("</main>")]
        # A revision adds a link to itself beside the adopted version: the plan is unchanged.
        main = re.sub(r"<p>Versioner för .*?</p>", "", main)
        pages[name] = re.sub(r"\s+", " ", main)
    return pages


def _forbund_writes(forbund):
    """Each förbund-level write a kansli can make, through its service."""
    kansli = None
    groups = {g.name: g for g in BudgetGroup.objects.for_forbund(forbund)}
    cost_groups = [g for g in groups.values() if g.side == "kostnad"]
    income = BudgetCategory.objects.filter(group__forbund=forbund, group__side="intakt").first()
    cost = BudgetCategory.objects.filter(group__forbund=forbund, group__side="kostnad").first()
    kommun = forbund.medlemmar.filter(kind="kommun").first()
    yield (
        "avrundning",
        lambda: finsam_services.forbund_update(
            forbund=forbund, acting_user=kansli, data={"rounding_unit": 1000}
        ),
    )
    yield (
        "enhet",
        lambda: finsam_services.forbund_update(
            forbund=forbund,
            acting_user=kansli,
            data={"amount_unit": "kr" if forbund.amount_unit == "tkr" else "tkr"},
        ),
    )
    yield (
        "andel",
        lambda: budget_services.budget_structure_save(
            obj=cost_groups[0], acting_user=kansli, data={"share_kind": "ovrigt"}
        ),
    )
    yield (
        "rad i resultatbudgeten",
        lambda: budget_services.budget_structure_save(
            obj=cost, acting_user=kansli, data={"statement": Statement.FINANSIELL}
        ),
    )
    yield (
        "kategori till annan grupp",
        lambda: budget_services.budget_structure_save(
            obj=income, acting_user=kansli, data={"group": cost_groups[-1]}
        ),
    )
    yield (
        "fördelningstal",
        lambda: Fordelningstal.objects.update_or_create(
            medlem=kommun, year=2021, defaults={"invanare": 1, "avtalad_andel": None}
        ),
    )
    yield (
        "ny kommun",
        lambda: finsam_services.medlem_save(
            medlem=Medlem(forbund=forbund, name="Nyköping", kind="kommun", order=99),
            acting_user=kansli,
            data={},
            fordelningstal=[Fordelningstal(year=y, invanare=500_000) for y in (2021, 2022, 2023)],
        ),
    )


def test_no_forbund_write_changes_an_adopted_plan():
    load_demo()
    plan = Plan.objects.get(forbund__slug="goteborg", budget_year=2021)
    assert plan.is_adopted and plan.frozen
    client = Client()
    client.force_login(factories.revisor(plan.forbund).user)
    before = (
        _summary(plan),
        _pages(client, plan),
        text_of(render_plan_pdf(plan, draft=False).content),
    )
    changed = []
    for name, write in _forbund_writes(plan.forbund):
        write()
        plan = Plan.objects.get(pk=plan.pk)
        after = (
            _summary(plan),
            _pages(client, plan),
            text_of(render_plan_pdf(plan, draft=False).content),
        )
        if after != before:
            changed.append(name)
    assert changed == []


def test_a_draft_follows_its_forbund(forbund_a):
    plan = factories.plan(forbund_a)
    budget_services.budget_figures_set(
        plan=plan, acting_user=None, medlemsbidrag={(2027, "budget"): Decimal(4_000_000)}
    )
    before = _summary(plan)
    finsam_services.forbund_update(forbund=forbund_a, acting_user=None, data={"rounding_unit": 100})
    assert _summary(plan) == before  # same figures: 4 000 000 divides by 100 …
    finsam_services.forbund_update(forbund=forbund_a, acting_user=None, data={"amount_unit": "tkr"})
    assert _summary(plan)["plan"]["amount_unit"] == "tkr"  # … but a draft shows the new unit


class _Form(HTMLParser):
    """The fields of a page's forms as a browser would send them, with their kinds and choices."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, dict] = {}
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                field = self.fields.setdefault(name, {"kind": kind, "value": [], "choices": []})
                field["choices"].append(a.get("value", "on"))
                if "checked" in a:
                    field["value"].append(a.get("value", "on"))
            else:
                self.fields[name] = {"kind": kind, "value": a.get("value") or ""}
        elif tag == "select" and name:
            self._select = self.fields[name] = {"kind": "select", "value": [], "choices": []}
        elif tag == "option" and self._select is not None:
            self._select["choices"].append(a.get("value", ""))
            if "selected" in a:
                self._select["value"].append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = self.fields[name] = {"kind": "textarea", "value": ""}

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data


def _changed(field: dict):
    """Another value for a field, as a person changing it would type or pick."""
    if field["kind"] in ("select", "radio", "checkbox"):
        others = [c for c in field["choices"] if c not in field["value"] and c != ""]
        if field["kind"] == "checkbox":
            return others[:1] if not field["value"] else []
        return others[-1:] or field["value"]
    value = field["value"]
    if re.fullmatch(r"-?[\d\s\xa0]+(,\d+)?", value.strip() or "x"):
        return str(int(re.sub(r"\D", "", value) or 0) + 7)
    return (value + " (ändrad)").strip()


def _post_data(fields: dict, change: str | None) -> dict:
    data = {}
    for name, field in fields.items():
        value = _changed(field) if name == change else field["value"]
        data[name] = value
    return data


KEEP = {"csrfmiddlewaretoken", "lock_version", "engang"}


def _walk(client, url: str) -> list[int]:
    """Post the form at url once with every field changed, then once per field changed."""
    statuses = []
    page = client.get(url)
    if page.status_code != 200:
        return [client.post(url, {}).status_code]
    parser = _Form()
    parser.feed(page.content.decode())
    names = [n for n in parser.fields if n not in KEEP and not n.endswith(("-lock_version", "-id"))]
    statuses.append(client.post(url, _post_data(parser.fields, None)).status_code)
    for name in names:
        parser = _Form()
        parser.feed(client.get(url).content.decode())
        if name in parser.fields:
            statuses.append(client.post(url, _post_data(parser.fields, name)).status_code)
    return statuses


def _outputs(client, plan, insats) -> tuple:
    pages = _pages(client, plan)
    for name, kwargs in (
        ("insats_list", {}),
        ("insats_detail", {"insats_pk": insats.pk}),
        ("plan_mal", {}),
        ("malgrupp_list", {}),
        ("risk_matrix", {}),
    ):
        url = reverse(name, kwargs={"slug": plan.forbund.slug, "pk": plan.pk, **kwargs})
        html = re.sub(
            r'name="csrfmiddlewaretoken" value="[^"]+"', "", client.get(url).content.decode()
        )
        pages[name] = html[html.index("<main") : html.index("</main>")]
    return _summary(Plan.objects.get(pk=plan.pk)), pages


def _difference(before, after) -> str:
    """Where the outputs first differ, for the failure message."""
    for name, a, b in [("plan_summary", json.dumps(before[0]), json.dumps(after[0]))] + [
        (page, before[1][page], after[1][page]) for page in before[1]
    ]:
        if a != b:
            at = next(i for i, (x, y) in enumerate(zip(a + "\0", b + "\1", strict=False)) if x != y)
            return f"{name}: …{a[max(0, at - 80) : at + 80]}… → …{b[max(0, at - 80) : at + 80]}…"
    return ""


# Follow-up is recorded after adoption by design: outcomes are shown on the mål pages and never
# in the adopted document (tested below).
FOLLOW_UP = {"mal_utfall"}


def test_every_form_a_kansli_can_post_leaves_an_adopted_plan_as_adopted(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        load_demo()  # the adopted plan's PDF is rendered and archived as the adoption commits
    plan = Plan.objects.get(forbund__slug="goteborg", budget_year=2021)
    forbund = plan.forbund
    archived = plan.pdfs.get(kind="antagen")
    stored = archived.file.read()
    assert hashlib.sha256(stored).hexdigest() == archived.sha256
    # A row of its own in a statement, there before the walk, for the forms that post to one.
    statement_note_a({"plan_a": plan})
    pdf_text = text_of(render_plan_pdf(plan, draft=False).content)
    insats = plan.insatser.exclude(agare=None).first()
    line = plan.budget_lines.filter(insats=None).first()
    world = {
        "forbund_a": forbund,
        "plan_a": plan,
        "line_a": line,
        "group_a": line.category.group,
        "category_a": line.category,
        "section_a": plan.sections.first(),
        "event_a": plan.arshjul.first(),
        "pdf_a": archived,
        "malgrupp_a": plan.malgrupper.first(),
        "insats_a": insats,
        "mal_a": plan.mal.first(),
        "medlem_a": insats.agare,
    }
    client = Client()
    client.force_login(get_user_model().objects.get(username="kansli-goteborg"))
    reader = Client()
    reader.force_login(factories.revisor(forbund).user)
    before = _outputs(reader, plan, insats)
    changed, saved, walked = [], 0, []
    for name, row in sorted(ROWS.items()):
        if not row.writes or name in FOLLOW_UP or row.expect.get("kansli_a") not in (200, 405):
            continue
        url = reverse(name, kwargs=row.kwargs(world))
        statuses = _walk(client, url)
        assert max(statuses) < 500, name
        saved += statuses.count(302)
        walked.append(name)
        after = _outputs(reader, plan, insats)
        if after != before:
            changed.append((name, _difference(before, after)))
            before = after
    # And the system administrator's forms: the förbund with its members, a member with its
    # fördelningstal (Django admin).
    admin = Client()
    admin.force_login(get_user_model().objects.create_superuser("admin-walk", "a@example.se", "x"))
    for model, obj in (("forbund", forbund), ("medlem", insats.agare)):
        url = reverse(f"admin:finsam_{model}_change", args=[obj.pk])
        statuses = _walk(admin, url)
        assert max(statuses) < 500, model
        assert statuses.count(302) >= 3, model  # the admin did save changes
        after = _outputs(reader, plan, insats)
        if after != before:
            changed.append((f"admin {model}", _difference(before, after)))
            before = after
    assert changed == []
    # The walk did change the förbund: its name, members, groups and categories were saved.
    assert saved >= 10
    forbund.refresh_from_db()
    assert forbund.name.endswith("(ändrad)")
    assert len(walked) >= 30
    plan = Plan.objects.get(pk=plan.pk)
    assert plan.pdfs.get(kind="antagen").file.read() == stored
    assert text_of(render_plan_pdf(plan, draft=False).content) == pdf_text


def test_plans_submitted_before_freezing_existed_are_frozen_by_the_migration():
    migration = importlib.import_module("plans.migrations.0007_freeze_plans_submitted_before")
    forbund_a, plan = make_plan("fore-frysning")
    workflow.plan_submit(plan=plan, acting_user=factories.kansli(forbund_a).user)
    expected = json.loads(json.dumps(freeze_inputs(plan)))
    Plan.objects.filter(pk=plan.pk).update(frozen=None)  # as a plan submitted before 0006
    draft = factories.plan(forbund_a, budget_year=2030)
    migration.freeze(django_apps, None)
    plan.refresh_from_db()
    frozen = plan.frozen
    assert sorted(frozen.pop("weights")) == sorted(expected.pop("weights"))
    # The migration predates logos: such a plan was submitted without one and shows none.
    assert expected.pop("logo") == "" and "logo" not in frozen and plan.logo_name == ""
    assert frozen == expected
    draft.refresh_from_db()
    assert draft.frozen is None  # a draft follows its förbund


def test_outcomes_are_follow_up_shown_on_the_mal_pages_never_in_the_plan_document():
    # Recorded after adoption, they must not change the adopted document or its PDF.
    load_demo()
    plan = Plan.objects.get(forbund__slug="sodra-vatterbygden")
    indikator = Indikator.objects.filter(mal__plan=plan).first()
    reader = Client()
    reader.force_login(factories.revisor(plan.forbund).user)
    document = _pages(reader, plan)["plan_document"]
    pdf = text_of(render_plan_pdf(plan, draft=False).content)
    outcome = {
        (indikator.pk, 2021): {
            "andel": Outcome(value=Decimal(57)),
            "antal": Outcome(value=Decimal(57)),
            "janej": Outcome(value_yes=True),
        }.get(indikator.kind, Outcome(value_text="57 deltagare"))
    }
    assert utfall_set(mal=indikator.mal, acting_user=None, outcomes=outcome) == 1
    assert _pages(reader, plan)["plan_document"] == document
    assert text_of(render_plan_pdf(plan, draft=False).content) == pdf
    url = "insats_detail" if indikator.mal.insats_id else "plan_mal"
    kwargs = {"insats_pk": indikator.mal.insats_id} if indikator.mal.insats_id else {}
    page = reader.get(reverse(url, kwargs={"slug": plan.forbund.slug, "pk": plan.pk, **kwargs}))
    label = indikator.utfall.get(year=2021).label
    assert "Utfall 2021" in page.content.decode() and label in page.content.decode()
