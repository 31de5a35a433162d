"""Hostile values in every field of every form ([12]): huge and negative numbers, NUL bytes, long
text, unicode of every kind, empty strings and values of the wrong type.

The forms are not listed here: each page of the persona matrix (tests/matrix_rows.py) is
rendered for the persona who may post its forms, and every form it holds that posts (method
post, with a field besides the CSRF token) is taken with its fields as the page has them. Each
field in turn gets each hostile value while the others keep what the page shows, as a browser
sends them. Every post starts from the same world: it runs in a savepoint that is rolled back.

A post either changes nothing at all (every table's rows as before, the audit log too) and the
page says why, or it is recorded in the audit log and stores what was sent: the text exactly
(or as the field documents cleaning it), a number as that number. No post, and no page shown
after an accepted post, answers with a server error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection, transaction
from django.urls import reverse

from budgets.services import budget_figures_set
from finsam.models import AuditEvent, Fordelningstal
from plans import workflow
from plans.pdf import render_plan_pdf
from tests.matrix_rows import ROWS

# Whoever may post a page's forms: kansli of A, or the chair of A for the board's own forms.
POSTERS = ("kansli_a", "styrelse_a")
PAGES = sorted(name for name, row in ROWS.items() if any(row.expect.get(p) == 200 for p in POSTERS))
# The plan as a draft, and as submitted to the board (its review and adoption forms).
STATES = ("utkast", "inlamnad")

# The hostile values, by the kind of field. A number or a date gets every one; text gets what
# text can be (10 MB too, once per text field); a choice, a box, a button or a hidden field gets
# a huge number, a negative one, a NUL byte, unicode, nothing and text for a number.
UNICODE = "Ö😀\u200f\u202eå\u0301\U0001f469\u200d\U0001f467\uffff\ufffdا"
LONG_TEXT = "lång text " * 10_000  # 100 000 characters: below the request's size limit
CHOICE_PROBES = [str(10**30), "-1", "a\x00b", UNICODE, "", "abc"]
PROBES = {
    "text": ["a\x00b", UNICODE, "", LONG_TEXT],
    "number": [*CHOICE_PROBES, "1e308", "9" * 400, "0101-01-01", "99999-01-01"],
}
PROBES["date"] = PROBES["number"]
TEN_MB = "x" * (10 * 1024 * 1024)  # past the request's limit (DATA_UPLOAD_MAX_MEMORY_SIZE)
TOO_BIG = "Inget av det du skickade sparades."  # templates/400.html

TEXT_TYPES = {"text", "textarea", "email", "search", "tel", "url", "password"}
# Fields whose value is stored as typed; a box, a choice or a button stands for a value.
TYPED = {"text", "number", "date"}
# Fields that offer their values: a value the page did not offer is no choice at all.
CHOSEN = {"select", "radio", "button"}
# Fields whose form documents that it drops what was sent: the share of a mixed insats is
# emptied for an insats of any other kind ("Bara för blandade insatser", insatser/forms.py).
DROPPED = {"individ_percent"}
# Tables a post may write without recording a change, none of them the product's data: the
# session, the one-time token of a valid form (finsam.saving; also when it changed nothing),
# and the work a person asked for, which the rate limit counts (finsam.ratelimit).
NOT_DATA = {
    "django_session",
    "finsam_submittedform",
    "finsam_workrequest",
    # What a login attempt leaves: the lockout's count and the person's sessions.
    "axes_accessattempt",
    "axes_accesslog",
    "usersessions_usersession",
}


@dataclass
class Field:
    name: str
    kind: str  # text, number, date, select, checkbox, radio, hidden, button, file
    values: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    required: bool = False

    def filled(self, year: int) -> list[str]:
        """What a person types into the field when it is required and empty."""
        if any(self.values) or not self.required:
            return list(self.values)
        plain = {"text": "Prov", "number": "1", "date": f"{year}-03-01"}.get(self.kind)
        if plain is None:
            plain = next((o for o in self.options if o), "")
        return [plain]


@dataclass
class Form:
    action: str
    fields: dict[str, Field] = field(default_factory=dict)

    def data(self, year: int) -> dict[str, list[str]]:
        """What a browser sends for the form as the page shows it, a required field that is
        empty filled in as a person would (so that a form that creates something can save)."""
        return {name: f.filled(year) for name, f in self.fields.items()}

    @property
    def shape(self) -> tuple[str, tuple[str, ...]]:
        """The same form for another object (one move button per section) has the same shape."""
        return re.sub(r"\d+", "N", self.action), tuple(sorted(self.fields))


def _kind(tag: str, a: dict[str, str]) -> str:
    if tag == "textarea":
        return "text"
    kind = a.get("type", "text").lower()
    if kind in TEXT_TYPES:
        return "number" if a.get("inputmode") in ("decimal", "numeric") else "text"
    return kind


class _Forms(HTMLParser):
    """The forms of a page that post, with each field's kind and the values a browser sends."""

    def __init__(self, url: str):
        super().__init__()
        self.url = url
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._multiple = False
        self._textarea: Field | None = None
        self._button_taken = False

    def handle_starttag(self, tag, attrs):
        a = {k: v if v is not None else "" for k, v in attrs}
        if tag == "form":
            self._form = None
            if a.get("method", "get").lower() == "post":
                self._form = Form(action=a.get("action") or self.url)
                self._button_taken = False
                self.forms.append(self._form)
            return
        form, name = self._form, a.get("name")
        if form is None:
            return
        if tag in ("input", "button") and name:
            kind = _kind(tag, a) if tag == "input" else a.get("type", "submit").lower()
            if kind in ("submit", "image"):
                button = form.fields.setdefault(name, Field(name, "button"))
                button.options.append(a.get("value", ""))
                if not self._button_taken:  # a browser sends the button pressed: the first
                    button.values = [a.get("value", "")]
                    self._button_taken = True
                return
            f = form.fields.setdefault(name, Field(name, kind, required="required" in a))
            if kind in ("checkbox", "radio"):
                f.options.append(a.get("value", "on"))
                if "checked" in a:
                    f.values.append(a.get("value", "on"))
            elif kind != "file":
                f.values = [a.get("value", "")]
        elif tag == "select" and name:
            self._select = form.fields.setdefault(
                name, Field(name, "select", required="required" in a)
            )
            self._multiple = "multiple" in a
        elif tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))
            if "selected" in a:
                self._select.values.append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = form.fields.setdefault(
                name, Field(name, "text", [""], required="required" in a)
            )

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None:
            # A single choice without a selected option sends its first option.
            if not self._select.values and self._select.options and not self._multiple:
                self._select.values = [self._select.options[0]]
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.values[0] += data


def forms_on(html: str, url: str) -> list[Form]:
    """The page's forms that post something besides the CSRF token."""
    parser = _Forms(url)
    parser.feed(html)
    for form in parser.forms:
        form.fields.pop("csrfmiddlewaretoken", None)
    return [form for form in parser.forms if form.fields]


def _tables() -> list[str]:
    return sorted(
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and model._meta.db_table not in NOT_DATA
    )


def snapshot(tables: list[str]) -> dict[str, set[tuple]]:
    """Every row of every table, as the database holds it."""
    rows = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'SELECT * FROM "{table}"')
            rows[table] = set(cursor.fetchall())
    return rows


def _matches(sent: str, cell) -> bool:
    if hasattr(cell, "isoformat"):
        cell = cell.isoformat()
    if isinstance(cell, str):
        return sent in cell or (sent.strip() in cell and sent.strip() != "")
    try:
        return cell is not None and Decimal(str(cell)) == Decimal(sent)
    except (InvalidOperation, ValueError):
        return False


@dataclass
class Findings:
    server_errors: list[str] = field(default_factory=list)
    partial_writes: list[str] = field(default_factory=list)
    not_as_sent: list[str] = field(default_factory=list)
    unexplained: list[str] = field(default_factory=list)
    posts: int = 0
    saved: int = 0

    def __bool__(self) -> bool:
        return bool(
            self.server_errors or self.partial_writes or self.not_as_sent or self.unexplained
        )


def _post(client, form: Form, sent: dict[str, str], run, findings) -> object:
    """Post the form with the sent values in place of what the page shows; note what went
    wrong; roll everything back. Returns the response, or None for a server error."""
    data = form.data(run.year)
    data.update({name: [value] for name, value in sent.items()})
    value = next(iter(sent.values()), "")
    names = ",".join(sent) if len(sent) < 4 else "every field"
    where = f"{form.action} {names}={value[:40]!r}"
    events = _changes_recorded()
    findings.posts += 1
    response = None
    with transaction.atomic():
        try:
            response = client.post(form.action, data)
        except Exception as error:  # what the person would get as a server error
            findings.server_errors.append(f"{where}: {type(error).__name__}: {error}"[:300])
        else:
            _judge(client, form, sent, where, response, events, run, findings)
        transaction.set_rollback(True)
    cache.clear()
    return response


def _changes_recorded() -> int:
    """Events that record a change; an account's own events (a failed password check on the
    page that asks for it again) change nothing and are not saves."""
    return AuditEvent.objects.exclude(action__startswith="account.").count()


def _judge(client, form, sent, where, response, events, run, findings) -> None:
    status = response.status_code
    recorded = _changes_recorded() > events
    after = snapshot(run.tables)
    changed = {t: after[t] - run.before[t] for t in run.tables if after[t] != run.before[t]}
    if not recorded:
        # An account's own events (a failed password, a logout) are a record, not a change.
        account = set(
            AuditEvent.objects.filter(action__startswith="account.").values_list("pk", flat=True)
        )
        table = AuditEvent._meta.db_table
        left = {row for row in changed.get(table, ()) if row[0] not in account}
        if left:
            changed[table] = left
        else:
            changed.pop(table, None)
    if status >= 500:
        findings.server_errors.append(f"{where}: {status}")
    elif not recorded and changed:
        findings.partial_writes.append(f"{where}: {sorted(changed)} changed, nothing recorded")
    elif status == 400 and TEN_MB in sent.values():
        if TOO_BIG not in response.content.decode():
            findings.unexplained.append(f"{where}: 400 without the page that says why")
    elif status == 400 and not recorded and "errorlist" not in response.content.decode():
        findings.unexplained.append(f"{where}: refused without a message")
    elif recorded:
        findings.saved += 1
        cells = [
            cell
            for table, rows in changed.items()
            if table != AuditEvent._meta.db_table
            for row in rows
            for cell in row
        ]
        for name, value in sent.items():
            f = form.fields[name]
            unchosen = value == "" and not f.required  # an optional choice left as it was
            if f.kind in CHOSEN and value not in f.options and not unchosen:
                findings.not_as_sent.append(f"{form.action} {name}={value[:40]!r}: not offered")
            typed = f.kind in TYPED and name not in DROPPED
            if typed and not any(_matches(value, c) for c in cells):
                findings.not_as_sent.append(f"{form.action} {name}={value[:40]!r}: not as sent")
        shown = response.get("Location") or form.action
        if client.get(shown).status_code >= 500:
            findings.server_errors.append(f"{where}: GET {shown} after the save")


def _refused_beside(response) -> set[str]:
    """The fields a form shown again has a message beside (includes/field.html)."""
    if response is None or response.status_code not in (200, 400):
        return set()
    return set(re.findall(r'id="id_([^"]+)_error"', response.content.decode()))


@dataclass
class Run:
    tables: list[str]
    before: dict[str, set[tuple]]
    year: int


def _fuzz(client, form: Form, run: Run, findings) -> None:
    """Each hostile value first in every visible field at once; then alone in each field that
    did not refuse it there (a hidden field shows no message of its own), so that a value a
    field lets through meets the save with every other field as a person fills them in."""
    _post(client, form, {}, run, findings)  # as a person fills it in: for the counts
    fields = list(form.fields.values())
    for value in dict.fromkeys(v for probes in PROBES.values() for v in probes):
        names = [f.name for f in fields if value in PROBES.get(f.kind, CHOICE_PROBES)]
        visible = [n for n in names if form.fields[n].kind != "hidden"]
        refused = set()
        if len(visible) > 1:
            sent = dict.fromkeys(visible, value)
            refused = _refused_beside(_post(client, form, sent, run, findings))
        for name in names:
            if name not in refused:
                _post(client, form, {name: value}, run, findings)
    for f in fields:
        if f.kind == "text":
            _post(client, form, {f.name: TEN_MB}, run, findings)


def _submit(plan, personas) -> None:
    """The world's plan, its figures made whole, submitted to the board."""
    for medlem in plan.forbund.medlemmar.filter(kind="kommun"):
        for year in plan.years:
            Fordelningstal.objects.create(medlem=medlem, year=year, invanare=10_000)
    budget_figures_set(
        plan=plan,
        acting_user=None,
        medlemsbidrag={(y, "budget"): Decimal(4_000_000) for y in plan.years},
    )
    workflow.plan_submit(plan=plan, acting_user=personas["kansli_a"].membership.user)


def _page_forms(personas, page: str, url: str) -> list[tuple[str, Form]]:
    """The page's forms, each with the persona who may post it (kansli first)."""
    found, shapes = [], set()
    for persona in POSTERS:
        if ROWS[page].expect.get(persona) != 200:
            continue
        response = personas[persona].get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for form in forms_on(response.content.decode(), url):
            if form.shape not in shapes:
                shapes.add(form.shape)
                found.append((persona, form))
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("page", PAGES)
def test_hostile_values_in_every_field_give_a_message_or_a_faithful_save(
    page, state, personas, world
):
    plan = world["plan_a"]
    url = reverse(page, kwargs=ROWS[page].kwargs(world))
    forms = _page_forms(personas, page, url)
    if state == "inlamnad":
        if not url.startswith(reverse("plan_detail", args=[plan.forbund.slug, plan.pk])):
            pytest.skip("a page outside the plan: the same in either state")
        as_draft = {form.shape for _, form in forms}
        _submit(plan, personas)
        forms = [(p, form) for p, form in _page_forms(personas, page, url)]
        forms = [(p, form) for p, form in forms if form.shape not in as_draft]
    tables = _tables()
    run = Run(tables=tables, before=snapshot(tables), year=plan.budget_year)
    findings = Findings()
    for persona, form in forms:
        client = personas[persona]
        client.raise_request_exception = True
        _fuzz(client, form, run, findings)
    assert not findings, (
        f"{findings.posts} posts: {len(findings.server_errors)} server errors, "
        f"{len(findings.partial_writes)} partial writes, {len(findings.not_as_sent)} not as sent, "
        f"{len(findings.unexplained)} without a message\n"
        + "\n".join(
            findings.server_errors
            + findings.partial_writes
            + findings.not_as_sent
            + findings.unexplained
        )
    )


# Text as people paste it: unicode of every kind and the control characters a spreadsheet or a
# PDF has no place for (Word's line break among them).
PASTED = UNICODE + "\x01\x0b\x1b"


@pytest.mark.django_db
def test_hostile_text_once_saved_shows_on_every_page_the_pdf_and_excel(personas, world):
    plan = world["plan_a"]
    events = AuditEvent.objects.count()
    for page in PAGES:
        url = reverse(page, kwargs=ROWS[page].kwargs(world))
        for persona, form in _page_forms(personas, page, url):
            texts = [f.name for f in form.fields.values() if f.kind == "text"]
            if texts:
                data = form.data(plan.budget_year)
                data.update({name: [PASTED] for name in texts})
                assert personas[persona].post(form.action, data).status_code < 500
    assert AuditEvent.objects.count() - events >= 10  # saved in many places, not refused
    for name, row in ROWS.items():
        url = reverse(name, kwargs=row.kwargs(world))
        for persona in ("kansli_a", "styrelse_a", "revisor_a"):
            if row.expect.get(persona) == 200:
                assert personas[persona].get(url).status_code == 200, (name, persona)
    assert render_plan_pdf(plan, draft=True).pages > 1


def _move(client, world, direction):
    plan, section = world["plan_a"], world["section_a"]
    url = reverse("section_move", args=[plan.forbund.slug, plan.pk, section.pk])
    return client.post(url, {"direction": direction}, follow=True)


@pytest.mark.django_db
def test_a_move_that_is_neither_up_nor_down_moves_nothing_and_says_why(kansli_a, world):
    plan = world["plan_a"]
    order = list(plan.sections.values_list("pk", flat=True))
    events = AuditEvent.objects.count()
    response = _move(kansli_a, world, "sidled")
    assert "Välj om avsnittet ska flyttas upp eller ned" in response.content.decode()
    assert list(plan.sections.values_list("pk", flat=True)) == order
    assert AuditEvent.objects.count() == events
    _move(kansli_a, world, "ned")
    assert list(plan.sections.values_list("pk", flat=True)) != order


@pytest.mark.django_db
def test_a_changed_hidden_field_is_explained_above_the_form(kansli_a, world):
    plan, section = world["plan_a"], world["section_a"]
    url = reverse("section_edit", args=[plan.forbund.slug, plan.pk, section.pk])
    form = forms_on(kansli_a.get(url).content.decode(), url)[0]
    data = form.data(plan.budget_year)
    response = kansli_a.post(url, {**data, "lock_version": "abc", "title": "Ny rubrik"})
    assert response.status_code == 400
    assert "Formuläret kunde inte läsas (ett dolt fält hade ett ogiltigt värde)" in (
        response.content.decode()
    )
    section.refresh_from_db()
    assert section.title != "Ny rubrik"


@pytest.mark.django_db
def test_a_post_past_the_size_limit_gets_a_page_in_swedish(kansli_a, world):
    plan = world["plan_a"]
    url = reverse("section_create", args=[plan.forbund.slug, plan.pk])
    response = kansli_a.post(url, {"title": "Rubrik", "body": TEN_MB})
    assert response.status_code == 400
    assert "Inget av det du skickade sparades." in response.content.decode()
    assert not plan.sections.filter(title="Rubrik").exists()
