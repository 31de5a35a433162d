"""Prognoses through their pages and services: made by the kansli with a pre-fill per line,
edited with conflict detection, explained where the deviation is over the threshold, reported to
the board and then locked; and the förbund's follow-up settings."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from budgets import services as budget_services
from budgets.calc import round_kr
from budgets.models import BudgetCategory
from finsam.models import AuditEvent, Fordelningstal
from finsam.money import format_number
from followup import selectors, services
from followup.models import FollowupSettings, MonthProfile, Prognos, PrognosLine
from plans import services as plan_services
from tests.followup.sie_files import sie_text
from tests.helpers import adopt_plan, form_values

pytestmark = pytest.mark.django_db

ACCOUNTS = {"1930": "Bank", "3010": "Medlemsbidrag", "5010": "Lokalhyra", "7010": "Löner"}
KANSLI_MONTH = Decimal(100_000)  # 1 200 000 a year against a budget of 1 000 000


def followed_year(forbund, through: int = 8):
    """An adopted plan for 2027 (medlemsbidrag 4 mkr, Kansli 1 mkr, Lokaler 240 000 kr) with
    utfall through a month: Kansli 100 000 kr a month, Lokaler 20 000, medlemsbidrag 1/12."""
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
    adopt_plan(plan)
    refs = selectors.line_refs(selectors.plan_figures(plan))
    text = "konto;budgetrad\n3010;Medlemsbidrag\n5010;Lokaler\n7010;Kansli\n"
    services.mapping_set(
        forbund=forbund,
        rows=services.mapping_read("karta.csv", text.encode(), refs),
        refs=refs,
        acting_user=None,
        replace=True,
    )
    months = {}
    for month in range(1, through + 1):
        months[("3010", 2027, month)] = Decimal("-333333.33")
        months[("5010", 2027, month)] = Decimal(20_000)
        months[("7010", 2027, month)] = KANSLI_MONTH
    preview = services.utfall_preview(
        forbund=forbund,
        year=2027,
        file_name="bok.se",
        data=sie_text(ACCOUNTS, months, year=2027),
        refs=refs,
    )
    services.utfall_import(forbund=forbund, preview=preview, acting_user=None)
    return plan


def url(name, *extra):
    return reverse(name, args=["forbund-a", 2027, *extra])


def make_prognos(plan, month=8):
    return services.prognos_create(
        forbund=plan.forbund,
        year=2027,
        month=month,
        follow=selectors.follow_up(plan, month=month),
        acting_user=None,
    )


def lines_of(prognos) -> dict[str, PrognosLine]:
    return {pl.line_name: pl for pl in prognos.lines.all()}


def test_the_kansli_makes_a_prognos_with_a_pre_fill_per_line(forbund_a, kansli_a):
    followed_year(forbund_a, through=8)
    page = kansli_a.get(url("prognos_create"))
    assert page.status_code == 200
    values = form_values(page.content.decode())
    assert values["month"] == ["8"]  # the last month with utfall
    # Every line pre-filled with the rest of the budget unless the kansli chooses otherwise.
    assert [values[k] for k in values if k.startswith("metod-")] == [["rest"]] * 3
    # Kansli is the plan's first line after the members' contribution.
    values["metod-1"] = "linjar"
    response = kansli_a.post(url("prognos_create"), values)
    prognos = Prognos.objects.get(forbund=forbund_a)
    assert response.status_code == 302
    assert response["Location"] == url("prognos_detail", prognos.pk)
    lines = lines_of(prognos)
    # Linear: 8 months of 100 000 taken at the same pace all year.
    assert lines["Kansli"].amount.amount == KANSLI_MONTH * 12
    # Rest: 8 × 20 000 and the 4 months of budget that remain.
    assert lines["Lokaler"].amount.amount == 160_000 + 240_000 - 160_000
    # Each month's utfall rounded to the krona as the page shows it, then added.
    assert lines["Medlemsbidrag"].amount.amount == (
        8 * round_kr(Decimal("333333.33")) + 4_000_000 - round_kr(Decimal(4_000_000) * 8 / 12)
    )
    # The same form sent again makes nothing more.
    kansli_a.post(url("prognos_create"), values)
    assert Prognos.objects.filter(forbund=forbund_a).count() == 1


def test_the_styrelse_and_revisor_read_a_prognos_but_cannot_make_or_change_one(forbund_a, personas):
    plan = followed_year(forbund_a)
    prognos = make_prognos(plan)
    for name in ("styrelse_a", "revisor_a"):
        client = personas[name]
        assert client.get(url("prognos_list")).status_code == 200
        page = client.get(url("prognos_detail", prognos.pk))
        assert page.status_code == 200
        assert "Spara prognosen" not in page.content.decode()
        assert client.get(url("prognos_create")).status_code == 403
        assert client.post(url("prognos_create"), {"month": "8"}).status_code == 403
        line = prognos.lines.get(line_name="Kansli")
        response = client.post(
            url("prognos_detail", prognos.pk), {f"belopp-{line.pk}": "1", "lock_version": "1"}
        )
        assert response.status_code == 403
    assert personas["kansli_b"].get(url("prognos_detail", prognos.pk)).status_code == 404
    assert Prognos.objects.filter(forbund=forbund_a).count() == 1
    assert prognos.lines.get(line_name="Kansli").amount.amount != 1


def test_saving_the_lines_changes_what_was_changed_and_marks_it_typed(forbund_a, kansli_a):
    plan = followed_year(forbund_a)
    prognos = make_prognos(plan)
    page = kansli_a.get(url("prognos_detail", prognos.pk))
    values = form_values(page.content.decode())
    lokaler = prognos.lines.get(line_name="Lokaler")
    values[f"belopp-{lokaler.pk}"] = "250 000"
    values[f"orsak-{lokaler.pk}"] = "engangs"
    values[f"forklaring-{lokaler.pk}"] = "Flytt i december"
    response = kansli_a.post(url("prognos_detail", prognos.pk), values)
    assert response.status_code == 302
    lokaler.refresh_from_db()
    assert (lokaler.amount.amount, lokaler.reason, lokaler.explanation, lokaler.method) == (
        Decimal(250_000),
        "engangs",
        "Flytt i december",
        "hand",
    )
    assert AuditEvent.objects.filter(summary__contains="Lokaler").exists()
    # The other lines kept what the pre-fill gave them.
    assert prognos.lines.get(line_name="Kansli").method == "rest"


def test_a_save_from_a_stale_page_is_a_conflict_and_saves_nothing(forbund_a, kansli_a):
    plan = followed_year(forbund_a)
    prognos = make_prognos(plan)
    values = form_values(kansli_a.get(url("prognos_detail", prognos.pk)).content.decode())
    lokaler = prognos.lines.get(line_name="Lokaler")
    # A colleague saves first.
    services.prognos_lines_set(
        prognos=prognos,
        values={lokaler.pk: {"amount": Decimal(300_000)}},
        lock_version=prognos.lock_version,
        acting_user=None,
    )
    values[f"belopp-{lokaler.pk}"] = "260 000"
    response = kansli_a.post(url("prognos_detail", prognos.pk), values)
    assert response.status_code == 409
    assert "Någon annan har sparat prognosen" in response.content.decode()
    lokaler.refresh_from_db()
    assert lokaler.amount.amount == 300_000
    with pytest.raises(ValidationError, match="Någon annan har sparat"):
        services.prognos_lines_set(
            prognos=prognos,
            values={lokaler.pk: {"amount": Decimal(1)}},
            lock_version=1,
            acting_user=None,
        )


def test_a_deviation_over_the_threshold_must_be_explained_before_it_is_reported(
    forbund_a, kansli_a
):
    plan = followed_year(forbund_a)
    prognos = make_prognos(plan)
    kansli = prognos.lines.get(line_name="Kansli")
    # Kansli: 800 000 in 8 months and 333 333 of budget left: 133 333 (13.3 %) over, above the
    # default threshold of 50 000 kr and 10 %; Lokaler is at budget.
    assert kansli.amount.amount == 800_000 + 1_000_000 - round_kr(Decimal(1_000_000) * 8 / 12)
    page = kansli_a.get(url("prognos_detail", prognos.pk)).content.decode()
    assert "ska förklaras på: Kansli." in page
    assert page.count("Förklaring saknas") == 1
    response = kansli_a.post(
        url("prognos_report", prognos.pk), {"meeting_date": "2027-09-20", "paragraph": "§ 12"}
    )
    assert response.status_code == 302
    prognos.refresh_from_db()
    assert not prognos.is_locked
    text = kansli_a.get(url("prognos_detail", prognos.pk)).content.decode()
    assert "ska förklaras innan prognosen rapporteras: Kansli" in text
    with pytest.raises(ValidationError, match="Kansli"):
        services.prognos_report(
            plan=plan,
            prognos=prognos,
            meeting_date=date(2027, 9, 20),
            paragraph="",
            acting_user=None,
        )
    # The follow-up page marks it too.
    follow_page = kansli_a.get(reverse("follow_up", args=["forbund-a", 2027])).content.decode()
    assert "saknar förklaring: Kansli" in follow_page

    services.prognos_lines_set(
        prognos=prognos,
        values={kansli.pk: {"reason": "personal", "explanation": "Ny handläggare från mars"}},
        lock_version=prognos.lock_version,
        acting_user=None,
    )
    kansli_a.post(
        url("prognos_report", prognos.pk), {"meeting_date": "2027-09-20", "paragraph": "§ 12"}
    )
    prognos.refresh_from_db()
    assert prognos.is_locked
    assert (prognos.meeting_date, prognos.paragraph) == (date(2027, 9, 20), "§ 12")


def test_a_reported_prognos_is_read_only_and_a_later_one_never_changes_it(forbund_a, kansli_a):
    plan = followed_year(forbund_a)
    FollowupSettings.objects.create(forbund=forbund_a, threshold_kr=10**9)
    prognos = make_prognos(plan, month=4)
    services.prognos_report(
        plan=plan,
        prognos=prognos,
        meeting_date=date(2027, 5, 20),
        paragraph="§ 5",
        acting_user=None,
    )
    before = {k: pl.amount.amount for k, pl in lines_of(prognos).items()}
    page = kansli_a.get(url("prognos_detail", prognos.pk)).content.decode()
    assert "Spara prognosen" not in page and "Rapportera till styrelsen" not in page
    lokaler = prognos.lines.get(line_name="Lokaler")
    response = kansli_a.post(
        url("prognos_detail", prognos.pk),
        {f"belopp-{lokaler.pk}": "999 999", "lock_version": str(prognos.lock_version + 1)},
        follow=True,
    )
    assert "är rapporterad till styrelsen och ändras inte" in response.content.decode()
    with pytest.raises(ValidationError, match="rapporterad till styrelsen"):
        services.prognos_lines_set(
            prognos=prognos,
            values={lokaler.pk: {"amount": Decimal(1)}},
            lock_version=Prognos.objects.get(pk=prognos.pk).lock_version,
            acting_user=None,
        )
    later = make_prognos(plan, month=8)
    services.prognos_lines_set(
        prognos=later,
        values={later.lines.get(line_name="Lokaler").pk: {"amount": Decimal(500_000)}},
        lock_version=later.lock_version,
        acting_user=None,
    )
    assert {k: pl.amount.amount for k, pl in lines_of(prognos).items()} == before
    # The list shows both, each with its own forecast result: the board sees it move.
    listing = kansli_a.get(url("prognos_list")).content.decode()
    assert "Per 30 april 2027" in listing and "Per 31 augusti 2027" in listing
    assert "Rapporterad" in listing


def test_the_kansli_sets_the_thresholds_and_a_month_profile(forbund_a, personas):
    plan = followed_year(forbund_a, through=6)
    settings_url = reverse("followup_settings", args=["forbund-a"])
    assert personas["styrelse_a"].get(settings_url).status_code == 403
    client = personas["kansli_a"]
    values = form_values(client.get(settings_url).content.decode())
    values.update({"threshold_kr": "100 000", "threshold_percent": "5", "distribution": "profil"})
    refs = selectors.line_refs(selectors.plan_figures(plan))
    lokaler = next(i for i, r in enumerate(refs) if r.name == "Lokaler")
    values[f"m-profil-{lokaler}"] = "1 1 1 1 1 1 0 1 1 1 1 1"
    response = client.post(settings_url, values)
    assert response.status_code == 302
    saved = FollowupSettings.objects.get(forbund=forbund_a)
    assert (saved.threshold_kr.amount, saved.threshold_percent, saved.distribution) == (
        Decimal(100_000),
        Decimal(5),
        "profil",
    )
    assert MonthProfile.objects.get(forbund=forbund_a, line_name="Lokaler").weights[6] == 0
    assert AuditEvent.objects.filter(summary__contains="inställningarna för uppföljning").exists()
    # Lokaler's budget to date after June: 6 of 11 weights of 240 000.
    follow = selectors.follow_up(plan)
    row = next(r for r in follow.rows if r.ref.name == "Lokaler")
    assert row.budget_so_far == round_kr(Decimal(240_000) * 6 / 11)
    # The group's chart adds each line's budget to date by its own weights: Lokaler stands
    # still in July, Kansli goes on by twelfths.
    page = client.get(reverse("follow_up", args=["forbund-a", 2027])).content.decode()
    budget_row = re.search(
        r'<th scope="row">Förvaltning</th><td>budget</td>((?:<td class="num">[^<]*</td>){12})',
        page,
    )
    cells = re.findall(r'<td class="num">([^<]*)</td>', budget_row.group(1))
    for month, lokaler_weights in ((6, 6), (7, 6), (8, 7)):
        expected = round_kr(Decimal(1_000_000) * month / 12) + round_kr(
            Decimal(240_000) * lokaler_weights / 11
        )
        assert cells[month - 1].replace("\xa0", " ") == format_number(expected).replace("\xa0", " ")

    # A page shown before that save is stale: a conflict, nothing saved.
    values["threshold_percent"] = "7"
    response = client.post(settings_url, values)
    assert response.status_code == 200
    assert FollowupSettings.objects.get(forbund=forbund_a).threshold_percent == 5


def test_weights_that_are_not_twelve_whole_numbers_are_refused_and_nothing_is_saved(
    forbund_a, kansli_a
):
    followed_year(forbund_a, through=2)
    settings_url = reverse("followup_settings", args=["forbund-a"])
    values = form_values(kansli_a.get(settings_url).content.decode())
    values["threshold_percent"] = "20"
    values["m-profil-1"] = "1 1 1 x"
    response = kansli_a.post(settings_url, values)
    assert response.status_code == 200
    assert "Ange tolv vikter" in response.content.decode()
    assert not FollowupSettings.objects.filter(forbund=forbund_a).exists()
    assert not MonthProfile.objects.exists()


def test_an_amount_that_is_no_amount_is_said_and_nothing_is_saved(forbund_a, kansli_a):
    plan = followed_year(forbund_a)
    prognos = make_prognos(plan)
    values = form_values(kansli_a.get(url("prognos_detail", prognos.pk)).content.decode())
    lokaler = prognos.lines.get(line_name="Lokaler")
    kansli = prognos.lines.get(line_name="Kansli")
    values[f"belopp-{lokaler.pk}"] = "tvåhundra"
    values[f"forklaring-{kansli.pk}"] = "Ny handläggare"
    response = kansli_a.post(url("prognos_detail", prognos.pk), values)
    assert response.status_code == 400
    assert "Prognosen sparades inte" in response.content.decode()
    assert prognos.lines.get(line_name="Kansli").explanation == ""
    values[f"belopp-{lokaler.pk}"] = "200 000"
    values["lock_version"] = "99999999999999999999999"
    response = kansli_a.post(url("prognos_detail", prognos.pk), values)
    assert response.status_code == 400
    assert "Formuläret kunde inte läsas" in response.content.decode()
    assert prognos.lines.get(line_name="Kansli").explanation == ""


def _lokaler_saved(kansli, prognos, amount: str):
    """The Lokaler line of the prognos, saved through the page at `amount` with an explanation."""
    lokaler = prognos.lines.get(line_name="Lokaler")
    values = form_values(kansli.get(url("prognos_detail", prognos.pk)).content.decode())
    values[f"belopp-{lokaler.pk}"] = amount
    values[f"forklaring-{lokaler.pk}"] = "Flytt i december"
    assert kansli.post(url("prognos_detail", prognos.pk), values).status_code == 302
    return lokaler


def _sums(page: str) -> tuple[dict[str, list[str]], str]:
    """The table's sums by label (each figure with plain spaces), and the result the page
    states above the table."""
    foot = page[page.index("<tfoot>") : page.index("</tfoot>")]
    rows = {
        label: [re.sub(r"\s", " ", c) for c in cells]
        for label, cells in (
            (m.group(1), re.findall(r'<td class="num">([^<]*)</td>', m.group(2)))
            for m in re.finditer(r'<th scope="row">([^<]+)</th>(.*?)</tr>', foot, re.S)
        )
    }
    stated = re.search(r"Årets resultat enligt prognosen: <strong>([^<]+)</strong>", page)
    return rows, stated.group(1).replace("\xa0", " ")


def shown(value: Decimal) -> str:
    return format_number(value).replace("\xa0", " ")


def test_the_prognos_table_sums_each_side_and_the_years_result(forbund_a, kansli_a):
    plan = followed_year(forbund_a)
    prognos = make_prognos(plan)
    _lokaler_saved(kansli_a, prognos, "250 000")

    amounts = {line.line_name: line.amount.amount for line in prognos.lines.all()}
    income = amounts["Medlemsbidrag"]
    cost = amounts["Kansli"] + amounts["Lokaler"]
    budget_cost = Decimal(1_000_000 + 240_000)
    rows, stated = _sums(kansli_a.get(url("prognos_detail", prognos.pk)).content.decode())
    assert rows["Summa kostnader"][0] == shown(budget_cost)
    assert rows["Summa kostnader"][2] == shown(cost)
    assert rows["Summa kostnader"][3] == shown(budget_cost - cost)
    assert rows["Summa intäkter"][2] == shown(income)
    assert rows["Årets resultat"][2] == shown(income - cost)
    assert rows["Årets resultat"][0] == shown(Decimal(4_000_000) - budget_cost)
    assert rows["Årets resultat"][4] == "–"
    # The sums' result is the one the page states above the table.
    assert stated == rows["Årets resultat"][2] + " kr"


def test_a_line_the_prognos_lacks_counts_in_its_sums_at_its_budget(forbund_a, kansli_a):
    # As a line a revision added after the prognos was made: the forecast above the table counts
    # it at its budget, and so do the sums under it.
    plan = followed_year(forbund_a)
    prognos = make_prognos(plan)
    lokaler = _lokaler_saved(kansli_a, prognos, "300 000")
    PrognosLine.objects.filter(pk=lokaler.pk).delete()

    rows, stated = _sums(kansli_a.get(url("prognos_detail", prognos.pk)).content.decode())
    assert stated == rows["Årets resultat"][2] + " kr"
    amounts = {line.line_name: line.amount.amount for line in prognos.lines.all()}
    # Lokaler at its budget of 240 000, not the 300 000 the deleted line said.
    expected = amounts["Medlemsbidrag"] - amounts["Kansli"] - Decimal(240_000)
    assert rows["Årets resultat"][2] == shown(expected)
