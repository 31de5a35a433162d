"""The autosave of a cell answers with only what the save changed on the page, and what the page
then shows is what a reload shows: every row, sum, check and panel. The figures after a save are
computed from those before it only when that save was the one change in between, and then equal
the figures read from the database."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from budgets import services
from budgets.selectors import compute_plan_figures, figures_after_save, plan_figures
from budgets.summary import summary
from finsam.audit import audit_record, latest_change
from finsam.cache import memo
from plans.demo import load_demo
from plans.models import Plan
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)  # the figures are kept outside transactions

ROW = re.compile(r'<tr id="(rad-[^"]+)"[^>]*>.*?</tr>', re.S)
PANELS = re.compile(r'<div id="budget-panels"[^>]*>.*?</section>\s*</div>', re.S)
CHECKS = re.compile(r'<p class="status-line" id="budget-checks"[^>]*>.*?</p>', re.S)


def _plain(html: str) -> str:
    return html.replace(' hx-swap-oob="true"', "")


def _rows(html: str) -> dict[str, str]:
    return {m.group(1): _plain(m.group(0)) for m in ROW.finditer(html)}


def _one(pattern, html: str) -> str:
    return _plain(pattern.search(html).group(0))


def _mark(html: str) -> str:
    return re.search(r'id="budget-figures" value="([^"]*)"', html).group(1)


def _shown(html: str, name: str) -> str:
    return re.search(rf'name="o-{name}" value="([^"]*)"', html).group(1)


def _save(client, url, page, name, typed):
    return client.post(
        url,
        {name: typed, f"o-{name}": _shown(page, name), "figurer": _mark(page)},
        headers={"HX-Request": "true", "Finsam-Svar": "andringar"},
    )


def _merged(page: str, answer: str) -> tuple[dict[str, str], str, str]:
    """The page's rows, checks line and panels after htmx has swapped in the answer's parts."""
    rows = _rows(page)
    rows.update(_rows(answer))
    return rows, _one(CHECKS, answer), _one(PANELS, answer)


def _assert_merge_is_a_reload(client, url, name, typed):
    page = client.get(url).content.decode()
    answer = _save(client, url, page, name, typed)
    assert answer.status_code == 200
    assert answer["HX-Reswap"] == "none"
    html = answer.content.decode()
    assert '<div id="budget-editor">' not in html  # not the whole editor
    reload = client.get(url).content.decode()
    rows, checks, panels = _merged(page, html)
    assert rows == _rows(reload)
    assert checks == _one(CHECKS, reload)
    assert panels == _one(PANELS, reload)
    assert _mark(html) == _mark(reload)
    return page, html


def _shaped_plan():
    """A plan with what makes a save move more than its own row: planned under-use of the
    insats costs, the computed room, a group total over two groups, a footnote on an amount."""
    return _shaped_plan_named("celler")


def _shaped_plan_named(slug: str):
    forbund = factories.complete_forbund(kommuner=2, slug=slug)
    plan = factories.plan(forbund, budget_year=2027)
    plan.under_use_percent = Decimal(10)
    plan.save()
    services.budget_figures_set(
        plan=plan,
        acting_user=None,
        medlemsbidrag={(y, "budget"): Decimal(4_000_000) for y in plan.years},
    )
    rows = {r.year: r for r in plan.year_rows.filter(column="budget")}
    services.budget_years_update(
        plan=plan,
        acting_user=None,
        rows={r.pk: {"floor_amount": Decimal(300_000)} for r in rows.values()},
    )
    groups = {g.name: g for g in forbund.budget_groups.all()}
    forvaltning = groups["Förvaltning"].categories.first()
    lines = [
        services.budget_line_create(
            plan=plan,
            acting_user=None,
            category=forvaltning,
            name=f"Rad {i}",
            amounts={(y, "budget"): Decimal(100_000 * (i + 1)) for y in plan.years},
        )
        for i in range(4)
    ]
    services.budget_line_create(
        plan=plan, acting_user=None, category=forvaltning, name="Utrymme", computed_room=True
    )
    insats_groups = [g for g in groups.values() if g.is_insats]
    insats_lines = []
    for group in insats_groups[:1]:
        category = group.categories.first()
        for i in range(3):
            insats_lines.append(
                services.budget_line_create(
                    plan=plan,
                    acting_user=None,
                    category=category,
                    name=f"Insatsrad {i}",
                    amounts={(y, "budget"): Decimal(200_000 + 10_000 * i) for y in plan.years},
                )
            )
    # A total over two groups (a parent group without lines of its own).
    utveckling = forbund.budget_groups.create(name="Utveckling", side="kostnad", order=50)
    for order, name in ((51, "Projekt"), (52, "Metod")):
        group = forbund.budget_groups.create(
            name=name, side="kostnad", order=order, parent=utveckling
        )
        lines.append(
            services.budget_line_create(
                plan=plan,
                acting_user=None,
                category=group.categories.create(name=name),
                name=name,
                amounts={(y, "budget"): Decimal(50_000) for y in plan.years},
            )
        )
    services.budget_amount_notes_set(
        line=lines[2], acting_user=None, notes={(2028, "budget"): "Hyran höjs."}
    )
    return forbund, plan, lines, insats_lines


def _client(forbund):
    client = Client()
    client.force_login(factories.kansli(forbund).user)
    return client


def test_a_save_answers_with_only_its_changes_and_the_page_then_equals_a_reload():
    forbund, plan, lines, insats_lines = _shaped_plan()
    client = _client(forbund)
    url = reverse("budget_editor", args=[forbund.slug, plan.pk])
    name = f"a-{lines[0].pk}-2027-budget"
    page, html = _assert_merge_is_a_reload(client, url, name, "250 000")
    answer_rows = _rows(html)
    # The row of the cell saved, the sums and the member parts; not the rows that did not move.
    assert f"rad-line-{lines[0].pk}" in answer_rows
    assert f"rad-line-{lines[1].pk}" not in answer_rows
    assert {"rad-resultat", "rad-kostnader", "rad-ub", "rad-medlemsbidrag"} <= set(answer_rows)
    utveckling = forbund.budget_groups.get(name="Utveckling")
    assert f"rad-group-{utveckling.pk}" in answer_rows  # its share of the costs moved
    assert 'value="250\xa0000"' in answer_rows[f"rad-line-{lines[0].pk}"]
    assert len(answer_rows) < len(_rows(page))
    assert 'id="editor-status" hx-swap-oob="innerHTML">Sparade 1 belopp.' in html
    # A save in a year moves the computed room of that year: its row comes along.
    room = plan.budget_lines.get(name="Utrymme")
    assert f"rad-line-{room.pk}" in answer_rows
    # Under-use: an insats line's budgeted figure and the medlemsbidrag move others' rows.
    for name, typed in (
        (f"a-{insats_lines[1].pk}-2028-budget", "555 000"),
        ("mb-2029-budget", "5 000 000"),
        (f"a-{lines[2].pk}-2028-budget", "0"),
        (f"a-{lines[3].pk}-2029-budget", ""),
        (f"a-{lines[5].pk}-2027-budget", "80 000"),  # in the total over two groups
    ):
        _assert_merge_is_a_reload(client, url, name, typed)


def test_the_merge_equals_a_reload_on_a_seed_plan():
    load_demo()
    plan = Plan.objects.filter(status="utkast").select_related("forbund").first()
    forbund = plan.forbund
    client = _client(forbund)
    url = reverse("budget_editor", args=[forbund.slug, plan.pk])
    figures = plan_figures(plan)
    typed = [
        (line, column)
        for line in figures.lines
        for column in figures.columns
        if column.shows(line) and not line.computed_room
    ]
    for line, column in typed[:: max(1, len(typed) // 4)]:
        name = f"a-{line.pk}-{column.year}-{column.kind}"
        _assert_merge_is_a_reload(client, url, name, "123 000")


def test_a_page_that_shows_older_figures_gets_the_whole_editor():
    forbund, plan, lines, _ = _shaped_plan()
    client = _client(forbund)
    url = reverse("budget_editor", args=[forbund.slug, plan.pk])
    page = client.get(url).content.decode()
    # A colleague saves another cell after the page was read.
    services.budget_figures_set(
        plan=plan, acting_user=None, amounts={(lines[1].pk, 2027, "budget"): Decimal(999_000)}
    )
    answer = _save(client, url, page, f"a-{lines[0].pk}-2027-budget", "111 000")
    html = answer.content.decode()
    assert html.lstrip().startswith('<div id="budget-editor">')
    assert "HX-Reswap" not in answer
    assert f'name="a-{lines[1].pk}-2027-budget" value="999\xa0000"' in html  # the colleague's
    assert f'name="a-{lines[0].pk}-2027-budget" value="111\xa0000"' in html


def test_a_wrong_cell_gets_the_whole_editor_with_its_message():
    forbund, plan, lines, _ = _shaped_plan()
    client = _client(forbund)
    url = reverse("budget_editor", args=[forbund.slug, plan.pk])
    page = client.get(url).content.decode()
    html = _save(client, url, page, f"a-{lines[0].pk}-2027-budget", "12a").content.decode()
    assert html.lstrip().startswith('<div id="budget-editor">')
    assert "Ange beloppet med siffror" in html


def test_figures_after_a_save_equal_the_figures_read_from_the_database():
    forbund, plan, lines, insats_lines = _shaped_plan()
    saves = [
        ({(lines[0].pk, 2027, "budget"): Decimal(1)}, {}),
        ({(insats_lines[0].pk, 2029, "budget"): Decimal(0)}, {}),
        ({}, {(2028, "budget"): Decimal(3_000_000)}),
        ({(lines[1].pk, 2028, "budget"): Decimal(7_000_000)}, {}),  # a deficit: findings move
    ]
    for amounts, medlemsbidrag in saves:
        before = plan_figures(plan)
        saved = services.budget_figures_set(
            plan=plan, acting_user=None, amounts=amounts, medlemsbidrag=medlemsbidrag
        )
        after = figures_after_save(
            plan, before, amounts=amounts, medlemsbidrag=medlemsbidrag, saved=saved
        )
        assert after.count == before.count + 1  # computed from before, not read
        fresh = compute_plan_figures(plan)
        assert after.result == fresh.result
        assert after.findings == fresh.findings
        assert summary(after) == summary(fresh)
        assert plan_figures(plan) is not None and summary(plan_figures(plan)) == summary(fresh)
        # Another process reads them from the shared cache, which keeps them without the lines
        # as calc took them: it builds those again, and every figure is the same.
        memo.clear()
        with CaptureQueriesContext(connection) as queries:
            shared = plan_figures(plan)
        assert not [q for q in queries if "budgets_budgetamount" in q["sql"]]
        assert shared.result == fresh.result
        assert shared.result.lines == fresh.result.lines != ()
        assert shared.findings == fresh.findings


def test_figures_after_a_save_are_read_again_when_another_change_came_in_between():
    forbund, plan, lines, _ = _shaped_plan()
    before = plan_figures(plan)
    services.budget_figures_set(
        plan=plan, acting_user=None, amounts={(lines[1].pk, 2027, "budget"): Decimal(5)}
    )
    amounts = {(lines[0].pk, 2027, "budget"): Decimal(6)}
    saved = services.budget_figures_set(plan=plan, acting_user=None, amounts=amounts)
    after = figures_after_save(plan, before, amounts=amounts, medlemsbidrag={}, saved=saved)
    assert after.typed[(lines[1].pk, 2027, "budget")] == 5  # the other change is in them
    assert after.result == compute_plan_figures(plan).result


def test_the_count_of_changes_grows_by_one_for_each_change_and_not_for_a_pdf():
    forbund, plan, lines, _ = _shaped_plan()
    count = latest_change(forbund.pk)
    services.budget_figures_set(
        plan=plan, acting_user=None, amounts={(lines[0].pk, 2027, "budget"): Decimal(5)}
    )
    assert latest_change(forbund.pk) == count + 1
    audit_record(
        forbund=forbund, actor=None, action="pdf.requested", obj=plan, summary="Pdf beställd"
    )
    assert latest_change(forbund.pk) == count + 1
    other = factories.complete_forbund(slug="annat")
    factories.plan(other, budget_year=2027)
    services.budget_figures_set(
        plan=other.plans.get(), acting_user=None, medlemsbidrag={(2027, "budget"): Decimal(1)}
    )
    assert latest_change(forbund.pk) == count + 1  # another förbund's changes count there
    assert latest_change(other.pk) >= 1


def test_the_cache_keeps_the_lines_apart_and_a_save_of_amounts_does_not_write_them_again():
    from django.core.cache import cache

    forbund, plan, lines, _ = _shaped_plan()
    before = plan_figures(plan)
    assert before.lines_key and [ln.pk for ln in cache.get(before.lines_key)] == [
        ln.pk for ln in before.lines
    ]
    amounts = {(lines[0].pk, 2027, "budget"): Decimal(42)}
    saved = services.budget_figures_set(plan=plan, acting_user=None, amounts=amounts)
    after = figures_after_save(plan, before, amounts=amounts, medlemsbidrag={}, saved=saved)
    assert after.lines_key == before.lines_key
    read = plan_figures(plan)  # from the cache: the figures after, with the lines put back
    assert read.count == after.count and read.lines is not None
    assert summary(read) == summary(compute_plan_figures(plan))
    # Lines no longer in the cache (a full cache drops entries): computed again, never half.
    cache.delete(before.lines_key)
    again = plan_figures(plan)
    assert again.lines is not None
    assert summary(again) == summary(compute_plan_figures(plan))


def test_a_page_read_on_another_day_gets_the_whole_editor():
    """The checks depend on the day (a deadline passed): a page left open overnight is shown
    anew, not patched."""
    forbund, plan, lines, _ = _shaped_plan()
    client = _client(forbund)
    url = reverse("budget_editor", args=[forbund.slug, plan.pk])
    page = client.get(url).content.decode()
    count, _, day = _mark(page).partition("-")
    assert day == plan_figures(plan).source.today.isoformat()
    yesterday = page.replace(_mark(page), f"{count}-2026-01-01")
    answer = _save(client, url, yesterday, f"a-{lines[0].pk}-2027-budget", "5")
    assert answer.content.decode().lstrip().startswith('<div id="budget-editor">')


def test_the_service_refuses_an_amount_out_of_range_and_saves_nothing():
    from django.core.exceptions import ValidationError

    from budgets.models import BudgetAmount
    from finsam.money import MAX_KR

    forbund, plan, lines, _ = _shaped_plan()
    for value in (Decimal(-1), Decimal(MAX_KR + 1)):
        with pytest.raises(ValidationError) as refused:
            services.budget_figures_set(
                plan=plan, acting_user=None, amounts={(lines[0].pk, 2027, "budget"): value}
            )
        assert "amount" in refused.value.message_dict
    assert BudgetAmount.objects.get(line=lines[0], year=2027).amount.amount == 100_000


def test_an_autosave_runs_as_many_queries_on_a_large_plan_as_on_a_small_one():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for extra in (0, 60):
        forbund, plan, lines, _ = _shaped_plan() if not counts else _shaped_plan_named("stor")
        category = forbund.budget_groups.get(name="Förvaltning").categories.first()
        for i in range(extra):
            services.budget_line_create(
                plan=plan,
                acting_user=None,
                category=category,
                name=f"Extra {i}",
                amounts={(y, "budget"): Decimal(1_000) for y in plan.years},
            )
        client = _client(forbund)
        url = reverse("budget_editor", args=[forbund.slug, plan.pk])
        page = client.get(url).content.decode()
        with CaptureQueriesContext(connection) as ctx:
            answer = _save(client, url, page, f"a-{lines[0].pk}-2027-budget", "7")
        assert answer["HX-Reswap"] == "none"
        counts.append(len(ctx.captured_queries))
    # 19: the save's own, and, after the answer, three that read the plan, its förbund and
    # the count of changes again before the pages' parts are kept (budgets.kept.keep_after_save).
    assert counts[0] == counts[1] <= 19


def test_a_save_in_one_year_or_a_comparison_column_equals_a_reload():
    """A plan with no computed room (later years take their IB moved, not computed again), a
    balansbudget, and the year before as budgeted and forecast: after a save in a plan year, in
    the medlemsbidrag, in "Budget 2026" and in "Prognos 2026", every column equals a reload."""
    forbund = factories.complete_forbund(kommuner=2, slug="ar-for-ar")
    plan = factories.plan(forbund, budget_year=2027)
    plan.compare_budget = plan.compare_prognos = True
    plan.save()
    plan = Plan.objects.get(pk=plan.pk)
    services.budget_figures_set(
        plan=plan,
        acting_user=None,
        medlemsbidrag={(y, "budget"): Decimal(4_000_000) for y in plan.years},
    )
    rows = plan.year_rows.filter(column="budget", year__in=plan.years)
    services.budget_years_update(
        plan=plan,
        acting_user=None,
        rows={
            r.pk: {
                "floor_amount": Decimal(300_000),
                "omsattningstillgangar": Decimal(2_000_000),
                "kortfristiga_skulder": Decimal(400_000),
            }
            for r in rows
        },
    )
    category = forbund.budget_groups.get(name="Förvaltning").categories.first()
    lines = [
        services.budget_line_create(
            plan=plan,
            acting_user=None,
            category=category,
            name=f"Rad {i}",
            amounts={
                (y, kind): Decimal(100_000 * (i + 1))
                for y in [2026, *plan.years]
                for kind in ("budget", "prognos")
                if y == 2026 or kind == "budget"
            },
        )
        for i in range(3)
    ]
    saves = [
        ({(lines[0].pk, 2027, "budget"): Decimal(250_000)}, {}),  # 2028 and 2029 move
        ({}, {(2029, "budget"): Decimal(4_500_000)}),
        ({(lines[1].pk, 2026, "budget"): Decimal(123_000)}, {}),  # Budget 2026
        ({(lines[2].pk, 2026, "prognos"): Decimal(98_000)}, {}),  # Prognos 2026
        ({(lines[2].pk, 2028, "budget"): Decimal(9_000_000)}, {}),  # a deficit from 2028
    ]
    for amounts, medlemsbidrag in saves:
        before = plan_figures(plan)
        saved = services.budget_figures_set(
            plan=plan, acting_user=None, amounts=amounts, medlemsbidrag=medlemsbidrag
        )
        after = figures_after_save(
            plan, before, amounts=amounts, medlemsbidrag=medlemsbidrag, saved=saved
        )
        assert after.count == before.count + 1
        assert after.lines is before.lines  # computed from before, not read again
        fresh = compute_plan_figures(plan)
        assert [(c.year, c.kind) for c in after.columns] == [
            (c.year, c.kind) for c in fresh.columns
        ]
        assert [c.result for c in after.columns] == [c.result for c in fresh.columns]
        assert after.result == fresh.result
        assert after.findings == fresh.findings
        assert summary(after) == summary(fresh)


def test_a_save_checks_its_own_lines_again_and_keeps_the_other_lines_findings():
    """Amounts on the lines of a year budgeted per group count in no total (belopp-raknas-inte).
    A save checks only its own lines again: its line's finding comes, changes or goes, every
    other line's stays, and the findings are those of a reload, in the same order."""
    forbund = factories.complete_forbund(kommuner=2, slug="raknas-inte")
    plan = factories.plan(forbund, budget_year=2027)
    services.budget_figures_set(
        plan=plan,
        acting_user=None,
        medlemsbidrag={(y, "budget"): Decimal(4_000_000) for y in plan.years},
    )
    category = forbund.budget_groups.get(name="Förvaltning").categories.first()
    lines = [
        services.budget_line_create(
            plan=plan,
            acting_user=None,
            category=category,
            name=f"Rad {i}",
            amounts={(y, "budget"): Decimal(100_000 * (i + 1)) for y in plan.years},
        )
        for i in range(4)
    ]
    row = plan.year_rows.get(column="budget", year=2028)
    services.budget_years_update(plan=plan, acting_user=None, rows={row.pk: {"level": "grupper"}})
    plan = Plan.objects.get(pk=plan.pk)

    def uncounted(figures):
        return [f.message for f in figures.findings if f.code == "belopp-raknas-inte"]

    assert len(uncounted(plan_figures(plan))) == 4
    saves = [
        {(lines[2].pk, 2028, "budget"): Decimal(0)},  # its finding goes
        {(lines[0].pk, 2028, "budget"): Decimal(55_000)},  # its finding changes
        {(lines[2].pk, 2028, "budget"): Decimal(7_000)},  # and comes back, among the others
        {(lines[3].pk, 2029, "budget"): Decimal(1)},  # a year line by line: none of them moves
    ]
    for amounts in saves:
        before = plan_figures(plan)
        saved = services.budget_figures_set(plan=plan, acting_user=None, amounts=amounts)
        after = figures_after_save(plan, before, amounts=amounts, medlemsbidrag={}, saved=saved)
        assert after.count == before.count + 1  # computed from before, not read
        fresh = compute_plan_figures(plan)
        assert after.findings == fresh.findings
        assert after.result == fresh.result
    assert uncounted(after) == [
        f"2028: {amount}\xa0kr på raden Rad {i} räknas inte i budgeten: året budgeteras per grupp "
        "(gruppens summarad räknas)."
        for i, amount in ((0, "55\xa0000"), (1, "200\xa0000"), (2, "7\xa0000"), (3, "400\xa0000"))
    ]


def test_a_saved_year_is_written_as_a_reload_writes_it_and_read_alike_by_another_process():
    """A plan without a computed room, so that a save moves its year's sums: after each save
    the figures are the reload's to the digit and in the written form (100 is not 100.00 on a
    page), and another process reads them alike from the shared cache, with the lines as
    budgets.calc took them (a line typed only in the comparison column has no budget amount)."""
    forbund = factories.complete_forbund(kommuner=2, slug="flyttat-ar")
    plan = factories.plan(forbund, budget_year=2027)
    plan.compare_prognos = True
    plan.save()
    plan = Plan.objects.get(pk=plan.pk)
    services.budget_figures_set(
        plan=plan,
        acting_user=None,
        medlemsbidrag={(y, "budget"): Decimal(4_000_000) for y in plan.years},
    )
    insats_group = next(g for g in forbund.budget_groups.all() if g.is_insats)
    costs = [
        services.budget_line_create(
            plan=plan,
            acting_user=None,
            category=insats_group.categories.first(),
            name=f"Insats {i}",
            amounts={(y, "budget"): Decimal(100_000 * (i + 1)) for y in plan.years},
        )
        for i in range(3)
    ]
    only_prognos = services.budget_line_create(
        plan=plan,
        acting_user=None,
        category=forbund.budget_groups.get(name="Förvaltning").categories.first(),
        name="Bara prognos",
        amounts={(2026, "prognos"): Decimal(77_000)},
    )
    saves = [
        {(costs[0].pk, 2027, "budget"): Decimal(123_457)},
        {(costs[2].pk, 2028, "budget"): Decimal(0)},
        {(costs[1].pk, 2029, "budget"): Decimal(9_000_001)},  # a deficit in the last year
    ]
    for amounts in saves:
        before = plan_figures(plan)
        saved = services.budget_figures_set(plan=plan, acting_user=None, amounts=amounts)
        after = figures_after_save(plan, before, amounts=amounts, medlemsbidrag={}, saved=saved)
        assert after.count == before.count + 1  # computed from before, not read
        fresh = compute_plan_figures(plan)
        assert repr(after.result) == repr(fresh.result)
        assert repr([c.result for c in after.columns]) == repr([c.result for c in fresh.columns])
        memo.clear()
        shared = plan_figures(plan)
        assert repr(shared.result) == repr(fresh.result)
    calc_lines = {line.key: line for line in shared.result.lines}
    assert calc_lines[str(only_prognos.pk)].amounts == {}
    assert calc_lines[str(costs[2].pk)].amounts[2028] == 0
    assert shared.result.years[-1].resultat < 0
