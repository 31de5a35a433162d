"""SIE 4 files for tests, written from accounts and monthly amounts the test chooses.

    accounts = sample_accounts(300)                      # {"3010": "Bidrag från Försäkringskassan", …}
    months = sample_months(accounts, year=2025)          # {(konto, 2025, month): Decimal}
    data = sie_text(accounts, months, year=2025, orgnr="222000-1234")   # bytes, CP437

The file carries #RAR 0 for the calendar year, a #KONTO per account, #RES per result account, and,
as asked, #PSALDO per account and month ({} for the account; with objects=True also rows per
object, which a reader must not add to the {} row) and one #VER per month whose #TRANS rows are
the month's amounts, balanced against bank account 1930. A helper module, not a test module.
"""

from __future__ import annotations

import random
from collections import defaultdict
from decimal import Decimal

BANK = "1930"
_WORDS = (
    "Löner",
    "Arvoden",
    "Hyra för lokaler",
    "Förbrukningsmaterial",
    "Resor och möten",
    "Utbildning",
    "Övriga främmande tjänster",
    "Bidrag från Försäkringskassan",
    "Bidrag från Region Västerås",
    "Medlemsavgift kommunerna",
    "Räntor",
    "Köpta tjänster, Ånge",
)


def sample_accounts(n: int, *, seed: int = 16) -> dict[str, str]:
    """n result accounts (3xxx income, 4xxx–7xxx costs) with Swedish names, plus the bank."""
    rng = random.Random(seed)
    accounts = {BANK: "Bank, checkräkningskonto"}
    numbers = rng.sample(range(3000, 8000), n)
    for number in sorted(numbers):
        accounts[str(number)] = f"{rng.choice(_WORDS)} {number} - åäö ÅÄÖ"
    return accounts


def sample_months(
    accounts: dict[str, str], *, year: int, seed: int = 16
) -> dict[tuple[str, int, int], Decimal]:
    """Amounts per result account and month: income (3xxx) negative, costs positive, to the öre."""
    rng = random.Random(seed)
    months = {}
    for konto in accounts:
        if konto == BANK:
            continue
        sign = -1 if konto.startswith("3") else 1
        for month in range(1, 13):
            if rng.random() < 0.8:
                months[(konto, year, month)] = sign * Decimal(rng.randint(1, 2_000_000)) / 100
    return months


def _quote(text: str) -> str:
    return '"' + text.replace('"', '\\"') + '"'


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def sie_text(
    accounts: dict[str, str],
    months: dict[tuple[str, int, int], Decimal],
    *,
    year: int,
    orgnr: str = "",
    company: str = "Samordningsförbundet Östra Älvdalen",
    psaldo: bool = True,
    trans: bool = True,
    objects: bool = False,
    cumulative: bool = False,
    res: bool = True,
    encoding: str = "cp437",
    declared_format: str = "PC8",
    vouchers_per_month: int = 1,
) -> bytes:
    """The SIE 4 file of these accounts and months, encoded as asked.

    cumulative=True writes #PSALDO as the balance so far in the year (as some exporters wrongly do);
    vouchers_per_month splits each month's rows over that many vouchers (for large files).
    """
    lines = [
        "#FLAGGA 0",
        f"#PROGRAM {_quote('Finsam testgenerator')} 1.0",
        f"#FORMAT {declared_format}",
        f"#GEN {year}1201",
        "#SIETYP 4",
        f"#ORGNR {orgnr}",
        f"#FNAMN {_quote(company)}",
        f"#RAR 0 {year}0101 {year}1231",
        f"#RAR -1 {year - 1}0101 {year - 1}1231",
        "#KPTYP EUBAS97",
    ]
    if objects:
        lines += ['#DIM 1 "Kostnadsställe"', '#OBJEKT 1 "10" "Östra"', '#OBJEKT 1 "20" "Västra"']
        lines += ['#DIM 6 "Projekt"', '#OBJEKT 6 "200" "Insats Årsta"']
    for konto, name in accounts.items():
        lines.append(f"#KONTO {konto} {_quote(name)}")
    if res:
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for (konto, _, _), amount in months.items():
            totals[konto] += amount
        lines += [f"#RES 0 {konto} {_money(a)}" for konto, a in sorted(totals.items())]
    if psaldo:
        running: dict[str, Decimal] = defaultdict(Decimal)
        for (konto, y, m), amount in sorted(months.items(), key=lambda kv: (kv[0][1:], kv[0][0])):
            running[konto] += amount
            shown = running[konto] if cumulative else amount
            lines.append(f"#PSALDO 0 {y}{m:02d} {konto} {{}} {_money(shown)}")
            if objects:
                half = (amount / 2).quantize(Decimal("0.01"))
                lines.append(f'#PSALDO 0 {y}{m:02d} {konto} {{1 "10"}} {_money(half)}')
                lines.append(f'#PSALDO 0 {y}{m:02d} {konto} {{1 "20"}} {_money(amount - half)}')
                lines.append(f'#PSALDO 0 {y}{m:02d} {konto} {{1 "10" 6 "200"}} {_money(half)}')
    if trans:
        by_month: dict[tuple[int, int], list[tuple[str, Decimal]]] = defaultdict(list)
        for (konto, y, m), amount in sorted(months.items()):
            by_month[(y, m)].append((konto, amount))
        number = 0
        for (y, m), rows in sorted(by_month.items()):
            size = -(-len(rows) // vouchers_per_month)
            for start in range(0, len(rows), size):
                number += 1
                chunk = rows[start : start + size]
                lines.append(f'#VER A {number} {y}{m:02d}28 "Månadens bokföring {m}"')
                lines.append("{")
                for konto, amount in chunk:
                    if objects:
                        half = (amount / 2).quantize(Decimal("0.01"))
                        lines.append(f'   #TRANS {konto} {{1 "10" 6 "200"}} {_money(half)}')
                        lines.append(f"   #TRANS {konto} {{}} {_money(amount - half)}")
                    else:
                        lines.append(f"   #TRANS {konto} {{}} {_money(amount)}")
                bank = -sum((a for _, a in chunk), Decimal(0))
                lines.append(f"   #TRANS {BANK} {{}} {_money(bank)}")
                lines.append("}")
    return ("\r\n".join(lines) + "\r\n").encode(encoding)
