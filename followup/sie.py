"""Reading SIE 4 files (and the period balances of types 2 and 3) into utfall per konto and month.

Why our own reader: PyPI has no maintained SIE parser. `pysie-accounting` (0.0.2, July 2024, one
author) reads the file as UTF-8 rather than CP437, matches records with regexes that miss unquoted
names and `#PSALDO` altogether, keeps amounts as floats and pulls in pandas; `pysie` is an unrelated
statistics package, and `sie`, `sie4`, `siefile`, `sieparse` do not exist. This module is a small
tokenizer plus a record loop over the SIE 4B specification (SIE-gruppen, utgåva 4B 2008-09-30) and
the real files in tests/data/sie/, with no Django in it so the import service, the command and the
tests share it.

Decisions taken from the specification:
- Unknown records (`#XYZ`) are skipped, as §7.1 requires of an importing program ("Ett importerande
  program skall tillåta förekomsten av okända etiketter"), and unknown trailing fields too (§7.3);
  the reader names the skipped labels in `notes` so the user sees them. A line that is not a record
  at all is refused with its line number.
- `#RTRANS` and `#BTRANS` are not handled: §11 lets a reader ignore both, since every added row is
  repeated as a `#TRANS` and a removed row is no longer part of the voucher.
- `#TRANS` rows are summed by the voucher's date (every real file here dates its rows in the
  voucher's month); `#PSALDO` is the period's movement (§11), and a file whose `#PSALDO` turns out
  to be cumulative against its own vouchers is converted and says so.
- `#KSUMMA`'s CRC is not verified, but a file that opens a checksum and never closes it is refused
  as cut short (§10.6).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from followup.compute import MONTH_NAMES

ENCODING_NAMES = {"cp437": "PC8 (CP437)", "utf-8": "UTF-8", "latin-1": "Latin-1 (ISO 8859-1)"}

# Records the reader knows and has no use for; anything else starting with # is "unknown" (§7.1).
_KNOWN_UNUSED = frozenset(
    [
        "#ADRESS",
        "#BKOD",
        "#DIM",
        "#ENHET",
        "#FNR",
        "#FTYP",
        "#GEN",
        "#IB",
        "#KPTYP",
        "#KTYP",
        "#OBJEKT",
        "#OIB",
        "#OMFATTN",
        "#OUB",
        "#PBUDGET",
        "#PROSA",
        "#SRU",
        "#TAXAR",
        "#UB",
        "#UNDERDIM",
        "#VALUTA",
        "#RTRANS",
        "#BTRANS",
        "#KPTYPER",
    ]
)

_LABEL = re.compile(r"#[A-Za-z][A-Za-z0-9_]*\Z")
_TOKEN = re.compile(r'[ \t]+|"((?:[^"\\]|\\.)*)"|(\{)|(\})|([^\s"{}]+)|(.)')
_AMOUNT = re.compile(r"-?\d{1,15}(?:\.\d{1,2})?\Z")
_DATE = re.compile(r"\d{8}\Z")
_PERIOD = re.compile(r"\d{6}\Z")

# The letters a Swedish name is made of, as each candidate encoding writes them.
_SWEDISH = "åäöÅÄÖéÉüÜ"
_LETTER_BYTES = {enc: frozenset(_SWEDISH.encode(enc)) for enc in ("cp437", "latin-1")}


class SieError(ValueError):
    """A file that cannot be read as it claims: .message is for the user, .line is 1-based or None."""

    def __init__(self, message: str, line: int | None = None):
        self.message = f"Rad {line}: {message}" if line else message
        self.line = line
        super().__init__(self.message)


@dataclass(frozen=True)
class SieAccount:
    """One #KONTO of the file."""

    number: str
    name: str
    line: int


Key = tuple[str, int, int]  # (konto, year, month)


@dataclass(frozen=True)
class SieFile:
    """What a SIE file says, read and checked: header, accounts, period movements and results."""

    encoding: str
    encoding_note: str
    sie_type: str
    program: str
    orgnr: str
    company: str
    fiscal_years: dict[int, tuple[date, date]]
    accounts: dict[str, SieAccount]
    lines: int
    notes: list[str] = field(default_factory=list)
    # årsnr -> {(konto, year, month): movement}, from #PSALDO for the account as a whole (all konton).
    period_balances: dict[int, dict[Key, Decimal]] = field(default_factory=dict)
    # {(konto, year, month): sum} of every #TRANS, by its voucher's date (all konton).
    voucher_sums: dict[Key, Decimal] = field(default_factory=dict)
    # årsnr -> {konto: #RES amount}.
    results: dict[int, dict[str, Decimal]] = field(default_factory=dict)
    vouchers: int = 0
    # konto -> the first line with an amount on it (#TRANS, #PSALDO or #RES), for a message about
    # an account the file gives no name.
    amount_lines: dict[str, int] = field(default_factory=dict)
    # The records the reader did not know, by label: the line each first stands on.
    unknown: dict[str, int] = field(default_factory=dict)

    def months(self, year_index: int = 0) -> dict[Key, Decimal]:
        """{(konto, year, month): movement} of the result accounts for fiscal year year_index.

        From the #PSALDO rows where the file has them for that year, else from the vouchers (which
        belong to year 0). Debit is positive, as in the file.
        """
        source = self.period_balances.get(year_index)
        if source is None:
            source = self.voucher_sums if year_index == 0 else {}
        return {key: amount for key, amount in source.items() if is_result_account(key[0])}

    def result_total(self, year_index: int = 0) -> Decimal | None:
        """The file's own #RES sum over the result accounts (None when it has no #RES for the year)."""
        res = self.results.get(year_index)
        if res is None:
            return None
        return sum((a for konto, a in res.items() if is_result_account(konto)), Decimal(0))


def is_result_account(konto: str) -> bool:
    """A resultatkonto of the BAS and Kommun-Bas plans: classes 3–8 (3000–8999, 30000– …)."""
    return len(konto) >= 4 and konto.isdigit() and konto[0] in "345678"


_SWEDISH_DIGITS = str.maketrans({",": "\xa0", ".": ","})


def kr(amount: Decimal) -> str:
    """ "1 200,00 kr" (no-break spaces, as finsam.money writes kronor), öre kept: a file's amount."""
    return format(amount, ",.2f").translate(_SWEDISH_DIGITS) + "\xa0kr"


def month_name(year: int, month: int) -> str:
    return f"{MONTH_NAMES[month - 1]} {year}"


def normalise_orgnr(value: str) -> str:
    """NNNNNN-NNNN where the value is ten digits (with or without the hyphen); else as written."""
    value = value.strip()
    digits = value.replace("-", "")
    if len(digits) == 10 and digits.isdigit():
        return f"{digits[:6]}-{digits[6:]}"
    return value


# ---------------------------------------------------------------------------------------------
# Bytes to text


def _declared_format(data: bytes) -> str:
    m = re.search(rb'^[ \t]*#FORMAT[ \t]+"?([^\s"]*)', data[:20000], re.M)
    return m.group(1).decode("ascii", "replace").upper() if m else ""


def _name_bytes(data: bytes) -> bytes:
    """The raw bytes of the #KONTO and #FNAMN names: where a file's Swedish letters certainly are."""
    return b"".join(re.findall(rb"^[ \t]*#(?:KONTO|FNAMN)[ \t]+([^\r\n]*)", data, re.M))


def _decode(data: bytes) -> tuple[str, str, str]:
    """(text, encoding, note). Refuses a file whose encoding cannot be told from its names."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    declared = _declared_format(data)
    declared_enc = "cp437" if declared == "PC8" else ""
    if max(data, default=0) < 128:
        return data.decode("ascii"), "cp437", ""
    try:
        text = data.decode("utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError:
        encoding = _guess_8bit(_name_bytes(data)) or _guess_8bit(data)
        if not encoding:
            raise SieError(
                "Filens teckenkodning går inte att avgöra: namnen på konton och företag blir inte "
                "svensk text varken som PC8 (CP437), som SIE föreskriver, eller som Latin-1. "
                "Exportera filen på nytt ur ekonomisystemet med teckenuppsättning PC8."
            ) from None
        text = data.decode(encoding)
    note = ""
    if declared and declared_enc != encoding:
        shown = "PC8" if declared == "PC8" else f"#FORMAT {declared}"
        note = f"Filen anger {shown} men är skriven i {ENCODING_NAMES[encoding]}."
    return text, encoding, note


def _guess_8bit(sample: bytes) -> str:
    """cp437 or latin-1 where all but a stray few high bytes are Swedish letters in it, else ""."""
    high = [b for b in sample if b > 127]
    if not high:
        return ""
    scores = {enc: sum(b in letters for b in high) for enc, letters in _LETTER_BYTES.items()}
    best = max(scores, key=scores.__getitem__)
    other = min(scores, key=scores.__getitem__)
    if scores[best] * 10 >= len(high) * 9 and scores[best] > scores[other]:
        return best
    return ""


# ---------------------------------------------------------------------------------------------
# Text to records


def _fields(line: str, number: int) -> list[str | tuple[str, ...]]:
    """A record's fields: strings, and tuples for {object lists}."""
    out: list[str | tuple[str, ...]] = []
    objects: list[str] | None = None
    for m in _TOKEN.finditer(line):
        quoted, opening, closing, bare, bad = m.groups()
        if bad is not None:
            raise SieError("ett citattecken stängs aldrig.", number)
        if opening:
            if objects is not None:
                raise SieError("en objektlista { } står inuti en annan.", number)
            objects = []
            continue
        if closing:
            if objects is None:
                raise SieError("en } stänger ingen objektlista.", number)
            out.append(tuple(objects))
            objects = None
            continue
        if quoted is not None:
            value = quoted.replace('\\"', '"')
        elif bare is not None:
            value = bare
        else:
            continue
        (objects if objects is not None else out).append(value)
    if objects is not None:
        raise SieError("en objektlista { stängs aldrig.", number)
    return out


def _text(fields, i: int) -> str:
    value = fields[i] if i < len(fields) else ""
    return value if isinstance(value, str) else ""


def _amount(value, number: int) -> Decimal:
    if not isinstance(value, str) or not _AMOUNT.match(value):
        shown = value if isinstance(value, str) else "{…}"
        raise SieError(
            f"beloppet «{shown}» är inget SIE-belopp (siffror med punkt som decimaltecken och högst "
            "två decimaler, t.ex. -1234.50).",
            number,
        )
    return Decimal(value)


def _date(value, number: int, what: str) -> date:
    if isinstance(value, str) and _DATE.match(value):
        try:
            return date(int(value[:4]), int(value[4:6]), int(value[6:]))
        except ValueError:
            pass
    shown = value if isinstance(value, str) else "{…}"
    raise SieError(f"{what} «{shown}» är inget datum ÅÅÅÅMMDD.", number)


def _int(value, number: int, what: str) -> int:
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,4}", value):
        return int(value)
    shown = value if isinstance(value, str) else "{…}"
    raise SieError(f"{what} «{shown}» är inget heltal.", number)


def _konto(fields, i: int, number: int) -> str:
    value = _text(fields, i).strip()
    if not value:
        raise SieError("kontonummer saknas.", number)
    return value


def _check_start(lines: list[str]) -> None:
    seen = [ln.strip() for ln in lines[:200] if ln.strip()][:20]
    if (
        not seen
        or not seen[0].startswith("#")
        or not any(ln.split()[0] in ("#FLAGGA", "#SIETYP", "#FORMAT", "#PROGRAM") for ln in seen)
    ):
        raise SieError(
            "Filen är ingen SIE-fil: den börjar inte med SIE-poster som #FLAGGA och #SIETYP. "
            "Välj den fil ekonomisystemet exporterar som SIE typ 4."
        )


def read_sie(data: bytes, *, max_bytes: int = 20 * 1024 * 1024) -> SieFile:
    """Read and check a SIE file; raises SieError with the reason and line where it cannot."""
    if len(data) > max_bytes:
        raise SieError(
            f"Filen är större än {max_bytes // (1024 * 1024)} MB och läses inte. En SIE-fil för ett "
            "år är sällan mer än några MB; exportera bara det år som ska följas upp."
        )
    if b"\x00" in data:
        raise SieError("Filen är ingen SIE-fil: den innehåller binära data, inte text.")
    text, encoding, encoding_note = _decode(data)
    lines = text.splitlines()
    _check_start(lines)
    return _Reader(lines, encoding, encoding_note).read()


class _Reader:
    def __init__(self, lines: list[str], encoding: str, encoding_note: str):
        self.lines = lines
        self.encoding = encoding
        self.encoding_note = encoding_note
        self.header: dict[str, str] = {}
        self.fiscal_years: dict[int, tuple[date, date]] = {}
        self.rar_lines: dict[int, int] = {}
        self.accounts: dict[str, SieAccount] = {}
        self.psaldo: dict[int, dict[Key, Decimal]] = defaultdict(dict)
        self.psaldo_objects: dict[int, dict[Key, list]] = defaultdict(lambda: defaultdict(list))
        self.psaldo_lines: list[tuple[int, int, int, int]] = []  # (line, årsnr, year, month)
        self.trans: dict[Key, Decimal] = defaultdict(Decimal)
        self.results: dict[int, dict[str, Decimal]] = defaultdict(dict)
        self.vouchers: list[tuple[int, date]] = []  # (line, date): checked against #RAR at the end
        self.unknown: dict[str, int] = {}
        self.nameless: dict[str, int] = {}  # konto -> line of a #KONTO without a name
        self.res_lines: dict[tuple[int, str], int] = {}
        self.amount_lines: dict[str, int] = {}
        self.psaldo_split: dict[int, dict[Key, Decimal]] = defaultdict(dict)
        self.notes: list[str] = []
        self.ksumma_open = False
        self.ksumma_closed = False

    def read(self) -> SieFile:
        voucher: tuple[int, date, str] | None = None  # (line, date, "A 12") awaiting or in a block
        in_block = False
        balance = Decimal(0)
        trans, amount_lines = self.trans, self.amount_lines
        for number, raw in enumerate(self.lines, 1):
            line = raw.strip()
            if not line:
                continue
            if line == "{":
                if voucher is None or in_block:
                    raise SieError("en { som inte inleder raderna till en #VER.", number)
                in_block, balance = True, Decimal(0)
                continue
            if line == "}":
                if not in_block:
                    raise SieError("en } som inte avslutar en verifikation.", number)
                if balance:
                    raise SieError(
                        f"verifikation {voucher[2]} (rad {voucher[0]}) balanserar inte: dess "
                        f"rader summerar till {kr(balance)}.",
                        number,
                    )
                in_block, voucher = False, None
                continue
            if not line.startswith("#"):
                raise SieError(
                    f"«{line[:40]}» är ingen SIE-post (en post börjar med # och en etikett).",
                    number,
                )
            fields = _fields(line, number)
            label = fields[0].upper() if fields and isinstance(fields[0], str) else ""
            if not _LABEL.match(label):
                raise SieError(f"«{line[:40]}» är ingen SIE-post.", number)
            if voucher is not None and not in_block:
                raise SieError(f"#VER på rad {voucher[0]} följs inte av en rad med {{.", number)
            if label == "#TRANS":
                if not in_block:
                    raise SieError("#TRANS står utanför en verifikation (#VER { … }).", number)
                konto = _konto(fields, 1, number)
                if len(fields) < 4 or not isinstance(fields[2], tuple):
                    raise SieError("#TRANS ska ha konto, {objektlista} och belopp.", number)
                amount = _amount(fields[3], number)
                balance += amount
                when = voucher[1]
                trans[(konto, when.year, when.month)] += amount
                if konto not in amount_lines:
                    amount_lines[konto] = number
                continue
            if in_block:
                if label in ("#RTRANS", "#BTRANS"):
                    continue
                raise SieError(
                    f"{label} står inuti en verifikation, där bara #TRANS hör hemma.", number
                )
            if label == "#VER":
                when = _date(fields[3] if len(fields) > 3 else "", number, "verifikationsdatumet")
                name = f"{_text(fields, 1)} {_text(fields, 2)}".strip() or f"på rad {number}"
                voucher = (number, when, name)
                self.vouchers.append((number, when))
                continue
            handler = getattr(self, "_" + label[1:].lower(), None)
            if handler is not None:
                handler(fields, number)
            elif label not in _KNOWN_UNUSED:
                self.unknown.setdefault(label, number)
        if in_block or voucher is not None:
            raise SieError(f"verifikationen på rad {voucher[0]} avslutas aldrig med }}.")
        if self.ksumma_open and not self.ksumma_closed:
            raise SieError(
                "Filen öppnar en kontrollsumma (#KSUMMA) men slutar innan den avslutande #KSUMMA: "
                "filen är avkortad. Exportera den på nytt."
            )
        self._check_dates()
        self._fill_missing_totals()
        self._check_psaldo_against_vouchers()
        self._check_against_results()
        self._check_nameless()
        if self.unknown:
            shown = ", ".join(f"{label} (rad {n})" for label, n in self.unknown.items())
            self.notes.append(
                f"Filen har poster som SIE-standarden inte känner och som därför hoppats över: {shown}."
            )
        return SieFile(
            encoding=self.encoding,
            encoding_note=self.encoding_note,
            sie_type=self.header.get("sietyp", ""),
            program=self.header.get("program", ""),
            orgnr=normalise_orgnr(self.header.get("orgnr", "")),
            company=self.header.get("fnamn", ""),
            fiscal_years=dict(self.fiscal_years),
            accounts=self.accounts,
            lines=len(self.lines),
            notes=self.notes,
            period_balances={k: v for k, v in self.psaldo.items()},
            voucher_sums={k: v for k, v in self.trans.items()},
            results=dict(self.results),
            vouchers=len(self.vouchers),
            amount_lines=self.amount_lines,
            unknown=dict(self.unknown),
        )

    # --- header and account records -------------------------------------------------------

    def _sietyp(self, fields, number):
        self.header["sietyp"] = _text(fields, 1).strip()

    def _program(self, fields, number):
        self.header["program"] = _text(fields, 1).strip()

    def _orgnr(self, fields, number):
        self.header["orgnr"] = _text(fields, 1)

    def _fnamn(self, fields, number):
        self.header["fnamn"] = _text(fields, 1).strip()

    def _flagga(self, fields, number):
        pass

    def _format(self, fields, number):
        pass

    def _ksumma(self, fields, number):
        if len(fields) > 1:
            self.ksumma_closed = True
        else:
            self.ksumma_open = True

    def _rar(self, fields, number):
        index = _int(_text(fields, 1), number, "årsnumret")
        first = _date(_text(fields, 2), number, "räkenskapsårets första dag")
        last = _date(_text(fields, 3), number, "räkenskapsårets sista dag")
        if last < first:
            raise SieError("räkenskapsåret slutar innan det börjar.", number)
        self.fiscal_years[index] = (first, last)
        self.rar_lines[index] = number

    def _konto(self, fields, number):
        konto = _konto(fields, 1, number)
        name = _text(fields, 2).strip()
        if not name:
            self.nameless[konto] = number
            return
        self.accounts[konto] = SieAccount(konto, name, number)

    # --- balances -------------------------------------------------------------------------

    def _psaldo(self, fields, number):
        index = _int(_text(fields, 1), number, "årsnumret")
        period = _text(fields, 2)
        if not _PERIOD.match(period) or not 1 <= int(period[4:]) <= 12:
            raise SieError(f"perioden «{period}» är ingen period ÅÅÅÅMM.", number)
        konto = _konto(fields, 3, number)
        if len(fields) < 6 or not isinstance(fields[4], tuple):
            raise SieError("#PSALDO ska ha årsnr, period, konto, {objektlista} och belopp.", number)
        amount = _amount(fields[5], number)
        key = (konto, int(period[:4]), int(period[4:]))
        objects = fields[4]
        self.psaldo_lines.append((number, index, key[1], key[2]))
        self.amount_lines.setdefault(konto, number)
        if objects:
            self.psaldo_objects[index][key].append((objects, amount))
            return
        if key in self.psaldo[index]:
            raise SieError(
                f"#PSALDO för konto {konto} i {month_name(key[1], key[2])} står två gånger.", number
            )
        self.psaldo[index][key] = amount

    def _res(self, fields, number):
        index = _int(_text(fields, 1), number, "årsnumret")
        konto = _konto(fields, 2, number)
        self.results[index][konto] = _amount(fields[3] if len(fields) > 3 else "", number)
        self.res_lines[(index, konto)] = number
        self.amount_lines.setdefault(konto, number)

    # --- checks over the whole file -------------------------------------------------------

    def _check_dates(self) -> None:
        for number, index, year, month in self.psaldo_lines:
            if index not in self.fiscal_years:
                if self.fiscal_years:
                    raise SieError(
                        f"#PSALDO gäller årsnr {index}, men filen har inget #RAR för det året.",
                        number,
                    )
                continue
            first, last = self.fiscal_years[index]
            if not (first.year, first.month) <= (year, month) <= (last.year, last.month):
                raise SieError(
                    f"perioden {month_name(year, month)} ligger utanför räkenskapsåret "
                    f"{first:%Y-%m-%d}–{last:%Y-%m-%d} (#RAR {index}).",
                    number,
                )
        if 0 in self.fiscal_years:
            first, last = self.fiscal_years[0]
            for number, when in self.vouchers:
                if not first <= when <= last:
                    raise SieError(
                        f"verifikationsdatumet {when:%Y-%m-%d} ligger utanför räkenskapsåret "
                        f"{first:%Y-%m-%d}–{last:%Y-%m-%d}.",
                        number,
                    )

    def _fill_missing_totals(self) -> None:
        """Where an account has #PSALDO only per object (no {} row), take the sum of its objects.

        SIE type 3 requires the {} row beside the object rows (§11 #PSALDO 5) but Avendo leaves it
        out. The object rows are a partition of the account only when they all use the same
        dimensions; otherwise they overlap and the account's movement cannot be told.
        """
        filled: set[str] = set()
        for index, per_key in self.psaldo_objects.items():
            totals = self.psaldo[index]
            for key, rows in per_key.items():
                shapes = {tuple(objects[::2]) for objects, _ in rows}
                if key in totals:
                    if len(shapes) == 1:
                        self.psaldo_split[index][key] = sum((a for _, a in rows), Decimal(0))
                    continue
                if len(shapes) > 1:
                    raise SieError(
                        f"konto {key[0]} har #PSALDO för {month_name(key[1], key[2])} bara per "
                        "objekt, i olika dimensioner, och ingen rad för kontot som helhet ({}): "
                        "kontots belopp går inte att avgöra."
                    )
                totals[key] = sum((a for _, a in rows), Decimal(0))
                filled.add(key[0])
        if filled:
            self.notes.append(
                "Filen saknar #PSALDO för kontot som helhet för konto "
                f"{', '.join(sorted(filled))}; summan av objektens saldon används."
            )

    def _check_psaldo_against_vouchers(self) -> None:
        """#PSALDO and #TRANS of year 0 must agree; a cumulative #PSALDO is converted."""
        psaldo = self.psaldo.get(0)
        if not psaldo or not self.vouchers:
            return
        trans = self.trans
        # Balance accounts are left alone: exporters write their #PSALDO in differing ways, and
        # only the result accounts become utfall.
        konton = sorted(
            k for k in {k for k, _, _ in psaldo} | {k for k, _, _ in trans} if is_result_account(k)
        )
        periods = sorted({(y, m) for _, y, m in psaldo} | {(y, m) for _, y, m in trans})
        zero = Decimal(0)
        first_mismatch = None
        for konto in konton:
            for y, m in periods:
                p, t = psaldo.get((konto, y, m), zero), trans.get((konto, y, m), zero)
                if p != t:
                    first_mismatch = (konto, y, m, p, t)
                    break
            if first_mismatch:
                break
        if first_mismatch is None:
            return
        converted = {key: a for key, a in psaldo.items() if not is_result_account(key[0])}
        for konto in konton:
            running = previous = zero
            for y, m in periods:
                running += trans.get((konto, y, m), zero)
                cumulative = psaldo.get((konto, y, m), previous)
                if cumulative != running:
                    konto, y, m, p, t = first_mismatch
                    raise SieError(
                        f"#PSALDO för konto {konto} i {month_name(y, m)} är {kr(p)} men "
                        f"verifikationerna summerar till {kr(t)}. Filens saldon och verifikationer "
                        "stämmer inte med varandra; exportera filen på nytt."
                    )
                if cumulative - previous:
                    converted[(konto, y, m)] = cumulative - previous
                previous = cumulative
        self.psaldo[0] = converted
        self.notes.append(
            "Filens #PSALDO är ackumulerade (saldo hittills i år), inte periodens förändring som "
            "SIE föreskriver; de har räknats om till förändring per månad och stämmer då med "
            "verifikationerna."
        )

    def _year_sums(self, movements: dict[Key, Decimal]) -> dict[str, Decimal]:
        sums: dict[str, Decimal] = defaultdict(Decimal)
        for (konto, _, _), amount in movements.items():
            if is_result_account(konto):
                sums[konto] += amount
        return sums

    def _first_difference(self, index: int, sums: dict[str, Decimal]):
        res = {k: a for k, a in self.results[index].items() if is_result_account(k)}
        for konto in sorted(set(res) | set(sums)):
            if sums.get(konto, 0) != res.get(konto, 0):
                return konto, sums.get(konto, Decimal(0)), res.get(konto, Decimal(0))
        return None

    def _check_against_results(self) -> None:
        """Each result account's movements over the year must add up to the file's own #RES.

        Where #PSALDO {} falls short exactly by the account's object rows, the exporter has written
        {} as the part not allotted to any object (Avendo does) rather than the account's total
        (§11 #PSALDO 5): the object rows are then added, and the file says so.
        """
        for index in sorted(self.results):
            if index in self.psaldo:
                movements = self.psaldo[index]
            elif index == 0 and self.vouchers:
                movements = self.trans
            else:
                continue
            diff = self._first_difference(index, self._year_sums(movements))
            if diff is None:
                continue
            split = self.psaldo_split.get(index)
            if split and movements is self.psaldo[index]:
                added = {key: movements[key] + split.get(key, 0) for key in movements}
                if self._first_difference(index, self._year_sums(added)) is None:
                    self.psaldo[index] = added
                    self.notes.append(
                        f"Filens #PSALDO för kontot som helhet ({{}}) för årsnr {index} omfattar "
                        "bara det som inte förts på något objekt; objektens saldon har lagts till, "
                        "och då stämmer varje konto med filens #RES."
                    )
                    continue
            konto, total, res = diff
            source = "#PSALDO" if movements is not self.trans else "verifikationerna"
            raise SieError(
                f"{source} för konto {konto} summerar till {kr(total)} för året men filens #RES "
                f"för kontot är {kr(res)}. Filen stämmer inte med sig själv; exportera den på nytt.",
                self.res_lines.get((index, konto)),
            )

    def _check_nameless(self) -> None:
        used = {k for k, _, _ in self.trans}
        used |= {k for rows in self.psaldo.values() for k, _, _ in rows}
        used |= {k for rows in self.results.values() for k in rows}
        for konto, number in self.nameless.items():
            if konto in used:
                raise SieError(
                    f'konto {konto} har inget namn (#KONTO {konto} "namn") men filen har belopp på '
                    "det; utan namn går det inte att föra till en budgetrad.",
                    number,
                )
        if self.nameless:
            self.notes.append(
                "Konton utan namn och utan belopp har hoppats över: "
                f"{', '.join(sorted(self.nameless))}."
            )
