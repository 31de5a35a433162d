"""The year's follow-up on a plan the test constructs: a SIE file of the year read through the
konto map, to the krona against figures the test computes itself."""

from __future__ import annotations

from decimal import Decimal

import pytest

from budgets import services as budget_services
from budgets.calc import round_kr
from budgets.models import BudgetCategory
from followup import selectors, services
from followup.models import AccountOutcome, UtfallImport
from tests.followup.sie_files import sie_text
from tests.helpers import adopt_plan, make_plan

pytestmark = pytest.mark.django_db

ACCOUNTS = {
    "1930": "Bank",
    "3010": "Medlemsbidrag Försäkringskassan",
    "3020": "Medlemsbidrag Region Östra",
    "5010": "Lokalhyra",
    "7010": "Löner kansli",
    "6990": "Övriga kostnader",
}


def constructed():
    forbund, plan = make_plan("uppf")
    category = BudgetCategory.objects.get(group__forbund=forbund, name="Kansli")
    budget_services.budget_line_create(
        plan=plan,
        acting_user=None,
        category=category,
        name="Lokaler",
        amounts={(y, "budget"): Decimal(240_000) for y in plan.years},
    )
    adopt_plan(plan)
    return forbund, plan


def months_of(year: int, through: int) -> dict[tuple[str, int, int], Decimal]:
    out = {}
    for month in range(1, through + 1):
        out[("3010", year, month)] = Decimal("-166666.67")
        out[("3020", year, month)] = Decimal("-83333.33")
        out[("5010", year, month)] = Decimal("20000.00")
        out[("7010", year, month)] = Decimal("80000.50") + month
        out[("6990", year, month)] = Decimal("1234.56")
    return out


def mapped(forbund, plan):
    figures = selectors.plan_figures(plan)
    refs = selectors.line_refs(figures)
    text = "konto;budgetrad\n3010-3099;Medlemsbidrag\n5010;Lokaler\n7000-7999;Kansli\n"
    rows = services.mapping_read("karta.csv", text.encode(), refs)
    services.mapping_set(forbund=forbund, rows=rows, refs=refs, acting_user=None, replace=True)
    return refs


def test_a_sie_file_lands_on_the_plans_lines_to_the_krona():
    forbund, plan = constructed()
    refs = mapped(forbund, plan)
    months = months_of(2027, 8)
    data = sie_text(ACCOUNTS, months, year=2027)
    preview = services.utfall_preview(
        forbund=forbund, year=2027, file_name="bok.se", data=data, refs=refs
    )
    assert preview.months == list(range(1, 9))
    services.utfall_import(forbund=forbund, preview=preview, acting_user=None)

    follow = selectors.follow_up(plan)
    rows = {r.ref.name: r for r in follow.rows}
    assert follow.month == 8
    # Lokaler: 8 × 20 000 kr; budget to date 240 000 × 8/12.
    assert rows["Lokaler"].utfall == Decimal(160_000)
    assert rows["Lokaler"].budget_so_far == Decimal(160_000)
    # Kansli: each month rounded to the krona as the page shows it, then added.
    kansli = sum(round_kr(Decimal("80000.50") + m) for m in range(1, 9))
    assert rows["Kansli"].utfall == kansli
    assert rows["Medlemsbidrag"].utfall == 8 * (
        round_kr(Decimal("166666.67") + Decimal("83333.33"))
    )
    # 6990 lands on no line: listed with its amount, nothing dropped.
    assert [(a.konto, a.total) for a in follow.utfall.unmapped] == [(6990, Decimal("1234.56") * 8)]
    assert follow.utfall.account_total == sum(months.values())


def test_a_second_import_of_a_changed_month_replaces_it_and_shows_old_and_new():
    forbund, plan = constructed()
    refs = mapped(forbund, plan)
    months = months_of(2027, 4)
    services.utfall_import(
        forbund=forbund,
        preview=services.utfall_preview(
            forbund=forbund,
            year=2027,
            file_name="april.se",
            data=sie_text(ACCOUNTS, months, year=2027),
            refs=refs,
        ),
        acting_user=None,
    )
    months[("5010", 2027, 3)] = Decimal("25000.00")
    preview = services.utfall_preview(
        forbund=forbund,
        year=2027,
        file_name="april2.se",
        data=sie_text(ACCOUNTS, months, year=2027),
        refs=refs,
    )
    assert [(c.label, c.month, c.old, c.new) for c in preview.changes] == [
        ("Lokaler", 3, Decimal(20_000), Decimal(25_000))
    ]
    services.utfall_import(forbund=forbund, preview=preview, acting_user=None)
    assert AccountOutcome.objects.filter(forbund=forbund, konto=5010, month=3).get().amount == 25000
    assert UtfallImport.objects.filter(forbund=forbund).count() == 2


def test_two_imports_from_the_same_preview_state_the_second_is_told():
    forbund, plan = constructed()
    refs = mapped(forbund, plan)
    data = sie_text(ACCOUNTS, months_of(2027, 2), year=2027)
    first = services.utfall_preview(
        forbund=forbund, year=2027, file_name="a.se", data=data, refs=refs
    )
    second = services.utfall_preview(
        forbund=forbund, year=2027, file_name="b.se", data=data, refs=refs
    )
    services.utfall_import(forbund=forbund, preview=first, acting_user=None)
    with pytest.raises(services.ValidationError, match="Någon annan har läst in utfall"):
        services.utfall_import(forbund=forbund, preview=second, acting_user=None)
    assert UtfallImport.objects.filter(forbund=forbund).count() == 1


def test_a_file_for_a_broken_fiscal_year_is_refused_naming_both():
    forbund, plan = constructed()
    refs = mapped(forbund, plan)
    months = {(k, 2026, m + 6): a for (k, _, m), a in months_of(2026, 6).items()}
    data = sie_text(ACCOUNTS, months, year=2026).replace(
        b"#RAR 0 20260101 20261231", b"#RAR 0 20260701 20270630"
    )
    with pytest.raises(services.ImportRefused) as refused:
        services.utfall_preview(forbund=forbund, year=2027, file_name="a.se", data=data, refs=refs)
    assert "2026-07-01–2027-06-30" in str(refused.value)
    assert "kalenderåret 2027" in str(refused.value)
    assert not AccountOutcome.objects.exists()


def test_an_account_hidden_in_an_unknown_record_is_refused_at_the_line_of_its_amount():
    forbund, plan = constructed()
    refs = mapped(forbund, plan)
    data = sie_text(ACCOUNTS, months_of(2027, 2), year=2027).replace(
        b'#KONTO 5010 "Lokalhyra"', b'#XKONTO 5010 "Lokalhyra"'
    )
    lines = data.decode("cp437").splitlines()
    unknown = next(n for n, line in enumerate(lines, 1) if line.startswith("#XKONTO"))
    first = next(n for n, line in enumerate(lines, 1) if " 5010 " in line and n != unknown)
    with pytest.raises(services.ImportRefused) as refused:
        services.utfall_preview(forbund=forbund, year=2027, file_name="a.se", data=data, refs=refs)
    said = str(refused.value)
    assert f"Rad {first}: Konto 5010 har belopp men inget namn i filen" in said
    assert f"#XKONTO på rad {unknown}" in said
    assert not AccountOutcome.objects.exists()


def test_the_forecast_rolls_the_prognos_result_into_eget_kapital():
    forbund, plan = constructed()
    refs = mapped(forbund, plan)
    services.utfall_import(
        forbund=forbund,
        preview=services.utfall_preview(
            forbund=forbund,
            year=2027,
            file_name="a.se",
            data=sie_text(ACCOUNTS, months_of(2027, 8), year=2027),
            refs=refs,
        ),
        acting_user=None,
    )
    follow = selectors.follow_up(plan)
    services.prognos_create(forbund=forbund, year=2027, month=8, follow=follow, acting_user=None)
    follow = selectors.follow_up(plan)
    rows = {r.ref.name: r for r in follow.rows}
    # utfall to date + the budget that remains
    assert rows["Lokaler"].prognos == Decimal(160_000) + Decimal(240_000) - Decimal(160_000)
    income = sum(r.prognos for r in follow.rows if r.side == "intakt")
    cost = sum(r.prognos for r in follow.rows if r.side == "kostnad")
    first = follow.forecast.first
    assert first.resultat == income - cost
    assert first.ub == plan.opening_equity.amount + income - cost
    assert follow.forecast.years[1].ib == first.ub


def test_a_month_typed_before_the_books_came_counts_once_the_books_have_it():
    forbund, plan = constructed()
    refs = mapped(forbund, plan)
    kansli = next(r for r in refs if r.name == "Kansli")
    # April typed in the grid before the books were closed …
    services.line_outcomes_set(
        forbund=forbund,
        year=2027,
        cells={(kansli.key, 4): (Decimal(0), Decimal(90_000))},
        refs=refs,
        acting_user=None,
    )
    # … then the SIE file through April arrives: the books' own figure stands, once.
    months = months_of(2027, 4)
    preview = services.utfall_preview(
        forbund=forbund,
        year=2027,
        file_name="april.se",
        data=sie_text(ACCOUNTS, months, year=2027),
        refs=refs,
    )
    booked_april = round_kr(months[("7010", 2027, 4)])
    assert ("Kansli", 4, Decimal(90_000), booked_april) in [
        (c.label, c.month, c.old, c.new) for c in preview.changes
    ]
    services.utfall_import(forbund=forbund, preview=preview, acting_user=None)
    utfall = selectors.utfall_for(forbund, 2027, refs)
    assert utfall.by_line[kansli.key][3] == booked_april
    assert utfall.superseded == [(kansli.key, 4, Decimal(90_000))]


def test_an_excel_sheet_adds_nothing_to_a_month_the_books_feed():
    from io import BytesIO

    from openpyxl import Workbook

    forbund, plan = constructed()
    refs = mapped(forbund, plan)
    services.utfall_import(
        forbund=forbund,
        preview=services.utfall_preview(
            forbund=forbund,
            year=2027,
            file_name="mars.se",
            data=sie_text(ACCOUNTS, months_of(2027, 3), year=2027),
            refs=refs,
        ),
        acting_user=None,
    )
    book = Workbook()
    sheet = book.active
    sheet.title = "Utfall"
    sheet.append(["Budgetrad", "jan", "feb", "mar"])
    sheet.append(["Kansli", 5000, None, None])
    out = BytesIO()
    book.save(out)
    preview = services.utfall_preview(
        forbund=forbund, year=2027, file_name="u.xlsx", data=out.getvalue(), refs=refs
    )
    assert preview.changes == []


def test_the_page_shows_the_latest_prognos_even_past_the_month_the_books_reached():
    forbund, plan = constructed()
    refs = mapped(forbund, plan)
    services.utfall_import(
        forbund=forbund,
        preview=services.utfall_preview(
            forbund=forbund,
            year=2027,
            file_name="mars.se",
            data=sie_text(ACCOUNTS, months_of(2027, 3), year=2027),
            refs=refs,
        ),
        acting_user=None,
    )
    prognos = services.prognos_create(
        forbund=forbund, year=2027, month=4, follow=selectors.follow_up(plan), acting_user=None
    )
    follow = selectors.follow_up(plan)
    assert follow.month == 3
    assert follow.prognos == prognos
    # As at March, asked for: the prognos after April was not made yet.
    assert selectors.follow_up(plan, month=3).prognos is None


def test_a_bokslutat_year_takes_no_more_utfall_and_says_why():
    from followup import carry

    forbund, plan = constructed()
    refs = mapped(forbund, plan)
    data = sie_text(ACCOUNTS, months_of(2027, 12), year=2027)
    services.utfall_import(
        forbund=forbund,
        preview=services.utfall_preview(
            forbund=forbund, year=2027, file_name="helar.se", data=data, refs=refs
        ),
        acting_user=None,
    )
    accounts = {k: v for k, v in ACCOUNTS.items() if k != "6990"}  # every konto on a line
    data = sie_text(
        accounts, {k: v for k, v in months_of(2027, 12).items() if k[0] != "6990"}, year=2027
    )
    services.utfall_import(
        forbund=forbund,
        preview=services.utfall_preview(
            forbund=forbund, year=2027, file_name="helar2.se", data=data, refs=refs
        ),
        acting_user=None,
    )
    carry.year_close(forbund=forbund, year=2027, acting_user=None)
    kansli = next(r for r in refs if r.name == "Kansli")
    before = selectors.utfall_for(forbund, 2027, refs).by_line[kansli.key]

    with pytest.raises(services.ValidationError, match="bokslutat"):
        services.line_outcomes_set(
            forbund=forbund,
            year=2027,
            cells={(kansli.key, 12): (before[11], Decimal(1))},
            refs=refs,
            acting_user=None,
        )
    with pytest.raises(services.ImportRefused, match="bokslutat"):
        services.utfall_preview(
            forbund=forbund, year=2027, file_name="igen.se", data=data, refs=refs
        )
    assert selectors.utfall_for(forbund, 2027, refs).by_line[kansli.key] == before


@pytest.mark.parametrize("written", ["556677-8899", "5566778899", "16556677-8899"])
def test_the_forbunds_own_orgnr_however_written_is_accepted_and_another_refused(written):
    from finsam.models import Forbund

    forbund, plan = constructed()
    Forbund.objects.filter(pk=forbund.pk).update(organisationsnummer="556677-8899")
    forbund.refresh_from_db()
    refs = mapped(forbund, plan)
    months = months_of(2027, 1)
    preview = services.utfall_preview(
        forbund=forbund,
        year=2027,
        file_name="a.se",
        data=sie_text(ACCOUNTS, months, year=2027, orgnr=written),
        refs=refs,
    )
    assert preview.months == [1]
    with pytest.raises(services.ImportRefused, match="organisationsnummer 212000-0142"):
        services.utfall_preview(
            forbund=forbund,
            year=2027,
            file_name="b.se",
            data=sie_text(ACCOUNTS, months, year=2027, orgnr="212000-0142"),
            refs=refs,
        )
