"""The konto map page: every konto of the year's utfall and every row of the map, suggestions
confirmed by the kansli, ranges added and removed, the map exported and read back."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from budgets import services as budget_services
from budgets.models import BudgetCategory
from finsam.models import Fordelningstal
from followup import selectors, services
from followup.models import KontoMapping, MappingTarget
from plans import services as plan_services
from tests.followup.sie_files import sie_text
from tests.helpers import adopt_plan, form_values, grow

pytestmark = pytest.mark.django_db

ACCOUNTS = {
    "1930": "Bank",
    "3010": "Medlemsbidrag Försäkringskassan",
    "5010": "Lokalhyra",
    "5020": "Lokaler",
    "7010": "Löner kansli",
}


def adopted(forbund, extra_lines: int = 0):
    """The förbund's adopted plan for 2027: medlemsbidrag, Kansli and Lokaler (and more lines)."""
    plan = plan_services.plan_create(forbund=forbund, acting_user=None, budget_year=2027)
    for medlem in forbund.medlemmar.filter(kind="kommun"):
        for year in plan.years:
            Fordelningstal.objects.create(medlem=medlem, year=year, invanare=10_000)
    budget_services.budget_figures_set(
        plan=plan, acting_user=None, medlemsbidrag={(y, "budget"): 4_000_000 for y in plan.years}
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
    grow(plan, extra_lines)
    adopt_plan(plan)
    return plan


def refs_of(plan):
    return selectors.line_refs(selectors.plan_figures(plan))


def set_map(plan, text: str) -> None:
    refs = refs_of(plan)
    rows = services.mapping_read("karta.csv", text.encode(), refs)
    services.mapping_set(forbund=plan.forbund, rows=rows, refs=refs, acting_user=None, replace=True)


def import_sie(plan, accounts: dict, through: int = 2) -> None:
    months = {}
    for konto in accounts:
        if konto == "1930":
            continue
        sign = -1 if konto.startswith("3") else 1
        for month in range(1, through + 1):
            months[(konto, 2027, month)] = sign * Decimal(1000 + int(konto) % 1000)
    refs = refs_of(plan)
    preview = services.utfall_preview(
        forbund=plan.forbund,
        year=2027,
        file_name="bok.se",
        data=sie_text(accounts, months, year=2027),
        refs=refs,
    )
    services.utfall_import(forbund=plan.forbund, preview=preview, acting_user=None)


@pytest.fixture
def year_plan(forbund_a):
    plan = adopted(forbund_a)
    set_map(plan, "konto;budgetrad\n3010-3099;Medlemsbidrag\n5010;Lokaler\n7000-7999;Kansli\n")
    import_sie(plan, ACCOUNTS)
    return plan


def url(name: str, *extra, slug: str = "forbund-a") -> str:
    return reverse(name, args=[slug, 2027, *extra])


def test_a_suggestion_is_shown_chosen_but_kept_only_when_the_kansli_saves(year_plan, kansli_a):
    html = kansli_a.get(url("followup_mapping")).content.decode()
    assert '<select name="k-5020"' in html
    assert (
        '<option value="Lokaler" selected>' in html.split('name="k-5020"')[1].split("</select>")[0]
    )
    assert "Förslag, inte sparat" in html
    assert not KontoMapping.objects.filter(konto_from=5020).exists()

    response = kansli_a.post(url("followup_mapping"), form_values(html))
    assert response.status_code == 302
    mapping = KontoMapping.objects.get(konto_from=5020)
    assert (mapping.line_name, mapping.confirmed) == ("Lokaler", True)
    follow = selectors.follow_up(year_plan)
    assert not follow.utfall.unmapped
    # Lokaler: 5010 and 5020, 2 months each of 1 010 and 1 020 kr.
    assert {r.ref.name: r.utfall for r in follow.rows}["Lokaler"] == Decimal(2 * (1010 + 1020))


def test_changing_a_rows_target_moves_its_konton(year_plan, kansli_a):
    values = form_values(kansli_a.get(url("followup_mapping")).content.decode())
    mapping = KontoMapping.objects.get(konto_from=5010)
    values[f"m-{mapping.pk}"] = "-"
    values["k-5020"] = ""
    assert kansli_a.post(url("followup_mapping"), values).status_code == 302
    mapping.refresh_from_db()
    assert mapping.target == MappingTarget.IGNORE
    assert not KontoMapping.objects.filter(konto_from=5020).exists()
    assert [a.konto for a in selectors.follow_up(year_plan).utfall.ignored] == [5010]


def test_a_target_the_plan_does_not_have_is_refused_and_nothing_saved(year_plan, kansli_a):
    values = form_values(kansli_a.get(url("followup_mapping")).content.decode())
    values["k-5020"] = "Ingen sådan rad"
    response = kansli_a.post(url("followup_mapping"), values)
    assert response.status_code == 400
    assert "inget sparades" in response.content.decode()
    assert not KontoMapping.objects.filter(konto_from=5020).exists()


def test_a_range_is_added_and_removed(year_plan, kansli_a):
    response = kansli_a.post(
        url("followup_mapping_add"), {"konto_from": "5000", "konto_to": "5999", "budgetrad": "-"}
    )
    assert response.status_code == 302
    wide = KontoMapping.objects.get(konto_from=5000, konto_to=5999)
    assert wide.target == MappingTarget.IGNORE
    # 5010 keeps its own row (the narrowest decides); 5020 falls in the range.
    assert [a.konto for a in selectors.follow_up(year_plan).utfall.ignored] == [5020]
    assert kansli_a.post(url("followup_mapping_delete", wide.pk)).status_code == 302
    assert not KontoMapping.objects.filter(pk=wide.pk).exists()
    assert kansli_a.post(url("followup_mapping_delete", wide.pk)).status_code == 404


@pytest.mark.parametrize(
    "data, message",
    [
        ({"konto_from": "5999", "konto_to": "5000", "budgetrad": "Lokaler"}, "slutar före"),
        ({"konto_from": "abc", "budgetrad": "Lokaler"}, "Ange kontonumret med siffror."),
        ({"konto_from": "5000", "budgetrad": "Okänd"}, "Välj en av planens budgetrader."),
    ],
)
def test_a_bad_range_is_refused_beside_its_field(year_plan, kansli_a, data, message):
    response = kansli_a.post(url("followup_mapping_add"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert KontoMapping.objects.count() == 3


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_exported_map_read_back_is_the_same_map(year_plan, kansli_a, fmt):
    set_map(
        year_plan,
        "konto;budgetrad\n3010-3099;Medlemsbidrag\n5010;Lokaler\n5020;Följs inte upp\n"
        "7000-7999;Kansli\n",
    )
    before = list(KontoMapping.objects.values_list("konto_from", "konto_to", "target", "line_name"))
    exported = kansli_a.get(url(f"followup_mapping_{fmt}"))
    assert exported.status_code == 200
    if fmt == "xlsx":
        sheet = load_workbook(BytesIO(exported.content)).active
        assert [c.value for c in sheet[1]] == ["konto", "budgetrad"]
    KontoMapping.objects.filter(konto_from=5020).delete()  # changed since the export
    response = kansli_a.post(
        url("followup_mapping_import"),
        {"fil": SimpleUploadedFile(f"karta.{fmt}", exported.content)},
    )
    assert response.status_code == 302
    after = list(KontoMapping.objects.values_list("konto_from", "konto_to", "target", "line_name"))
    assert after == before


def test_a_bad_sheet_is_refused_with_its_line_numbers_and_the_map_is_kept(year_plan, kansli_a):
    before = list(KontoMapping.objects.values_list("konto_from", "konto_to", "target", "line_name"))
    text = "konto;budgetrad\n5010;Lokaler\n50x0;Lokaler\n6000;Resor till månen\n"
    response = kansli_a.post(
        url("followup_mapping_import"), {"fil": SimpleUploadedFile("karta.csv", text.encode())}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Rad 3: ”50x0” är inget kontonummer" in html
    assert "Rad 4: Planen har ingen budgetrad ”Resor till månen”" in html
    after = list(KontoMapping.objects.values_list("konto_from", "konto_to", "target", "line_name"))
    assert after == before


def test_the_board_reads_the_map_without_a_form_and_may_not_post(year_plan, personas):
    client = personas["styrelse_a"]
    response = client.get(url("followup_mapping"))
    assert response.status_code == 200
    assert "<select" not in response.content.decode()
    assert "Lokaler" in response.content.decode()
    assert client.post(url("followup_mapping"), {"k-5020": "Lokaler"}).status_code == 403
    add = {"konto_from": "5020", "budgetrad": "Lokaler"}
    assert client.post(url("followup_mapping_add"), add).status_code == 403
    pk = KontoMapping.objects.first().pk
    assert client.post(url("followup_mapping_delete", pk)).status_code == 403
    assert KontoMapping.objects.count() == 3
    assert client.get(url("followup_mapping_csv")).status_code == 200


def test_another_forbund_sees_nothing_of_the_map(year_plan, personas):
    client = personas["kansli_b"]
    assert client.get(url("followup_mapping")).status_code == 404
    assert client.get(url("followup_mapping_csv")).status_code == 404
    pk = KontoMapping.objects.first().pk
    assert client.post(url("followup_mapping_delete", pk)).status_code == 404
    assert KontoMapping.objects.count() == 3


def _page_queries(client, slug: str) -> int:
    client.get(url("followup_mapping", slug=slug))  # the plan's figures computed and kept
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url("followup_mapping", slug=slug)).status_code == 200
    return len(queries)


def test_the_map_page_has_a_fixed_number_of_queries(forbund_a, forbund_b, personas):
    small = adopted(forbund_a)
    set_map(small, "konto;budgetrad\n3010-3099;Medlemsbidrag\n5010;Lokaler\n7000-7999;Kansli\n")
    import_sie(small, ACCOUNTS)
    # Twenty more lines, forty more konton, twenty more rows of the map, twice the months.
    large = adopted(forbund_b, extra_lines=20)
    set_map(
        large,
        "konto;budgetrad\n3010-3099;Medlemsbidrag\n5010;Lokaler\n7000-7999;Kansli\n"
        + "".join(f"{k};Kansli\n" for k in range(4000, 4020)),
    )
    import_sie(large, {str(k): f"Konto {k}" for k in range(4000, 4040)} | ACCOUNTS, through=4)
    count = _page_queries(personas["kansli_a"], "forbund-a")
    # session, user, memberships (3); the adopted plan and its access (2); the plan's figures:
    # years, groups, categories, members, fördelningstal, lines, amounts, the year before's
    # bokslut (8); the konto map,
    # the konton's sums, the map again for the suggestions (3).
    assert count == 16
    assert _page_queries(personas["kansli_b"], "forbund-b") == count


def test_saving_a_stale_page_never_undoes_a_colleagues_change(forbund_a, kansli_a):
    plan = adopted(forbund_a)
    set_map(plan, "konto;budgetrad\n3010;Medlemsbidrag\n5010;Lokaler\n7010;Kansli\n")
    import_sie(plan, ACCOUNTS)
    refs = refs_of(plan)
    mine = form_values(kansli_a.get(url("followup_mapping")).content.decode())
    konto_7010 = KontoMapping.objects.get(forbund=forbund_a, konto_from=7010)
    konto_5010 = KontoMapping.objects.get(forbund=forbund_a, konto_from=5010)
    # Meanwhile a colleague moves 7010 and 5010 to other lines.
    lokaler = next(r for r in refs if r.name == "Lokaler")
    kansli = next(r for r in refs if r.name == "Kansli")
    services.mapping_set(
        forbund=forbund_a,
        rows=[
            services.MapRow(7010, 7010, MappingTarget.LINE, lokaler),
            services.MapRow(5010, 5010, MappingTarget.LINE, kansli),
        ],
        refs=refs,
        acting_user=None,
    )
    # I save my page: 7010 untouched, 5010 changed by me to "Följs inte upp".
    mine[f"m-{konto_5010.pk}"] = "-"  # Följs inte upp

    response = kansli_a.post(url("followup_mapping"), mine, follow=True)

    assert KontoMapping.objects.get(pk=konto_7010.pk).line_name == "Lokaler"
    assert KontoMapping.objects.get(pk=konto_5010.pk).line_name == "Kansli"
    text = response.content.decode()
    assert "Konto 5010: någon annan har kopplat det till ”Kansli”" in text
