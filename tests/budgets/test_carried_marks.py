"""A carried plan's pre-filled years are marked where people work: the editor's column heads and
the years form ("Mål och balans") say which year waits for its confirmation, the confirmation
stands first in its year, and a save of the form stays on it."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from budgets import services as budget_services
from budgets.checks import check_carried
from finsam.models import Fordelningstal
from plans.models import Plan
from plans.services import plan_create_from, plan_update
from tests.helpers import form_values, url

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def autumn_before(plan: Plan):
    return time_machine.travel(datetime(plan.budget_year, 10, 1, 10, tzinfo=STOCKHOLM), tick=False)


@pytest.fixture
def kansli(personas):
    return personas["kansli_a"]


@pytest.fixture
def carried(world):
    """World's 2027–2029 plan carried forward to 2028–2030: 2030 is pre-filled from 2029."""
    old = plan_update(
        plan=world["plan_a"], acting_user=None, data={"opening_equity": Decimal(1_000_000)}
    )
    for medlem in old.forbund.medlemmar.filter(kind="kommun"):
        for year in (2026, *old.years):
            Fordelningstal.objects.create(medlem=medlem, year=year, invanare=10_000 + medlem.pk)
    budget_services.budget_figures_set(
        plan=old,
        acting_user=None,
        medlemsbidrag={(year, "budget"): Decimal(4_000_000) for year in old.years},
        amounts={(world["line_a"].pk, year, "budget"): Decimal(4_000_000) for year in old.years},
    )
    with autumn_before(old):
        return plan_create_from(previous=old, acting_user=None)


def heads(page: str) -> list[str]:
    """The budget table's column heads, as text with the links' targets."""
    thead = re.search(r"<thead>(.*?)</thead>", page, re.S).group(1)
    return re.findall(r'<th scope="col" class="num[^"]*">(.*?)</th>', thead, re.S)


def fieldset(page: str, year: int) -> str:
    return re.search(rf'<fieldset id="ar-{year}"[^>]*>(.*?)</fieldset>', page, re.S).group(1)


def confirm(client, plan: Plan, year: int):
    page = client.get(url("budget_years", plan)).content.decode()
    post = form_values(page)
    post[f"y{plan.year_rows.get(year=year, column='budget').pk}-confirm_carried"] = "on"
    return client.post(url("budget_years", plan), post)


def test_the_editor_heads_a_pre_filled_year_with_a_link_to_confirm_it(kansli, carried):
    columns = heads(kansli.get(url("budget_editor", carried)).content.decode())
    assert [c for c in columns if "förifyllt, bekräfta" in c] == [
        "Plan 2030<br>"
        f'<a class="badge badge-varning" href="{url("budget_years", carried)}#ar-2030">'
        'förifyllt, bekräfta<span class="visually-hidden"> 2030 under Mål och balans</span></a>'
    ]
    confirm(kansli, carried, 2030)
    columns = heads(kansli.get(url("budget_editor", carried)).content.decode())
    assert not any("förifyllt" in c for c in columns)


def test_the_years_form_marks_a_pre_filled_year_and_asks_for_its_confirmation_first(
    kansli, carried
):
    page = kansli.get(url("budget_years", carried)).content.decode()
    row = carried.year_rows.get(year=2030, column="budget")
    year = fieldset(page, 2030)
    legend = re.search(r"<legend>(.*?)</legend>", year, re.S).group(1)
    assert legend == (
        f'2030 <a class="badge badge-varning" href="#id_y{row.pk}-confirm_carried">'
        "förifyllt, bekräfta</a>"
    )
    # The checkbox comes before every other field of its year.
    names = re.findall(r'name="(y\d+-[a-z_]+)"', year)
    assert names[0] == f"y{row.pk}-confirm_carried"
    assert "förifyllt" not in fieldset(page, 2029)


def test_saving_mal_och_balans_stays_on_the_form_and_says_it_is_saved(kansli, carried):
    response = confirm(kansli, carried, 2030)
    assert response.status_code == 302
    assert response["Location"] == url("budget_years", carried)
    page = kansli.get(response["Location"]).content.decode()
    assert "Sparat." in page
    assert carried.year_rows.get(year=2030, column="budget").carried_from is None


def test_the_notice_of_a_pre_filled_year_sends_the_kansli_to_mal_och_balans():
    findings = check_carried({2029: 2029, 2030: 2029}, {})
    assert [f.code for f in findings] == ["ar-forifyllt", "ar-forifyllt"]
    for finding in findings:
        assert finding.message.endswith("bekräfta året under Mål och balans.")


def test_kontroller_sends_the_kansli_to_the_confirmation_of_a_pre_filled_year(kansli, carried):
    page = kansli.get(url("budget_editor", carried)).content.decode()
    link = re.search(r'href="([^"]*#id_y\d+-confirm_carried)"', page).group(1)
    target = link.split("#")[1]
    years = kansli.get(link.split("#")[0]).content.decode()
    assert f'id="{target}"' in years
