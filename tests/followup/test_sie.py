"""The SIE reader: real exporters' files to the öre, generated files, and every bad input refused."""

from __future__ import annotations

import re
import time
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from followup.sie import SieError, read_sie
from tests.followup.sie_files import sample_accounts, sample_months, sie_text

DATA = Path(__file__).resolve().parent.parent / "data" / "sie"
RESULT = re.compile(r"[3-8]\d{3,}")


def own_reading(text: str, *, psaldo: bool, with_objects: bool = False) -> dict:
    """A few regexes over the text: #PSALDO 0 rows (or #TRANS by voucher date) per konto and month."""
    sums: dict = defaultdict(Decimal)
    if psaldo:
        for m in re.finditer(
            r"^#PSALDO\s+0\s+(\d{4})(\d\d)\s+(\d+)\s+\{([^}]*)\}\s+(\S+)", text, re.M
        ):
            year, month, konto, objects, amount = m.groups()
            if RESULT.fullmatch(konto) and (with_objects or not objects.strip()):
                sums[(konto, int(year), int(month))] += Decimal(amount)
    else:
        when = None
        for line in text.splitlines():
            if line.startswith("#VER"):
                when = re.search(r"\s(\d{4})(\d\d)\d\d(\s|$)", line).groups()[:2]
            m = re.match(r"\s*#TRANS\s+(\d+)\s+\{[^}]*\}\s+(\S+)", line)
            if m and RESULT.fullmatch(m.group(1)):
                sums[(m.group(1), int(when[0]), int(when[1]))] += Decimal(m.group(2))
    return {k: v for k, v in sums.items() if v}


def nonzero(months: dict) -> dict:
    return {k: v for k, v in months.items() if v}


REAL = {
    # file: (reads #PSALDO, adds object rows, first day of year 0, #RES sum of result accounts)
    "BL0001_typ3.SE": (True, False, date(2009, 7, 1), Decimal("-223703.47")),
    "BL0001_typ4.SE": (False, False, date(2009, 7, 1), Decimal("-223703.47")),
    "SIE_exempelfil.se": (False, False, date(2011, 1, 1), Decimal("-1033931.27")),
    "live2011.se": (False, False, date(2011, 6, 1), Decimal("5307.12")),
    "magenta_bokforing_SIE4E.se": (True, False, date(2011, 1, 1), Decimal("17156.25")),
    "si.SI": (False, False, None, None),
    "sie_3.SE": (True, True, date(2011, 1, 1), Decimal("40210.07")),
    "urval_ovnbolag.si": (False, False, date(2011, 1, 1), None),
}


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_exporters_files_read_to_the_ore_per_account_and_month(name):
    psaldo, with_objects, first_day, res = REAL[name]
    data = (DATA / name).read_bytes()
    sie = read_sie(data)
    expected = own_reading(data.decode("cp437"), psaldo=psaldo, with_objects=with_objects)
    assert expected
    assert nonzero(sie.months()) == expected
    assert sie.encoding == "cp437" and sie.encoding_note == ""
    assert (sie.fiscal_years[0][0] if sie.fiscal_years else None) == first_day
    assert sie.result_total() == res
    if res is not None:
        assert sum(expected.values()) == res


def test_broken_fiscal_year_is_reported_july_to_june():
    sie = read_sie((DATA / "BL0001_typ4.SE").read_bytes())
    assert sie.fiscal_years == {
        0: (date(2009, 7, 1), date(2010, 6, 30)),
        -1: (date(2008, 7, 1), date(2009, 6, 30)),
    }
    assert sie.orgnr == "556265-1892"
    assert sie.company == "SEEE Speak Easy Executive English AB"
    assert sie.accounts["3010"].name and sie.accounts["3010"].line > 0


def test_avendo_psaldo_without_the_account_total_adds_its_objects_and_says_so():
    sie = read_sie((DATA / "sie_3.SE").read_bytes())
    assert sie.months()[("3740", 2011, 1)] == Decimal("0.20")  # {} -0.05 plus the object's 0.25
    assert any("objektens saldon har lagts till" in note for note in sie.notes)


def test_file_without_rar_reads_its_vouchers():
    sie = read_sie((DATA / "si.SI").read_bytes())
    assert sie.fiscal_years == {}
    assert sie.sie_type == "4" and sie.orgnr == "555555-5555"
    assert sie.company == "Övningsbolaget AB"


def test_orgnr_is_normalised_quoted_unquoted_empty_or_with_suffix():
    assert read_sie((DATA / "urval_ovnbolag.si").read_bytes()).orgnr == "555555-5555"
    assert read_sie((DATA / "SIE_exempelfil.se").read_bytes()).orgnr == ""
    accounts = {"3010": "Bidrag"}
    months = {("3010", 2025, 1): Decimal("-5")}
    data = sie_text(accounts, months, year=2025, orgnr='"556677-8899" 1')
    assert read_sie(data).orgnr == "556677-8899"


# --- generated files -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def plan_year():
    accounts = sample_accounts(400)
    return accounts, sample_months(accounts, year=2025)


@pytest.mark.parametrize(
    "options",
    [
        {"psaldo": True, "trans": True},
        {"psaldo": True, "trans": False},
        {"psaldo": False, "trans": True},
        {"psaldo": True, "trans": True, "objects": True},
        {"psaldo": False, "trans": True, "objects": True},
    ],
    ids=["both", "psaldo-only", "trans-only", "both-with-objects", "trans-with-objects"],
)
def test_generated_file_of_several_hundred_accounts_reads_back_to_the_ore(plan_year, options):
    accounts, months = plan_year
    sie = read_sie(sie_text(accounts, months, year=2025, orgnr="2220001234", **options))
    assert sie.months() == months
    assert sie.result_total() == sum(months.values())
    assert len(sie.accounts) == len(accounts)
    assert sie.accounts["1930"].name == "Bank, checkräkningskonto"
    assert sie.company == "Samordningsförbundet Östra Älvdalen"
    assert sie.orgnr == "222000-1234"
    assert sie.notes == []


def test_cumulative_psaldo_is_converted_to_movements_and_said(plan_year):
    accounts, months = plan_year
    sie = read_sie(sie_text(accounts, months, year=2025, cumulative=True))
    assert sie.months() == months
    assert any("ackumulerade" in note for note in sie.notes)


def test_psaldo_that_disagrees_with_its_vouchers_names_account_period_and_both_amounts():
    accounts = {"5010": "Lokalhyra", "1930": "Bank"}
    months = {("5010", 2025, 3): Decimal("1000"), ("5010", 2025, 4): Decimal("500")}
    data = sie_text(accounts, months, year=2025, res=False)
    data = data.replace(b"#PSALDO 0 202503 5010 {} 1000.00", b"#PSALDO 0 202503 5010 {} 1200.00")
    with pytest.raises(SieError) as err:
        read_sie(data)
    assert err.value.message == (
        "#PSALDO för konto 5010 i mars 2025 är 1\xa0200,00\xa0kr men verifikationerna summerar "
        "till 1\xa0000,00\xa0kr. Filens saldon och verifikationer stämmer inte med varandra; "
        "exportera filen på nytt."
    )


# --- encodings ---------------------------------------------------------------------------------


def small(**options) -> bytes:
    accounts = {"3010": "Bidrag från Försäkringskassan", "5010": "Lokalhyra Åmål", "1930": "Bank"}
    months = {("3010", 2025, 1): Decimal("-100.50"), ("5010", 2025, 2): Decimal("40")}
    return sie_text(accounts, months, year=2025, **options)


def test_utf8_file_that_says_pc8_is_read_as_utf8_and_noted():
    sie = read_sie(small(encoding="utf-8"))
    assert sie.encoding == "utf-8"
    assert sie.encoding_note == "Filen anger PC8 men är skriven i UTF-8."
    assert sie.accounts["5010"].name == "Lokalhyra Åmål"


def test_utf8_with_bom_is_read():
    sie = read_sie(b"\xef\xbb\xbf" + small(encoding="utf-8"))
    assert sie.company == "Samordningsförbundet Östra Älvdalen"


def test_latin1_file_that_says_pc8_is_read_as_latin1_and_noted():
    sie = read_sie(small(encoding="latin-1"))
    assert sie.encoding == "latin-1"
    assert sie.encoding_note == "Filen anger PC8 men är skriven i Latin-1 (ISO 8859-1)."
    assert sie.accounts["3010"].name == "Bidrag från Försäkringskassan"


def test_cp437_file_reads_swedish_names():
    sie = read_sie(small())
    assert (sie.encoding, sie.encoding_note) == ("cp437", "")
    assert sie.accounts["5010"].name == "Lokalhyra Åmål"


def test_encoding_that_reads_as_neither_is_refused_not_guessed():
    data = small().replace("Lokalhyra Åmål".encode("cp437"), b"Lokalhyra \xb0\xb1\xb2\xdb\xfe")
    data = data.replace("Försäkringskassan".encode("cp437"), b"F\xb3rs\xba")
    data = data.replace("Östra Älvdalen".encode("cp437"), b"\xc9\xcd\xbb")
    with pytest.raises(SieError, match="Filens teckenkodning går inte att avgöra"):
        read_sie(data)


# --- bad input -------------------------------------------------------------------------------


def line_of(data: bytes, fragment: bytes) -> int:
    return data[: data.index(fragment)].count(b"\n") + 1


def refused(data: bytes) -> SieError:
    with pytest.raises(SieError) as err:
        read_sie(data)
    return err.value


def test_unknown_record_is_skipped_as_the_standard_says_and_named_in_the_notes():
    data = small().replace(b"#KPTYP EUBAS97", b"#KPTYP EUBAS97\r\n#XYZ 1 2 3")
    sie = read_sie(data)
    assert sie.months() == read_sie(small()).months()
    assert sie.notes == [
        "Filen har poster som SIE-standarden inte känner och som därför hoppats över: #XYZ (rad 11)."
    ]


def test_line_that_is_no_record_is_refused_with_its_line():
    data = small().replace(b"#KPTYP EUBAS97", b"#KPTYP EUBAS97\r\nhej hopp")
    err = refused(data)
    assert err.line == 11
    assert err.message.startswith("Rad 11: «hej hopp» är ingen SIE-post")


def test_unclosed_quote_is_refused_with_its_line():
    data = small().replace('Åmål"'.encode("cp437"), "Åmål".encode("cp437"))
    err = refused(data)
    assert err.line == line_of(data, b"#KONTO 5010")
    assert "citattecken" in err.message


def test_account_with_no_name_and_amounts_is_refused_with_its_line():
    for bad in (b"#KONTO 5010", b'#KONTO 5010 ""'):
        data = re.sub(rb"#KONTO 5010 [^\r\n]*", bad, small())
        err = refused(data)
        assert err.line == line_of(data, b"#KONTO 5010")
        assert err.message.startswith(f"Rad {err.line}: konto 5010 har inget namn")


def test_account_with_no_name_and_no_amounts_is_skipped_and_noted():
    data = small().replace(b"#KPTYP EUBAS97", b'#KPTYP EUBAS97\r\n#KONTO 6990 ""')
    sie = read_sie(data)
    assert "6990" not in sie.accounts
    assert sie.notes == ["Konton utan namn och utan belopp har hoppats över: 6990."]


@pytest.mark.parametrize("amount", [b"1,5", b"+40.00", b"40.005", b"1e3", b"fyrtio"])
def test_amount_that_is_not_a_sie_amount_is_refused_with_its_line(amount):
    data = small().replace(b"#PSALDO 0 202502 5010 {} 40.00", b"#PSALDO 0 202502 5010 {} " + amount)
    err = refused(data)
    assert err.line == line_of(data, b"#PSALDO 0 202502 5010")
    assert "är inget SIE-belopp" in err.message


def test_psaldo_period_outside_its_fiscal_year_is_refused_with_its_line():
    data = small().replace(b"#PSALDO 0 202502 5010", b"#PSALDO 0 202602 5010")
    err = refused(data)
    assert err.line == line_of(data, b"#PSALDO 0 202602")
    assert "februari 2026 ligger utanför räkenskapsåret 2025-01-01–2025-12-31" in err.message


def test_voucher_dated_outside_the_fiscal_year_is_refused_with_its_line():
    data = small().replace(b"#VER A 2 20250228", b"#VER A 2 20260228")
    err = refused(data)
    assert err.line == line_of(data, b"#VER A 2 ")
    assert "2026-02-28 ligger utanför räkenskapsåret" in err.message


def test_vouchers_that_disagree_with_res_are_refused_at_the_res_line():
    data = small(psaldo=False).replace(b"#RES 0 5010 40.00", b"#RES 0 5010 45.00")
    err = refused(data)
    assert err.line == line_of(data, b"#RES 0 5010")
    assert "verifikationerna för konto 5010 summerar till 40,00\xa0kr" in err.message


def test_file_larger_than_the_limit_is_refused():
    err = refused(b"#FLAGGA 0\r\n" * 2_000_000)
    assert err.line is None
    assert err.message.startswith("Filen är större än 20 MB")


def refused_with(data: bytes, **kwargs) -> SieError:
    with pytest.raises(SieError) as err:
        read_sie(data, **kwargs)
    return err.value


def test_binary_garbage_is_no_sie_file():
    assert refused_with(b"\x00\x01PK\x03\x04" * 1000).message.startswith("Filen är ingen SIE-fil")
    assert refused_with("Hej kansliet,\r\nhär är utfallet\r\n".encode()).message.startswith(
        "Filen är ingen SIE-fil"
    )


def test_checksummed_file_cut_short_is_refused():
    data = small().replace(b"#FLAGGA 0\r\n", b"#FLAGGA 0\r\n#KSUMMA\r\n")
    assert "avkortad" in refused_with(data).message


def test_fifty_thousand_trans_rows_read_in_under_two_seconds():
    accounts = sample_accounts(2700, seed=1)
    months = sample_months(accounts, year=2025, seed=1)
    data = sie_text(accounts, months, year=2025, psaldo=False, objects=True, vouchers_per_month=20)
    assert data.count(b"#TRANS") > 50_000
    started = time.perf_counter()
    sie = read_sie(data)
    elapsed = time.perf_counter() - started
    assert sie.months() == months
    assert elapsed < 2
