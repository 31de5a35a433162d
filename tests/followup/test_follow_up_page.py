"""The year's follow-up page on a plan the test constructs: its figures to the krona against
figures the test computes itself, who may read it, and its query count whatever the plan's size."""

from __future__ import annotations

import itertools
import json
import re
from decimal import Decimal
from html.parser import HTMLParser
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from budgets import services as budget_services
from budgets.calc import round_kr
from budgets.models import BudgetCategory
from finsam.models import Fordelningstal
from finsam.money import format_number
from followup import selectors, services
from plans import services as plan_services
from tests.followup.sie_files import sie_text
from tests.helpers import adopt_plan, grow

pytestmark = pytest.mark.django_db

ACCOUNTS = {
    "1930": "Bank",
    "3010": "Medlemsbidrag Försäkringskassan",
    "3020": "Medlemsbidrag Region",
    "5010": "Lokalhyra",
    "7010": "Löner kansli",
    "6990": "Övriga kostnader",
}


def adopted_plan(forbund, extra_lines: int = 0):
    """An adopted plan for 2027: medlemsbidrag 4 mkr, Kansli 1 mkr and Lokaler 240 000 kr a year."""
    plan = plan_services.plan_create(forbund=forbund, acting_user=None, budget_year=2027)
    for medlem in forbund.medlemmar.filter(kind="kommun"):
        for year in plan.years:
            Fordelningstal.objects.get_or_create(
                medlem=medlem, year=year, defaults={"invanare": 10_000}
            )
    budget_services.budget_figures_set(
        plan=plan,
        acting_user=None,
        medlemsbidrag={(y, "budget"): Decimal(4_000_000) for y in plan.years},
    )
    category = BudgetCategory.objects.get(group__forbund=forbund, name="Kansli")
    for name, amount in (("Kansli", 1_000_000), ("Lokaler", 240_000)):
        budget_services.budget_line_create(
            plan=plan,
            acting_user=None,
            category=category,
            name=name,
            amounts={(y, "budget"): Decimal(amount) for y in plan.years},
        )
    if extra_lines:
        grow(plan, extra_lines)
    adopt_plan(plan)
    return plan


def months_of(through: int) -> dict[tuple[str, int, int], Decimal]:
    out = {}
    for month in range(1, through + 1):
        out[("3010", 2027, month)] = Decimal("-166666.67")
        out[("3020", 2027, month)] = Decimal("-83333.33")
        out[("5010", 2027, month)] = Decimal("20000.00")
        out[("7010", 2027, month)] = Decimal("90000.50") + month
        out[("6990", 2027, month)] = Decimal("1234.56")
    return out


def with_utfall(plan, through: int = 8):
    forbund = plan.forbund
    refs = selectors.line_refs(selectors.plan_figures(plan))
    text = "konto;budgetrad\n3010-3099;Medlemsbidrag\n5010;Lokaler\n7000-7999;Kansli\n"
    rows = services.mapping_read("karta.csv", text.encode(), refs)
    services.mapping_set(forbund=forbund, rows=rows, refs=refs, acting_user=None, replace=True)
    preview = services.utfall_preview(
        forbund=forbund,
        year=2027,
        file_name="bok.se",
        data=sie_text(ACCOUNTS, months_of(through), year=2027),
        refs=refs,
    )
    services.utfall_import(forbund=forbund, preview=preview, acting_user=None)
    return refs


class Tables(HTMLParser):
    """The text of each cell of each table row, by the table's id."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table = None
        self._cell: list[str] | None = None
        self._row: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._table = dict(attrs).get("id")
            self.tables.setdefault(self._table, [])
        elif tag == "tr" and self._table:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data.replace("\xa0", " "))


def tables(response) -> dict[str, list[list[str]]]:
    parser = Tables()
    parser.feed(response.content.decode())
    return parser.tables


def shown(value: str | None) -> str:
    return " ".join(format_number(Decimal(value)).replace("\xa0", " ").split())


def percent_shown(value: str | None) -> str:
    return "–" if value is None else f"{value.replace('.', ',')} %"


def expected_cells(row: dict) -> list[str]:
    return [
        row["label"],
        shown(row["budget"]),
        shown(row["budget_so_far"]),
        shown(row["utfall"]),
        shown(row["deviation"]),
        percent_shown(row["deviation_percent"]),
        shown(row["prognos"]),
        shown(row["prognos_deviation"]),
        percent_shown(row["prognos_percent"]),
    ]


def page_url(plan, **query):
    url = reverse("follow_up", args=[plan.forbund.slug, 2027])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def command_json(plan, *extra) -> dict:
    out = StringIO()
    call_command(
        "follow_up",
        "--forbund",
        plan.forbund.slug,
        "--year",
        "2027",
        "--format",
        "json",
        *extra,
        stdout=out,
    )
    return json.loads(out.getvalue())


def test_the_page_shows_each_lines_figures_to_the_krona_as_the_test_computes_them(
    forbund_a, kansli_a
):
    plan = adopted_plan(forbund_a)
    with_utfall(plan, through=8)
    response = kansli_a.get(page_url(plan))
    assert response.status_code == 200
    rows = {r[0]: r[1:] for r in tables(response)["rader"][1:]}
    # Lokaler: 8 × 20 000 kr against 240 000 × 8/12: no deviation, prognos at budget.
    assert rows["Lokaler"][:4] == ["240 000", "160 000", "160 000", "0"]
    # Kansli: each month rounded to the krona, then added; a cost over budget is worse (−).
    kansli = sum(round_kr(Decimal("90000.50") + m) for m in range(1, 9))
    so_far = round_kr(Decimal(1_000_000) * 8 / 12)
    assert rows["Kansli"][:4] == [
        "1 000 000",
        shown(str(so_far)),
        shown(str(kansli)),
        shown(str(so_far - kansli)),
    ]
    # With no prognos the year is utfall to date and the budget that remains.
    assert rows["Kansli"][5] == shown(str(kansli + 1_000_000 - so_far))
    # Medlemsbidrag: 250 000 a month against 4 000 000 × 8/12; less income is worse (−).
    mb_so_far = round_kr(Decimal(4_000_000) * 8 / 12)
    assert rows["Medlemsbidrag"][1:4] == [
        shown(str(mb_so_far)),
        "2 000 000",
        shown(str(2_000_000 - mb_so_far)),
    ]
    income = 2_000_000
    costs = kansli + 160_000
    assert rows["Årets resultat"][2] == shown(str(income - costs))
    # 6990 lands on no line: counted and summed, nothing dropped.
    assert "1 konto hamnar inte på någon budgetrad, sammanlagt 9 876 kr" in " ".join(
        response.content.decode().replace("\xa0", " ").split()
    )


def test_the_page_as_at_an_earlier_month_shows_the_utfall_through_that_month(forbund_a, kansli_a):
    plan = adopted_plan(forbund_a)
    with_utfall(plan, through=8)
    rows = {r[0]: r[1:] for r in tables(kansli_a.get(page_url(plan, manad=4)))["rader"][1:]}
    assert rows["Lokaler"][:3] == ["240 000", "80 000", "80 000"]


def test_a_month_that_is_no_month_is_said_and_the_latest_is_shown(forbund_a, kansli_a):
    plan = adopted_plan(forbund_a)
    with_utfall(plan, through=3)
    response = kansli_a.get(page_url(plan, manad="tretton"), follow=True)
    assert response.status_code == 200
    assert "Månaden ska vara ett tal 0–12" in response.content.decode()
    rows = {r[0]: r[1:] for r in tables(response)["rader"][1:]}
    assert rows["Lokaler"][2] == "60 000"


def test_every_row_of_the_page_is_the_commands_json(forbund_a, kansli_a):
    plan = adopted_plan(forbund_a)
    with_utfall(plan, through=8)
    report = command_json(plan)
    page = tables(kansli_a.get(page_url(plan)))
    expected = [expected_cells(r) for r in report["rows"]]
    expected += [expected_cells(r) for r in report["totals"].values()]
    assert [r[:9] for r in page["rader"][1:-1]] == expected
    assert [r[:9] for r in page["grupper"][1:]] == [expected_cells(r) for r in report["groups"]]
    equity = [
        [
            str(e["year"]),
            *(
                shown(e[k])
                for k in (
                    "budget_ib",
                    "budget_resultat",
                    "budget_ub",
                    "prognos_ib",
                    "prognos_resultat",
                    "prognos_ub",
                )
            ),
        ]
        for e in report["equity"]
    ]
    assert [r[:7] for r in page["eget-kapital"][1:]] == equity
    members = [[m["member"], shown(m["budget"]), shown(m["prognos"])] for m in report["members"]]
    assert page["medlemmar"][1:] == members
    # The forecast is the plan's own calculation: UB = IB + result, each year from the last.
    years = report["forecast"]["years"]
    for year in years:
        assert int(year["ub"]) == int(year["ib"]) + int(year["resultat"])
    for before, after in itertools.pairwise(years):
        assert after["ib"] == before["ub"]


def test_the_styrelse_and_the_revisor_read_the_page_and_another_forbund_gets_404(
    forbund_a, personas
):
    plan = adopted_plan(forbund_a)
    with_utfall(plan, through=2)
    for name in ("styrelse_a", "revisor_a"):
        response = personas[name].get(page_url(plan))
        assert response.status_code == 200
        assert "Ny prognos" not in response.content.decode()
    assert personas["kansli_b"].get(page_url(plan)).status_code == 404
    assert (
        personas["kansli_a"].get(reverse("follow_up", args=["forbund-a", 2031])).status_code == 404
    )


def test_the_year_list_names_each_adopted_year_with_its_last_month(forbund_a, personas):
    plan = adopted_plan(forbund_a)
    with_utfall(plan, through=8)
    response = personas["styrelse_a"].get(reverse("followup_years", args=["forbund-a"]))
    assert response.status_code == 200
    text = " ".join(response.content.decode().replace("\xa0", " ").split())
    assert "31 augusti 2027" in text
    assert (
        personas["kansli_b"].get(reverse("followup_years", args=["forbund-a"])).status_code == 404
    )


def test_an_adopted_plan_has_an_uppfoljning_tab_and_a_draft_none(forbund_a, kansli_a):
    plan = adopted_plan(forbund_a)
    url = reverse("plan_detail", args=["forbund-a", plan.pk])
    assert page_url(plan) in kansli_a.get(url).content.decode()
    draft = plan_services.plan_create(forbund=forbund_a, acting_user=None, budget_year=2028)
    text = kansli_a.get(reverse("plan_detail", args=["forbund-a", draft.pk])).content.decode()
    assert "/uppfoljning/2028/" not in text


# The page's queries, whatever the number of lines: the session and the user (2), the user's
# memberships (1), the adopted plan and its check through the user's plans (2), the plan's
# figures: years, groups, categories, members, fördelningstal, lines, amounts, the year before's
# bokslut for its Kontroller (8), the follow-up settings, the konto map, the konton's utfall, the lines' utfall (4), the prognoses
# with their makers and their lines (2).
PAGE_QUERIES = 19


@pytest.mark.parametrize("extra_lines", [3, 6])
def test_the_page_takes_the_same_queries_with_twice_the_lines(
    forbund_a, kansli_a, django_assert_num_queries, extra_lines
):
    plan = adopted_plan(forbund_a, extra_lines=extra_lines)
    refs = with_utfall(plan, through=8)
    follow = selectors.follow_up(plan)
    prognos = services.prognos_create(
        forbund=forbund_a, year=2027, month=8, follow=follow, acting_user=None
    )
    assert prognos.lines.count() == len(refs) == 3 + extra_lines
    with django_assert_num_queries(PAGE_QUERIES):
        assert kansli_a.get(page_url(plan)).status_code == 200


def test_a_year_with_no_utfall_yet_shows_its_budget_and_says_so(forbund_a, personas):
    plan = adopted_plan(forbund_a)
    response = personas["revisor_a"].get(page_url(plan))
    assert response.status_code == 200
    assert "Utfall till och med <strong>inget utfall ännu</strong>" in response.content.decode()
    rows = {r[0]: r[1:] for r in tables(response)["rader"][1:]}
    assert rows["Kansli"][:3] == ["1 000 000", "0", "0"]
    assert rows["Kansli"][5] == "1 000 000"  # the year as budgeted


def test_the_charts_have_a_title_a_description_and_the_figures_in_a_table(forbund_a, kansli_a):
    plan = adopted_plan(forbund_a)
    with_utfall(plan, through=2)
    response = kansli_a.get(page_url(plan))
    text = response.content.decode().replace("\xa0", " ")
    assert '<title id="chart-ek-prognos-t">Utgående eget kapital per år, budget och prognos' in text
    # The group of Kansli and Lokaler: each month's utfall rounded per line, then added up.
    february = sum(round_kr(Decimal("90000.50") + m) + 20_000 for m in (1, 2))
    so_far = round_kr(Decimal(1_240_000) * 2 / 12)
    assert "Förvaltning: budget, utfall och prognos ackumulerat" in text
    assert (
        f"utfall till och med februari {shown(str(february))} kr mot budget "
        f"{shown(str(so_far))} kr" in text
    )
    months = {(r[0], r[1]): r[2:] for r in tables(response)["manader"][1:]}
    january = round_kr(Decimal("90001.50")) + 20_000
    assert months[("Förvaltning", "utfall")][:3] == [shown(str(january)), shown(str(february)), "–"]
    assert months[("Förvaltning", "budget")][11] == "1 240 000"


# The same page read again while nothing changed: the session and its user (2), memberships
# (1), the adopted plan and its check through the user's plans (2), the förbund's count of
# changes (1); its figures and tables are kept under that count.
WARM_PAGE_QUERIES = 6


@pytest.mark.django_db(transaction=True)  # the page is kept only outside a transaction
def test_the_page_read_again_is_kept_and_every_kind_of_change_shows_at_once(
    forbund_a, kansli_a, django_assert_num_queries
):
    plan = adopted_plan(forbund_a)
    refs = with_utfall(plan, through=8)
    assert "31 augusti 2027" in kansli_a.get(page_url(plan)).content.decode()
    with django_assert_num_queries(WARM_PAGE_QUERIES):
        assert kansli_a.get(page_url(plan)).status_code == 200

    # A month typed in the grid.
    kansli = next(r for r in refs if r.name == "Kansli")
    services.line_outcomes_set(
        forbund=forbund_a,
        year=2027,
        cells={(kansli.key, 9): (Decimal(0), Decimal(77_777))},
        refs=refs,
        acting_user=None,
    )
    response = kansli_a.get(page_url(plan))
    assert "Utfall till och med <strong>30 september 2027" in response.content.decode()
    # Kansli's konto through August, each month rounded to the krona, and September typed.
    through_september = sum(round_kr(Decimal("90000.50") + m) for m in range(1, 9)) + 77_777
    rows = {r[0]: r[1:] for r in tables(response)["rader"][1:]}
    assert rows["Kansli"][2] == shown(str(through_september))

    # A prognos made.
    services.prognos_create(
        forbund=forbund_a,
        year=2027,
        month=9,
        follow=selectors.follow_up(plan),
        acting_user=None,
    )
    assert "Prognos <a href=" in kansli_a.get(page_url(plan)).content.decode()

    # The konto map changed: the rent's konto on no line.
    text = "konto;budgetrad\n3010-3099;Medlemsbidrag\n7000-7999;Kansli\n"
    rows = services.mapping_read("karta.csv", text.encode(), refs)
    services.mapping_set(forbund=forbund_a, rows=rows, refs=refs, acting_user=None, replace=True)
    page = kansli_a.get(page_url(plan)).content.decode()
    assert "hamnar inte på någon budgetrad" in page


def test_the_charts_vertical_axis_is_marked_at_round_amounts_that_hold_every_figure(
    forbund_a, kansli_a
):
    plan = adopted_plan(forbund_a)
    with_utfall(plan, through=2)
    text = kansli_a.get(page_url(plan)).content.decode().replace("\xa0", " ")
    start = text.index(
        "<svg", text.index("Förvaltning: budget, utfall och prognos ackumulerat") - 400
    )
    chart = text[start : text.index("</svg>", start)]
    marks = [
        Decimal(label.replace(" ", ""))
        for label in re.findall(
            r'<text x="74" y="[\d.]+" text-anchor="end">([-\d ]+)</text>', chart
        )
    ]
    step = marks[1] - marks[0]
    # 0, 250 000, …, 1 250 000: the year's budget of 1 240 000 kr lies under the last mark.
    assert marks[0] == 0 and marks[-1] >= 1_240_000 > marks[-2]
    assert len(marks) >= 4
    assert all(b - a == step for a, b in itertools.pairwise(marks))
    assert str(step.normalize())[0] in "125" and step % 1 == 0
