"""The eight real exporters' files (tests/data/sie, see its README) through the whole import:
each lands on a constructed plan's lines to the krona against the test's own reading of the file,
or is refused with a Swedish reason that names both years where the fiscal year is not the
plan's calendar year."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from budgets import services as budget_services
from budgets.calc import round_kr
from budgets.models import BudgetCategory
from followup import selectors, services
from plans import services as plan_services
from tests import factories
from tests.helpers import adopt_plan

pytestmark = pytest.mark.django_db
DATA = Path(__file__).resolve().parent.parent / "data" / "sie"


def own_reading(name: str) -> tuple[dict[int, Decimal], int]:
    """Per result konto, the year's sum: the file's own #RES 0 where it has one, else the
    #PSALDO 0 rows with {}, else the #TRANS rows; and the calendar year of #RAR 0 (or of the
    first voucher)."""
    text = (DATA / name).read_bytes().decode("cp437")
    res = re.findall(r"^#RES\s+0\s+(\d+)\s+(-?[\d.]+)", text, re.M)
    psaldo = re.findall(r"^#PSALDO\s+0\s+(\d{4})\d\d\s+(\d+)\s+\{\s*\}\s+(-?[\d.]+)", text, re.M)
    sums: dict[int, Decimal] = {}
    if res:
        rows = [(int(k), Decimal(a)) for k, a in res]
    elif psaldo:
        rows = [(int(k), Decimal(a)) for _, k, a in psaldo]
    else:
        rows = [
            (int(k), Decimal(a))
            for k, a in re.findall(r"^\s*#TRANS\s+(\d+)\s+\{[^}]*\}\s+(-?[\d.]+)", text, re.M)
        ]
    for konto, amount in rows:
        if 3000 <= konto <= 8999:
            sums[konto] = sums.get(konto, Decimal(0)) + amount
    rar = re.search(r"^#RAR\s+0\s+(\d{4})", text, re.M)
    year = (
        int(rar.group(1))
        if rar
        else int(re.search(r"^#VER\s+\S+\s+\S+\s+(\d{4})", text, re.M).group(1))
    )
    return sums, year


def plan_for(year: int):
    forbund = factories.complete_forbund(slug=f"verklig-{year}", organisationsnummer="")
    plan = plan_services.plan_create(forbund=forbund, acting_user=None, budget_year=year)
    for name, group in (("Intäkter", "intakt"), ("Kostnader", "kostnad")):
        category = BudgetCategory.objects.filter(group__forbund=forbund, group__side=group).first()
        budget_services.budget_line_create(
            plan=plan,
            acting_user=None,
            category=category,
            name=name,
            amounts={(y, "budget"): Decimal(100_000) for y in plan.years},
        )
    adopt_plan(plan)
    refs = selectors.line_refs(selectors.plan_figures(plan))
    text = "konto;budgetrad\n3000-3999;Intäkter\n4000-8999;Kostnader\n"
    services.mapping_set(
        forbund=forbund,
        rows=services.mapping_read("karta.csv", text.encode(), refs),
        refs=refs,
        acting_user=None,
    )
    return forbund, plan, refs


CALENDAR = [
    "SIE_exempelfil.se",
    "magenta_bokforing_SIE4E.se",
    "si.SI",
    "sie_3.SE",
    "urval_ovnbolag.si",
]


@pytest.mark.parametrize("name", CALENDAR)
def test_a_real_calendar_year_file_lands_on_the_lines_to_the_krona(name):
    sums, year = own_reading(name)
    forbund, plan, refs = plan_for(year)
    preview = services.utfall_preview(
        forbund=forbund, year=year, file_name=name, data=(DATA / name).read_bytes(), refs=refs
    )
    services.utfall_import(forbund=forbund, preview=preview, acting_user=None)
    follow = selectors.follow_up(plan, month=12)
    rows = {r.ref.name: r for r in follow.rows}
    income = -sum((a for k, a in sums.items() if k < 4000), Decimal(0))
    cost = sum((a for k, a in sums.items() if k >= 4000), Decimal(0))
    # Each line's months are rounded to the krona as the page shows them; the year's sum is
    # within half a krona per month of the file's own sum, and the whole file is accounted for.
    assert abs(rows["Intäkter"].utfall - income) <= 6
    assert abs(rows["Kostnader"].utfall - cost) <= 6
    assert follow.utfall.account_total == sum(sums.values())
    assert follow.utfall.unmapped == []
    assert round_kr(follow.utfall.account_total) == round_kr(cost - income)


@pytest.mark.parametrize(
    ("name", "fiscal"),
    [
        ("BL0001_typ3.SE", "2009-07-01–2010-06-30"),
        ("BL0001_typ4.SE", "2009-07-01–2010-06-30"),
        ("live2011.se", "2011-06-01–2011-12-31"),
    ],
)
def test_a_real_file_whose_fiscal_year_is_not_the_calendar_year_is_refused_naming_both(
    name, fiscal
):
    _, year = own_reading(name)
    forbund, plan, refs = plan_for(year)
    with pytest.raises(services.ImportRefused) as refused:
        services.utfall_preview(
            forbund=forbund, year=year, file_name=name, data=(DATA / name).read_bytes(), refs=refs
        )
    message = str(refused.value)
    assert fiscal in message
    assert f"kalenderåret {year}" in message
