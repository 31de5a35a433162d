"""Reading a year's utfall in through the pages: a SIE or Excel file previewed per line and
month, confirmed all or nothing, refused with its reasons, and two kansli at once."""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from budgets import services as budget_services
from budgets.models import BudgetCategory
from finsam.models import Fordelningstal
from followup import selectors, services
from followup.models import AccountOutcome, KontoMapping, LineOutcome, PendingUpload, UtfallImport
from plans import services as plan_services
from tests import factories
from tests.followup.sie_files import sie_text
from tests.helpers import adopt_plan

pytestmark = pytest.mark.django_db

ACCOUNTS = {
    "1930": "Bank",
    "3010": "Medlemsbidrag Försäkringskassan",
    "5010": "Lokalhyra",
    "7010": "Löner kansli",
    "6990": "Övriga kostnader",
    "6991": "Diverse utgifter",
}


@pytest.fixture
def year_plan(forbund_a):
    """Förbund A's adopted plan for 2027: medlemsbidrag 4 mkr, Kansli 1 mkr, Lokaler 240 000 kr,
    and a konto map of medlemsbidrag, Lokaler, Kansli, and 6991 not followed up."""
    plan = plan_services.plan_create(forbund=forbund_a, acting_user=None, budget_year=2027)
    for medlem in forbund_a.medlemmar.filter(kind="kommun"):
        for year in plan.years:
            Fordelningstal.objects.create(medlem=medlem, year=year, invanare=10_000)
    budget_services.budget_figures_set(
        plan=plan, acting_user=None, medlemsbidrag={(y, "budget"): 4_000_000 for y in plan.years}
    )
    category = BudgetCategory.objects.get(group__forbund=forbund_a, name="Kansli")
    for name, amount in (("Kansli", 1_000_000), ("Lokaler", 240_000)):
        budget_services.budget_line_create(
            plan=plan,
            acting_user=None,
            category=category,
            name=name,
            amounts={(y, "budget"): Decimal(amount) for y in plan.years},
        )
    adopt_plan(plan)
    refs = selectors.line_refs(selectors.plan_figures(plan))
    text = "konto;budgetrad\n3010-3099;Medlemsbidrag\n5010;Lokaler\n7000-7999;Kansli\n6991;-\n"
    rows = services.mapping_read("karta.csv", text.encode(), refs)
    services.mapping_set(forbund=forbund_a, rows=rows, refs=refs, acting_user=None, replace=True)
    return plan


def months_of(through: int, **changed) -> dict:
    out = {}
    for month in range(1, through + 1):
        out[("3010", 2027, month)] = Decimal("-333333.33")
        out[("5010", 2027, month)] = Decimal("20000.00")
        out[("7010", 2027, month)] = Decimal("80000.50")
        out[("6990", 2027, month)] = Decimal("1234.56")
        out[("6991", 2027, month)] = Decimal("10.01")
    out.update(changed)
    return out


def url(name: str, year: int = 2027, slug: str = "forbund-a") -> str:
    return reverse(name, args=[slug, year])


def upload(client, data: bytes, name: str = "bok.se", **extra):
    return client.post(
        url("followup_import"), {"fil": SimpleUploadedFile(name, data), **extra}, follow=False
    )


def confirm_fields(response) -> dict:
    html = response.content.decode()
    return {
        "pending": re.search(r'name="pending" value="(\d+)"', html)[1],
        "base": re.search(r'name="base" value="(\d+)"', html)[1],
    }


def test_the_preview_shows_the_file_every_change_and_where_the_sum_lands(year_plan, kansli_a):
    data = sie_text(ACCOUNTS, months_of(2), year=2027)
    response = upload(kansli_a, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert hashlib.sha256(data).hexdigest() in html
    assert "januari, februari" in html
    # Lokaler: 0 → 20 000 in each month; the file's sum split by where its konton land.
    assert re.search(
        r"<th scope=\"row\">Lokaler</th><td>januari</td><td class=\"num\">0</td>"
        r"<td class=\"num\">20\xa0000</td>",
        html,
    )
    # mapped: 2 × (−333 333,33 + 20 000 + 80 000,50); not followed up 2 × 10,01; unmapped 6990.
    assert "−466\xa0665,66" in html or "-466\xa0665,66" in html
    assert "20,02" in html
    assert "2\xa0469,12" in html
    assert "Summan stämmer på öret" in html
    assert "Övriga kostnader" in html  # 6990 listed with its amount
    assert not AccountOutcome.objects.exists()  # nothing written before the confirmation


def test_confirming_the_preview_writes_the_months_and_logs_the_file(year_plan, kansli_a):
    data = sie_text(ACCOUNTS, months_of(2), year=2027)
    response = kansli_a.post(url("followup_import"), confirm_fields(upload(kansli_a, data)))
    assert response.status_code == 302
    assert response["Location"] == url("followup_grid")
    record = UtfallImport.objects.get()
    assert (record.file_name, record.months) == ("bok.se", [1, 2])
    follow = selectors.follow_up(year_plan)
    assert {r.ref.name: r.utfall for r in follow.rows}["Lokaler"] == Decimal(40_000)
    assert not PendingUpload.objects.exists()


def test_a_second_import_shows_the_changed_month_old_and_new(year_plan, kansli_a):
    kansli_a.post(
        url("followup_import"),
        confirm_fields(upload(kansli_a, sie_text(ACCOUNTS, months_of(3), year=2027))),
    )
    changed = months_of(3)
    changed[("5010", 2027, 2)] = Decimal("25000.00")
    html = upload(kansli_a, sie_text(ACCOUNTS, changed, year=2027)).content.decode()
    rows = re.findall(r"<tr><th scope=\"row\">([^<]+)</th><td>(\w+)</td>", html)
    assert rows == [("Lokaler", "februari")]
    again = upload(kansli_a, sie_text(ACCOUNTS, months_of(3), year=2027)).content.decode()
    assert "Oförändrat" in again


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("tom.se", b"", "Filen är tom."),
        ("skrap.se", b"\x00\xff" * 5000, ""),
        ("trasig.xlsx", b"PK\x03\x04 inte en arbetsbok", ""),
    ],
)
def test_a_refused_file_keeps_everything_and_says_why(year_plan, kansli_a, name, data, message):
    before = list(KontoMapping.objects.values_list("konto_from", "konto_to", "target"))
    response = upload(kansli_a, data, name)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Inget lästes in" in html
    assert message in html
    assert not AccountOutcome.objects.exists() and not PendingUpload.objects.exists()
    assert list(KontoMapping.objects.values_list("konto_from", "konto_to", "target")) == before


def test_a_refusal_names_the_files_line(year_plan, kansli_a):
    data = sie_text(ACCOUNTS, months_of(1), year=2027).replace(
        b"#RAR 0 20270101", b"#RAR 0 2027XX01"
    )
    html = upload(kansli_a, data).content.decode()
    assert "Rad 8: räkenskapsårets första dag" in html
    assert not AccountOutcome.objects.exists()


def test_50_mb_of_garbage_is_refused_before_it_is_read(year_plan, kansli_a):
    response = upload(kansli_a, b"x" * (50 * 1024 * 1024), "stor.se")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Filen är för stor; högst 20 MB kan läsas in." in html
    assert "Välj en fil att läsa in." not in html


def test_a_konto_map_over_its_limit_is_refused(year_plan, kansli_a):
    karta = SimpleUploadedFile("karta.csv", b"konto;budgetrad\n" + b"5010;Lokaler\n" * 200_000)
    response = upload(kansli_a, sie_text(ACCOUNTS, months_of(1), year=2027), kontokarta=karta)
    assert response.status_code == 400
    assert "Filen är för stor; högst 2 MB kan läsas in." in response.content.decode()
    assert not PendingUpload.objects.exists()


def test_a_bad_konto_map_at_upload_is_refused_with_its_lines_and_writes_nothing(
    year_plan, kansli_a
):
    karta = SimpleUploadedFile("karta.csv", b"konto;budgetrad\n5010;Lokaler\nabc;Kansli\n")
    response = upload(kansli_a, sie_text(ACCOUNTS, months_of(1), year=2027), kontokarta=karta)
    assert response.status_code == 400
    assert "Rad 3" in response.content.decode()
    assert KontoMapping.objects.count() == 4


def test_a_konto_map_at_upload_is_previewed_and_kept_only_on_confirmation(year_plan, kansli_a):
    text = "konto;budgetrad\n3010;Medlemsbidrag\n5000-6999;Lokaler\n7010;Kansli\n"
    karta = SimpleUploadedFile("karta.csv", text.encode())
    data = sie_text(ACCOUNTS, months_of(1), year=2027)
    preview = upload(kansli_a, data, kontokarta=karta)
    assert "Konton som inte hamnar på någon rad" not in preview.content.decode()
    assert KontoMapping.objects.count() == 4  # the preview wrote nothing
    kansli_a.post(url("followup_import"), confirm_fields(preview))
    assert KontoMapping.objects.count() == 3
    lokaler = {r.ref.name: r.utfall for r in selectors.follow_up(year_plan).rows}["Lokaler"]
    assert lokaler == Decimal(20_000) + Decimal("1234.56").quantize(1) + Decimal(10)


def test_two_kansli_importing_at_once_the_second_is_told_and_sees_a_fresh_preview(
    year_plan, kansli_a, forbund_a
):
    other = Client()
    other.force_login(factories.kansli(forbund_a).user)
    first = upload(kansli_a, sie_text(ACCOUNTS, months_of(2), year=2027))
    second = upload(other, sie_text(ACCOUNTS, months_of(3), year=2027))
    assert kansli_a.post(url("followup_import"), confirm_fields(first)).status_code == 302
    response = other.post(url("followup_import"), confirm_fields(second))
    assert response.status_code == 409
    html = response.content.decode()
    assert "Någon annan har läst in utfall" in html
    # The fresh preview shows only what the second file changes now: March.
    assert re.findall(r"<td>(\w+)</td><td class=\"num\">", html) == ["mars"] * 3
    assert UtfallImport.objects.count() == 1
    assert other.post(url("followup_import"), confirm_fields(response)).status_code == 302
    assert UtfallImport.objects.count() == 2


def test_an_excel_sheet_of_utfall_is_read_by_its_content(year_plan, kansli_a):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Budgetrad", "jan", "feb"])
    ws.append(["Lokaler", 21000, 19000])
    out = BytesIO()
    wb.save(out)
    response = upload(kansli_a, out.getvalue(), "utfall.bin")
    assert response.status_code == 200
    assert kansli_a.post(url("followup_import"), confirm_fields(response)).status_code == 302
    assert sorted(
        LineOutcome.objects.filter(line_name="Lokaler").values_list("month", "amount")
    ) == [(1, 21000), (2, 19000)]
    assert {r.ref.name: r.utfall for r in selectors.follow_up(year_plan).rows}[
        "Lokaler"
    ] == Decimal(40_000)


def test_a_pending_file_of_another_user_or_forbund_is_not_found(year_plan, personas, forbund_b):
    kansli_a = personas["kansli_a"]
    fields = confirm_fields(upload(kansli_a, sie_text(ACCOUNTS, months_of(1), year=2027)))
    colleague = Client()
    colleague.force_login(factories.kansli(year_plan.forbund).user)
    assert colleague.post(url("followup_import"), fields).status_code == 404
    assert kansli_a.post(url("followup_import"), {"pending": "x", "base": "0"}).status_code == 404
    assert not AccountOutcome.objects.exists()


@pytest.mark.parametrize("persona", ["styrelse_a", "revisor_a"])
def test_the_board_and_revisor_may_not_import(year_plan, personas, persona):
    client = personas[persona]
    assert client.get(url("followup_import")).status_code == 403
    response = upload(client, sie_text(ACCOUNTS, months_of(1), year=2027))
    assert response.status_code == 403
    assert not PendingUpload.objects.exists()


def test_another_forbunds_kansli_gets_404(year_plan, personas):
    client = personas["kansli_b"]
    assert client.get(url("followup_import")).status_code == 404
    assert upload(client, b"#FLAGGA 0\n").status_code == 404


def test_the_template_read_back_changes_nothing(year_plan, kansli_a):
    grid = {"rad-1": "Kansli", "u-1-1": "80 000", "v-1-1": "0", "rad-2": "Lokaler"}
    grid.update({"u-2-2": "20 500", "v-2-2": "0"})
    assert kansli_a.post(url("followup_grid"), grid).status_code == 302
    response = kansli_a.get(url("followup_template"))
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content))["Utfall"]
    rows = [[c for c in row] for row in sheet.iter_rows(min_row=3, max_col=4, values_only=True)]
    assert rows[0] == ["Budgetrad", "jan", "feb", "mar"]
    assert ["Lokaler", 0, 20500, None] in rows
    preview = upload(kansli_a, response.content, "mall.xlsx")
    assert preview.status_code == 200
    assert "Oförändrat" in preview.content.decode()


def test_the_template_read_back_changes_nothing_beside_utfall_from_the_books(year_plan, kansli_a):
    kansli_a.post(
        url("followup_import"),
        confirm_fields(upload(kansli_a, sie_text(ACCOUNTS, months_of(2), year=2027))),
    )
    KontoMapping.objects.filter(konto_from=7000).delete()  # Kansli is typed by hand
    grid = {"rad-1": "Kansli", "u-1-3": "80 000", "v-1-3": "0"}
    assert kansli_a.post(url("followup_grid"), grid).status_code == 302
    template = kansli_a.get(url("followup_template")).content
    sheet = load_workbook(BytesIO(template))["Utfall"]
    lokaler = next(r for r in sheet.iter_rows(min_row=4, values_only=True) if r[0] == "Lokaler")
    assert lokaler[1:4] == (None, None, 0)  # January and February come from the books
    assert "Från bokföringen" in lokaler[13]
    preview = upload(kansli_a, template, "mall.xlsx")
    assert "Oförändrat" in preview.content.decode()


def test_a_year_bokslutat_between_preview_and_confirmation_is_told_not_a_500(
    year_plan, kansli_a, forbund_a
):
    from followup.models import ClosedYear

    previewed = upload(kansli_a, sie_text(ACCOUNTS, months_of(2), year=2027))
    ClosedYear.objects.create(forbund=forbund_a, year=2027, ub=0)

    response = kansli_a.post(url("followup_import"), confirm_fields(previewed))

    assert response.status_code == 400
    assert "Året 2027 är bokslutat" in response.content.decode()
    assert UtfallImport.objects.count() == 0
