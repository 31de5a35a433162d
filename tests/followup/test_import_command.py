"""manage.py import_utfall: the file and the konto map read as the import page reads them; a dry
run shows what would change and writes nothing, a real run writes, a refused file exits
non-zero with its reasons at their lines."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from budgets import services as budget_services
from budgets.models import BudgetCategory
from finsam.models import AuditEvent
from followup import selectors
from followup.models import AccountOutcome, KontoMapping, UtfallImport
from tests.followup.sie_files import sie_text
from tests.helpers import adopt_plan, make_plan

pytestmark = pytest.mark.django_db

ACCOUNTS = {
    "3010": "Medlemsbidrag Försäkringskassan",
    "5010": "Lokalhyra",
    "7010": "Löner kansli",
    "6990": "Övriga kostnader",
}
MAP = "konto;budgetrad\n3010-3099;Medlemsbidrag\n5010;Lokaler\n7000-7999;Kansli\n"


@pytest.fixture
def year(tmp_path):
    forbund, plan = make_plan("kommando")
    category = BudgetCategory.objects.get(group__forbund=forbund, name="Kansli")
    budget_services.budget_line_create(
        plan=plan,
        acting_user=None,
        category=category,
        name="Lokaler",
        amounts={(y, "budget"): Decimal(240_000) for y in plan.years},
    )
    adopt_plan(plan)
    months = {}
    for month in range(1, 4):
        months[("3010", 2027, month)] = Decimal("-333333.33")
        months[("5010", 2027, month)] = Decimal("20000.00")
        months[("7010", 2027, month)] = Decimal("80000.00")
        months[("6990", 2027, month)] = Decimal("1234.56")
    sie = tmp_path / "bok.se"
    sie.write_bytes(sie_text(ACCOUNTS, months, year=2027))
    mapping = tmp_path / "karta.csv"
    mapping.write_text(MAP, encoding="utf-8")
    return forbund, plan, sie, mapping


def run(*args) -> str:
    out = StringIO()
    call_command("import_utfall", *args, stdout=out)
    return out.getvalue()


def test_a_dry_run_shows_the_changes_the_unmapped_konton_and_the_totals_and_writes_nothing(year):
    forbund, _plan, sie, mapping = year
    events = AuditEvent.objects.count()

    out = run(
        "--forbund", "kommando", "--year", "2027", str(sie), "--mapping", str(mapping), "--dry-run"
    )

    assert "Lokaler, mars: 0\xa0kr → 20\xa0000\xa0kr" in out
    assert "Kansli, januari: 0\xa0kr → 80\xa0000\xa0kr" in out
    assert "6990 Övriga kostnader: 3\xa0703,68\xa0kr" in out
    assert "stämmer." in out
    assert out.rstrip().endswith("Provkörning: ingenting är sparat.")
    assert not AccountOutcome.objects.filter(forbund=forbund).exists()
    assert not KontoMapping.objects.filter(forbund=forbund).exists()
    assert not UtfallImport.objects.filter(forbund=forbund).exists()
    assert AuditEvent.objects.count() == events


def test_a_real_run_writes_the_map_and_the_utfall_as_the_system(year):
    forbund, plan, sie, mapping = year

    out = run("--forbund", "kommando", "--year", "2027", str(sie), "--mapping", str(mapping))

    record = UtfallImport.objects.get(forbund=forbund)
    assert record.created_by is None
    assert record.months == [1, 2, 3]
    assert "Inläst: utfall 2027 från bok.se (januari, februari, mars)" in out
    rows = {r.ref.name: r for r in selectors.follow_up(plan).rows}
    assert rows["Lokaler"].utfall == Decimal(60_000)
    assert rows["Kansli"].utfall == Decimal(240_000)
    assert KontoMapping.objects.filter(forbund=forbund).count() == 3
    assert AuditEvent.objects.filter(forbund=forbund, action="followup.import").exists()


def test_a_broken_file_is_refused_with_its_line_and_a_non_zero_exit(year, tmp_path):
    forbund, _plan, sie, mapping = year
    text = sie.read_bytes()
    newline = b"\r\n" if b"\r\n" in text else b"\n"
    parts = text.split(newline)
    parts.insert(10, b"hej hopp")
    broken = tmp_path / "trasig.se"
    broken.write_bytes(newline.join(parts))

    with pytest.raises(CommandError) as refused:
        run("--forbund", "kommando", "--year", "2027", str(broken), "--mapping", str(mapping))

    assert refused.value.returncode != 0
    assert "Filen trasig.se kan inte läsas in" in str(refused.value)
    assert "Rad 11: «hej hopp» är ingen SIE-post" in str(refused.value)
    # The map read first is rolled back with the refused file.
    assert not KontoMapping.objects.filter(forbund=forbund).exists()
    assert not UtfallImport.objects.filter(forbund=forbund).exists()


def test_a_map_naming_no_line_of_the_plan_is_refused_at_its_line(year, tmp_path):
    forbund, _plan, sie, _mapping = year
    bad = tmp_path / "fel.csv"
    bad.write_text("konto;budgetrad\n5010;Lokaler\n7010;Resor till månen\n", encoding="utf-8")

    with pytest.raises(CommandError) as refused:
        run("--forbund", "kommando", "--year", "2027", str(sie), "--mapping", str(bad))

    assert "Kontokartan fel.csv kan inte läsas in" in str(refused.value)
    assert "Rad 3:" in str(refused.value)
    assert not UtfallImport.objects.filter(forbund=forbund).exists()


def test_a_year_without_an_adopted_plan_is_refused(year):
    _forbund, _plan, sie, _mapping = year
    with pytest.raises(CommandError, match="ingen antagen plan för 2030"):
        run("--forbund", "kommando", "--year", "2030", str(sie))
