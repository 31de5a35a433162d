"""Pages kept rendered (budgets.kept): what a reader is shown from them is what a fresh render
shows, after any change; a change leaves them rendered for the next reader; pages travel
compressed; a cell of the grid is named by its row and column."""

from __future__ import annotations

import dataclasses
import gzip
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from budgets import kept, services
from budgets.models import BudgetLine
from finsam.cache import memo
from insatser import views as insatser_views
from plans import document as plans_document
from plans import views as plans_views
from tests import factories
from tests.budgets.test_cell_save import _save, _shaped_plan

pytestmark = pytest.mark.django_db(transaction=True)  # parts are kept outside transactions

# The form token, masked anew in every answer.
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"|"X-CSRFToken": "[^"]*"')


def _page(client, url) -> str:
    return TOKEN.sub("", client.get(url).content.decode())


def _fresh(client, url) -> str:
    """The page rendered from nothing kept."""
    cache.clear()
    memo.clear()
    return _page(client, url)


def _client(forbund) -> Client:
    client = Client()
    client.force_login(factories.kansli(forbund).user)
    return client


def _pages(forbund, plan) -> list[str]:
    args = [forbund.slug, plan.pk]
    return [
        reverse("budget_editor", args=args),
        reverse("budget_statements", args=args),
        reverse("insats_list", args=args),
        reverse("plan_document", args=args),
    ]


def test_each_kept_page_after_a_change_is_what_a_fresh_render_shows():
    forbund, plan, lines, _ = _shaped_plan()
    client = _client(forbund)
    before = {url: _page(client, url) for url in _pages(forbund, plan)}  # kept now
    services.budget_figures_set(
        plan=plan, acting_user=None, amounts={(lines[0].pk, 2027, "budget"): Decimal(333_000)}
    )
    services.budget_line_update(line=lines[1], acting_user=None, data={"name": "Nytt namn"})
    plan.refresh_from_db()
    for url in _pages(forbund, plan):
        after = _page(client, url)
        if "insatser" not in url:  # the list shows the insatser's own lines, not these
            assert after != before[url], url  # the change shows: nothing stale is served
        assert after == _fresh(client, url), url
    editor = _page(client, _pages(forbund, plan)[0])
    assert "Nytt namn" in editor, re.findall(r"hidden>([^<]*)<", editor)
    assert (
        re.search(rf'name="a-{lines[0].pk}-2027-budget" value="([^"]*)"', editor)
        .group(1)
        .replace("\xa0", " ")
        == "333 000"
    )


def test_a_cell_saved_by_autosave_shows_on_the_next_read_of_every_page():
    forbund, plan, lines, _ = _shaped_plan()
    client = _client(forbund)
    editor = _pages(forbund, plan)[0]
    page = client.get(editor).content.decode()
    assert _save(client, editor, page, f"a-{lines[0].pk}-2027-budget", "444 000").status_code == 200
    for url in _pages(forbund, plan):
        assert _page(client, url) == _fresh(client, url), url


@override_settings(FINSAM_WARM_AFTER_CHANGE=True)
def test_a_change_leaves_the_plans_pages_rendered_for_the_next_reader(monkeypatch):
    forbund, plan, lines, _ = _shaped_plan()
    client = _client(forbund)
    line_url = reverse("budget_line_edit", args=[forbund.slug, plan.pk, lines[1].pk])
    form = client.get(line_url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and not hasattr(v, "pk")}
    data.update(name="Lokalhyra", category=lines[1].category_id)
    answer = client.post(line_url, data)
    assert answer.status_code == 302, answer.content.decode()[:500]
    rendered = []
    monkeypatch.setattr(
        kept,
        "render_editor_parts",
        lambda *a, **kw: rendered.append(1) or pytest.fail("the editor was rendered on read"),
    )
    page = client.get(_pages(forbund, plan)[0]).content.decode()
    assert "Lokalhyra" in page and not rendered


@override_settings(FINSAM_WARM_AFTER_CHANGE=False)
def test_without_warming_the_first_reader_renders_the_page():
    forbund, plan, lines, _ = _shaped_plan()
    client = _client(forbund)
    calls = []
    original = kept.render_editor_parts
    services.budget_line_update(line=lines[1], acting_user=None, data={"name": "Lokalhyra"})

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    kept.render_editor_parts = counting
    try:
        client.get(_pages(forbund, plan)[0])
        client.get(_pages(forbund, plan)[0])
    finally:
        kept.render_editor_parts = original
    assert calls == [1]  # rendered once, then read as kept


def test_pages_travel_compressed_and_files_as_they_are():
    forbund, plan, _, _ = _shaped_plan()
    client = _client(forbund)
    url = _pages(forbund, plan)[0]
    plain = client.get(url)
    packed = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert packed["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed["Vary"]
    assert len(packed.content) * 4 < len(plain.content)
    assert TOKEN.sub("", gzip.decompress(packed.content).decode()) == TOKEN.sub(
        "", plain.content.decode()
    )
    excel = client.get(
        reverse("plan_excel", args=[forbund.slug, plan.pk]),
        headers={"Accept-Encoding": "gzip"},
    )
    assert excel.status_code == 200 and not excel.has_header("Content-Encoding")


@override_settings(FINSAM_COMPRESS=False)
def test_compression_can_be_left_to_the_proxy():
    forbund, plan, _, _ = _shaped_plan()
    answer = _client(forbund).get(_pages(forbund, plan)[0], headers={"Accept-Encoding": "gzip"})
    assert not answer.has_header("Content-Encoding")


def test_a_cell_is_named_by_its_row_and_column():
    forbund, plan, lines, _ = _shaped_plan()
    page = _client(forbund).get(_pages(forbund, plan)[0]).content.decode()
    name = f"a-{lines[0].pk}-2027-budget"
    cell = re.search(rf'<input type="text" name="{name}"[^>]*>', page).group(0)
    assert re.search(r'aria-label="([^"]+)"', cell).group(1) == f"{lines[0].name}, Budget 2027"
    assert "id=" not in cell and f'for="id_{name}"' not in page  # no label element, no id


def test_the_documents_kept_sections_link_kansli_to_where_a_figure_is_set_and_no_one_else():
    forbund, plan, _, _ = _shaped_plan()
    assert plan.sections.filter(kind="resultat_balans").exists()  # in the default outline
    url = _pages(forbund, plan)[3]
    notes = reverse("statement_notes", args=[forbund.slug, plan.pk])
    board = Client()
    board.force_login(factories.ledamot(forbund).user)
    for _ in range(2):  # rendered, then read as kept: each reader gets their own
        assert notes in _client(forbund).get(url).content.decode()
        assert notes not in board.get(url).content.decode()


def _not_rendered(*args, **kwargs):
    pytest.fail("the page was rendered on read")


def test_after_an_autosave_the_editor_is_read_as_kept_and_equals_a_fresh_render(monkeypatch):
    """The autosave keeps the editor's parts for the figures after it (the rows it changed put
    into the parts before, budgets.kept.keep_after_save): the next reader, as another process
    would (this one's memory cleared), reads them without writing any row, and sees what a
    render from nothing shows. So do the reports page, the plan's page and the plan as a
    document, for kansli and for a board member, and the insatser list, whose rows of the
    saved insats and sums move.
    Saves of a line, of an insats line (whose budgeted figure moves under planned under-use)
    and of the medlemsbidrag, one after another."""
    forbund, plan, lines, insats_lines = _shaped_plan()
    client = _client(forbund)
    board = Client()
    board.force_login(factories.ledamot(forbund).user)
    editor, reports, insatser, document = _pages(forbund, plan)
    for name in ("Stöd till unga", "Arbetsträning"):
        factories.insats(plan, name=name, money={year: 300_000 for year in plan.years})
    insats_cell = f"a-{BudgetLine.objects.get(insats__name='Arbetsträning').pk}-2028-budget"
    cells = [
        (f"a-{lines[0].pk}-2027-budget", "444 000"),
        (insats_cell, "20 000"),
        (f"a-{insats_lines[1].pk}-2028-budget", "310 000"),
        ("mb-2029-budget", "4 200 000"),
        (f"a-{lines[2].pk}-2029-budget", "9 000 000"),  # a deficit: findings and marks move
    ]
    page = client.get(editor).content.decode()
    overview = reverse("plan_detail", args=[forbund.slug, plan.pk])
    shown = {who: _page(who, reports) for who in (client, board)}  # kept before the saves
    overviews = {who: _page(who, overview) for who in (client, board)}
    documents = {who: _page(who, document) for who in (client, board)}
    listed = _page(client, insatser)
    for name, typed in cells:
        answer = _save(client, editor, page, name, typed)
        assert answer.status_code == 200 and "budget-table" not in answer.content.decode()
        memo.clear()  # the next reader in another process: only the shared cache
        monkeypatch.setattr(kept, "render_editor_parts", _not_rendered)
        monkeypatch.setattr(kept, "render_statements", _not_rendered)
        monkeypatch.setattr(insatser_views, "render_to_string", _not_rendered)
        monkeypatch.setattr(plans_views, "render_shown", _not_rendered)
        monkeypatch.setattr(plans_document, "document_context", _not_rendered)
        read = _page(client, editor)
        read_reports = {who: _page(who, reports) for who in (client, board)}
        read_list = _page(client, insatser)
        read_overviews = {who: _page(who, overview) for who in (client, board)}
        read_documents = {who: _page(who, document) for who in (client, board)}
        monkeypatch.undo()
        assert read == _fresh(client, editor)
        assert read_list == _fresh(client, insatser)
        if name == insats_cell:
            assert read_list != listed and "320\xa0000" in read_list  # its row and sums moved
        listed = read_list
        for who in (client, board):
            assert read_reports[who] != shown[who]  # the save shows
            assert read_reports[who] == _fresh(who, reports)
            shown[who] = read_reports[who]
            assert read_overviews[who] == _fresh(who, overview)
            if name.startswith("mb-"):  # the key figures show the medlemsbidrag
                assert read_overviews[who] != overviews[who]
            overviews[who] = read_overviews[who]
            assert read_documents[who] != documents[who]  # the budget's rows moved
            assert read_documents[who] == _fresh(who, document)
            documents[who] = read_documents[who]
        page = client.get(editor).content.decode()
        for who in (client, board):
            _page(who, reports)  # kept again after the fresh render cleared the cache
            _page(who, overview)
            _page(who, document)
        _page(client, insatser)


def test_an_autosave_keeps_nothing_made_from_a_part_of_newer_figures_than_its_key(monkeypatch):
    """A part kept under a count may have been rendered from newer figures (its reader read the
    count, then the figures, while another change landed). An autosave does not put its rows
    into such a part: the next reader renders the page, as a fresh render shows it."""
    forbund, plan, lines, _ = _shaped_plan()
    client = _client(forbund)
    editor, reports = _pages(forbund, plan)[:2]
    page = client.get(editor).content.decode()
    _page(client, reports)
    count = kept.change_count(plan)
    key = kept._key(plan, kept._statements_part(True), count)
    newer = dataclasses.replace(
        memo.get(key), mark=f"{count + 1}-{timezone.localdate().isoformat()}"
    )
    memo.set(key, newer)
    cache.set(key, newer)
    rendered = []
    original = kept.render_statements
    monkeypatch.setattr(
        kept, "render_statements", lambda *a, **kw: rendered.append(1) or original(*a, **kw)
    )
    assert _save(client, editor, page, f"a-{lines[0].pk}-2027-budget", "555 000").status_code == 200
    read = _page(client, reports)
    assert rendered == [1]
    assert read == _fresh(client, reports)


def test_a_part_that_fails_after_an_autosave_leaves_the_others_kept(monkeypatch):
    forbund, plan, lines, _ = _shaped_plan()
    client = _client(forbund)
    editor, reports = _pages(forbund, plan)[:2]
    page = client.get(editor).content.decode()
    _page(client, reports)
    editor_part = kept._editor_part(True, True)

    def failing(*args):
        raise ValueError("a part that cannot be made")

    monkeypatch.setattr(
        kept,
        "AFTER_AUTOSAVE",
        [(editor_part, failing)] + [h for h in kept.AFTER_AUTOSAVE if h[0] != editor_part],
    )
    assert _save(client, editor, page, f"a-{lines[0].pk}-2027-budget", "555 000").status_code == 200
    monkeypatch.setattr(kept, "render_statements", _not_rendered)
    read = _page(client, reports)
    monkeypatch.undo()
    assert read == _fresh(client, reports)
