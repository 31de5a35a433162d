"""Writes of the year after adoption: the konto map, utfall (SIE, Excel, by hand), prognoses.

Every write runs in one transaction, validates, and records who did what in the förbund's log.
An import is read and shown first (a preview: per line and month, old → new), then written
all or nothing; a second import of the same months replaces them.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from budgets.calc import round_kr
from finsam.audit import ActingUser, audit_record, delete_recorded, save_recorded
from finsam.models import Forbund
from finsam.money import AmountError, format_kr, format_plain, parse_amount
from finsam.orgnr import orgnr_digits
from finsam.xlsx import UnreadableFile, open_workbook, read_amount, read_text
from followup import compute
from followup.compute import LineRef
from followup.models import (
    MEDLEMSBIDRAG,
    MONTH_NAMES,
    AccountOutcome,
    ClosedYear,
    FollowupSettings,
    KontoMapping,
    LineOutcome,
    MappingTarget,
    MonthProfile,
    PendingUpload,
    Prognos,
    PrognosLine,
    UtfallImport,
    UtfallSource,
)
from followup.report import prognos_rows, unexplained_labels
from followup.selectors import (
    Utfall,
    category_lines,
    follow_up,
    ref_for_label,
    utfall_for,
)
from followup.sie import SieError, read_sie
from plans.models import PlanStatus

IGNORE_WORDS = {"följs inte upp", "foljs inte upp", "ingen", "-", "–", "ej"}
MAX_MAPPING_ROWS = 5000


@dataclass(frozen=True)
class Problem:
    """Something wrong in a file, at a line (row) of it where there is one."""

    message: str
    line: int | None = None

    def __str__(self) -> str:
        return f"Rad {self.line}: {self.message}" if self.line else self.message


class ImportRefused(ValueError):
    """The file cannot be imported; problems say why, each at its line."""

    def __init__(self, problems: Sequence[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = list(problems)


def closed_message(forbund: Forbund, year: int) -> str | None:
    """Why the year's utfall may not change, or None: a bokslutat year keeps the utfall its
    real UB was computed from (the later plans' opening eget kapital rests on it)."""
    if ClosedYear.objects.filter(forbund=forbund, year=year).exists():
        return (
            f"Året {year} är bokslutat: dess utfall ändras inte längre, eftersom bokslutets "
            "utgående eget kapital och senare planer vilar på det."
        )
    return None


def _ensure_open(forbund: Forbund, year: int) -> None:
    message = closed_message(forbund, year)
    if message:
        raise ValidationError(message)


# --- The konto map -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapRow:
    konto_from: int
    konto_to: int
    target: str
    ref: LineRef | None
    line: int | None = None


def _konto_range(text: str) -> tuple[int, int] | None:
    cleaned = text.replace("–", "-").replace("—", "-").replace(" ", "")
    parts = cleaned.split("-")
    if len(parts) not in (1, 2) or not all(p.isdigit() and len(p) <= 6 for p in parts):
        return None
    low, high = int(parts[0]), int(parts[-1])
    if low < 1 or high < low:
        return None
    return low, high


def _sheet_rows(name: str, data: bytes) -> list[tuple[int, list[str]]]:
    """(line number, cells as text) of a two-column sheet: CSV (UTF-8, ; or ,) or xlsx."""
    if data[:2] == b"PK":
        try:
            workbook = open_workbook(name if name.lower().endswith(".xlsx") else "karta.xlsx", data)
        except UnreadableFile as error:
            raise ImportRefused([Problem(str(error))]) from error
        sheet = workbook.worksheets[0]
        rows = []
        for number, row in enumerate(sheet.iter_rows(max_col=2), start=1):
            cells = [read_text(c.value, c.data_type)[0] if c.value is not None else "" for c in row]
            rows.append((number, cells))
        workbook.close()
        return rows
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRefused(
            [Problem("Filen är inte en CSV-fil i UTF-8 eller en Excelfil (.xlsx).")]
        ) from error
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    return [
        (number, [c.strip() for c in row])
        for number, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1)
    ]


def mapping_read(name: str, data: bytes, refs: Sequence[LineRef]) -> list[MapRow]:
    """A konto map sheet (header `konto` and `budgetrad`) read against the plan's lines, or
    ImportRefused with every problem at its line: all or nothing."""
    rows = [(n, cells) for n, cells in _sheet_rows(name, data) if any(c.strip() for c in cells)]
    if not rows:
        raise ImportRefused([Problem("Filen är tom.")])
    header = [c.strip().casefold() for c in rows[0][1][:2]]
    if header != ["konto", "budgetrad"]:
        raise ImportRefused(
            [Problem("Första raden ska vara rubrikerna ”konto” och ”budgetrad”.", rows[0][0])]
        )
    if len(rows) > MAX_MAPPING_ROWS:
        raise ImportRefused([Problem(f"Filen har fler än {MAX_MAPPING_ROWS} rader.")])
    problems: list[Problem] = []
    out: list[MapRow] = []
    seen: dict[tuple[int, int], int] = {}
    for number, cells in rows[1:]:
        konto_text = cells[0].strip() if cells else ""
        label = cells[1].strip() if len(cells) > 1 else ""
        span = _konto_range(konto_text)
        if span is None:
            problems.append(
                Problem(
                    f"”{konto_text[:20]}” är inget kontonummer eller intervall (t.ex. 5010 "
                    "eller 5000-5099).",
                    number,
                )
            )
            continue
        if span in seen:
            problems.append(Problem(f"Konto {konto_text} står redan på rad {seen[span]}.", number))
            continue
        seen[span] = number
        if label.casefold() in IGNORE_WORDS:
            out.append(MapRow(*span, MappingTarget.IGNORE, None, number))
            continue
        if not label:
            problems.append(Problem(f"Konto {konto_text} saknar budgetrad.", number))
            continue
        ref = ref_for_label(refs, label)
        if ref is None:
            problems.append(
                Problem(
                    f"Planen har ingen budgetrad ”{label[:80]}”. Skriv radens namn som planen "
                    "visar det, eller ”Grupp › Rad” där namnet finns i flera grupper.",
                    number,
                )
            )
            continue
        target = MappingTarget.MEDLEMSBIDRAG if ref.group_id is None else MappingTarget.LINE
        out.append(MapRow(*span, target, ref, number))
    if problems:
        raise ImportRefused(problems)
    return out


def _mapping_values(row: MapRow) -> dict:
    ref = row.ref if row.target == MappingTarget.LINE else None
    return {
        "target": row.target,
        "group_id": ref.group_id if ref else None,
        "line_name": ref.name if ref else "",
    }


def _describe(target: str, group_id, line_name: str, refs: Sequence[LineRef]) -> str:
    if target == MappingTarget.IGNORE:
        return "följs inte upp"
    if target == MappingTarget.MEDLEMSBIDRAG:
        return MEDLEMSBIDRAG
    ref = next((r for r in refs if r.key == (group_id, line_name)), None)
    return ref.label if ref else line_name


@transaction.atomic
def mapping_set(
    *,
    forbund: Forbund,
    rows: Sequence[MapRow],
    refs: Sequence[LineRef],
    acting_user: ActingUser,
    confirmed: bool = True,
    replace: bool = False,
) -> int:
    """Write konto map rows (one konto or range each), recording old → new; replace: the map
    becomes exactly these rows (an imported sheet). Returns how many changed."""
    Forbund.objects.select_for_update().filter(pk=forbund.pk).first()
    existing = {(m.konto_from, m.konto_to): m for m in KontoMapping.objects.filter(forbund=forbund)}
    changed = 0
    wanted = {(r.konto_from, r.konto_to) for r in rows}
    for row in rows:
        values = _mapping_values(row)
        mapping = existing.get((row.konto_from, row.konto_to))
        new_text = _describe(values["target"], values["group_id"], values["line_name"], refs)
        if mapping is None:
            mapping = KontoMapping(
                forbund=forbund,
                konto_from=row.konto_from,
                konto_to=row.konto_to,
                confirmed=confirmed,
                **values,
            )
            mapping.full_clean(exclude=["forbund"])
            mapping.save()
            audit_record(
                forbund=forbund,
                actor=acting_user,
                action="followup.mapping",
                obj=mapping,
                summary=f"Konto {mapping.konto_label} kopplat till {new_text}",
                changes={"budgetrad": [None, new_text]},
            )
            changed += 1
            continue
        old_text = _describe(mapping.target, mapping.group_id, mapping.line_name, refs)
        same = (mapping.target, mapping.group_id, mapping.line_name) == (
            values["target"],
            values["group_id"],
            values["line_name"],
        )
        if same and (mapping.confirmed or not confirmed):
            continue
        for name, value in values.items():
            setattr(mapping, name, value)
        mapping.confirmed = mapping.confirmed or confirmed
        mapping.lock_version += 1
        mapping.full_clean(exclude=["forbund"])
        mapping.save()
        audit_record(
            forbund=forbund,
            actor=acting_user,
            action="followup.mapping",
            obj=mapping,
            summary=f"Konto {mapping.konto_label}: {old_text} → {new_text}"
            if not same
            else f"Konto {mapping.konto_label}: kopplingen till {new_text} bekräftad",
            changes={"budgetrad": [old_text, new_text]} if not same else {},
        )
        changed += 1
    if replace:
        for span, mapping in existing.items():
            if span not in wanted:
                old_text = _describe(mapping.target, mapping.group_id, mapping.line_name, refs)
                audit_record(
                    forbund=forbund,
                    actor=acting_user,
                    action="followup.mapping",
                    obj=mapping,
                    summary=f"Konto {mapping.konto_label}: kopplingen till {old_text} borttagen",
                    changes={"budgetrad": [old_text, None]},
                )
                mapping.delete()
                changed += 1
    return changed


@transaction.atomic
def mapping_delete(
    *, forbund: Forbund, mapping_id: int, refs: Sequence[LineRef], acting_user: ActingUser
) -> KontoMapping | None:
    """Remove one konto map row (its konton are then listed as mapped to nothing, or fall to a
    wider range); None when it is gone already (removed by someone else meanwhile)."""
    Forbund.objects.select_for_update().filter(pk=forbund.pk).first()
    mapping = KontoMapping.objects.filter(forbund=forbund, pk=mapping_id).first()
    if mapping is None:
        return None
    old_text = _describe(mapping.target, mapping.group_id, mapping.line_name, refs)
    delete_recorded(
        instance=mapping,
        acting_user=acting_user,
        forbund=forbund,
        what=f"kopplingen av konto {mapping.konto_label} till {old_text}",
        changes={"budgetrad": [old_text, None]},
        action="followup.mapping",
    )
    return mapping


def mapping_export_rows(forbund: Forbund, refs: Sequence[LineRef]) -> list[tuple[str, str]]:
    """The map as the sheet writes it: (konto, budgetrad), in konto order."""
    out = []
    for m in KontoMapping.objects.filter(forbund=forbund):
        text = _describe(m.target, m.group_id, m.line_name, refs)
        out.append(
            (m.konto_label.replace("–", "-"), "Följs inte upp" if m.target == "ingen" else text)
        )
    return out


def mapping_csv(forbund: Forbund, refs: Sequence[LineRef]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(["konto", "budgetrad"])
    writer.writerows(mapping_export_rows(forbund, refs))
    return buffer.getvalue().encode("utf-8-sig")


def suggestions(figures, refs: Sequence[LineRef], accounts: Mapping[int, str]) -> list[MapRow]:
    """For the konton no mapping covers: the line each most likely lands on (unconfirmed)."""
    mappings = list(KontoMapping.objects.filter(forbund=figures.plan.forbund))
    by_category = category_lines(figures, refs)
    out = []
    for konto, name in sorted(accounts.items()):
        if any(m.covers(konto) for m in mappings):
            continue
        ref = compute.suggest(konto, name, refs, by_category)
        if ref is not None:
            target = MappingTarget.MEDLEMSBIDRAG if ref.group_id is None else MappingTarget.LINE
            out.append(MapRow(konto, konto, target, ref))
    return out


# --- Reading utfall -----------------------------------------------------------------------------


@dataclass
class Change:
    label: str
    month: int
    old: Decimal
    new: Decimal

    @property
    def month_name(self) -> str:
        return MONTH_NAMES[self.month - 1]


@dataclass
class Preview:
    """What an import would do, before it does it."""

    source: str
    year: int
    file_name: str
    sha256: str
    months: list[int]
    accounts: dict[int, tuple[str, list[Decimal]]] = field(default_factory=dict)  # SIE
    lines: dict[tuple[int | None, str], list[Decimal]] = field(default_factory=dict)  # Excel
    notes: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    before: Utfall | None = None
    after: Utfall | None = None
    base: int = 0  # the latest import of the year when the preview was made
    file_total: Decimal = Decimal(0)
    suggested: list[MapRow] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        return not self.changes


def _sie_preview(forbund: Forbund, year: int, data: bytes) -> tuple[dict, list[str], Decimal]:
    try:
        sie = read_sie(data)
    except SieError as error:
        raise ImportRefused([Problem(error.message)]) from error  # it names its line
    notes = [n for n in [sie.encoding_note, *getattr(sie, "notes", [])] if n]
    index = None
    for number, (start, end) in sorted(sie.fiscal_years.items(), reverse=True):
        if (start, end) == (date(year, 1, 1), date(year, 12, 31)):
            index = number
            break
    if index is None and sie.fiscal_years:
        start, end = sie.fiscal_years.get(0, next(iter(sie.fiscal_years.values())))
        raise ImportRefused(
            [
                Problem(
                    f"Filens räkenskapsår är {start.isoformat()}–{end.isoformat()}, men planens "
                    f"budgetår är kalenderåret {year} ({year}-01-01–{year}-12-31). Exportera "
                    f"bokföringen för {year} ur ekonomisystemet."
                )
            ]
        )
    if index is None:
        index = 0
        notes.append("Filen anger inget räkenskapsår (#RAR); månaderna är lästa som de står.")
    if sie.orgnr and forbund.organisationsnummer:
        if orgnr_digits(sie.orgnr) != orgnr_digits(forbund.organisationsnummer):
            raise ImportRefused(
                [
                    Problem(
                        f"Filen gäller organisationsnummer {sie.orgnr}, men "
                        f"{forbund.name} har {forbund.organisationsnummer}. Välj förbundets "
                        "egen fil."
                    )
                ]
            )
    elif not sie.orgnr:
        notes.append("Filen anger inget organisationsnummer; kontrollera att den är förbundets.")
    accounts: dict[int, tuple[str, list[Decimal]]] = {}
    total = Decimal(0)
    outside: list[str] = []
    for (konto, y, month), amount in sie.months(index).items():
        if y != year:
            outside.append(f"{konto} {y}-{month:02}")
            continue
        if not konto.isdigit():
            raise ImportRefused([Problem(f"Kontot ”{konto}” är inget kontonummer.")])
        account = sie.accounts.get(konto)
        name = account.name if account else ""
        if not name:
            hidden = (
                " Filen har poster som inte hör till SIE ("
                + ", ".join(f"{label} på rad {n}" for label, n in sie.unknown.items())
                + "); kontrollera att #KONTO för kontot inte står i en sådan."
                if sie.unknown
                else ""
            )
            raise ImportRefused(
                [
                    Problem(
                        f"Konto {konto} har belopp men inget namn i filen (#KONTO {konto} "
                        f'"namn"); utan namn går det inte att föra till en budgetrad.{hidden}',
                        sie.amount_lines.get(konto),
                    )
                ]
            )
        entry = accounts.setdefault(int(konto), (name, compute.zero_months()))
        entry[1][month - 1] += amount
        total += amount
    if outside:
        raise ImportRefused(
            [Problem(f"Filen har belopp utanför {year}: {', '.join(outside[:5])}.")]
        )
    result = sie.result_total(index)
    if result is not None and result != total:
        notes.append(
            f"Filens #RES summerar till {format_plain(result)} kr och periodernas belopp till "
            f"{format_plain(total)} kr; utfallet läses från perioderna."
        )
    return accounts, notes, total


MONTH_HEADERS = {name[:3]: i for i, name in enumerate(MONTH_NAMES, start=1)}
MONTH_HEADERS.update({name: i for i, name in enumerate(MONTH_NAMES, start=1)})
MONTH_HEADERS.update({str(i): i for i in range(1, 13)})


def _excel_lines(
    name: str, data: bytes, refs: Sequence[LineRef]
) -> dict[tuple[int | None, str], list[Decimal | None]]:
    """The utfall sheet: a header `Budgetrad` and one column per month (jan … dec, or 1–12),
    one row per line named as the plan names it. Empty cells are months not read."""
    try:
        workbook = open_workbook(name, data)
    except UnreadableFile as error:
        raise ImportRefused([Problem(str(error))]) from error
    sheet = next((ws for ws in workbook.worksheets if ws.title.casefold() == "utfall"), None)
    sheet = sheet or workbook.worksheets[0]
    problems: list[Problem] = []
    header: dict[int, int] | None = None
    label_col = 0
    out: dict[tuple[int | None, str], list[Decimal | None]] = {}
    for number, row in enumerate(sheet.iter_rows(max_col=40), start=1):
        cells = list(row)
        texts = [read_text(c.value, c.data_type)[0] if c.value is not None else "" for c in cells]
        if header is None:
            lowered = [t.strip().casefold().rstrip(".") for t in texts]
            if "budgetrad" in lowered:
                label_col = lowered.index("budgetrad")
                header = {i: MONTH_HEADERS[t] for i, t in enumerate(lowered) if t in MONTH_HEADERS}
                if not header:
                    problems.append(
                        Problem("Rubrikraden saknar månadskolumner (jan … dec).", number)
                    )
                    break
            continue
        label = texts[label_col].strip() if label_col < len(texts) else ""
        if not label:
            continue
        if label.casefold().startswith("summa"):
            continue
        ref = ref_for_label(refs, label)
        if ref is None:
            problems.append(Problem(f"Planen har ingen budgetrad ”{label[:80]}”.", number))
            continue
        if ref.key in out:
            problems.append(Problem(f"Raden ”{label[:80]}” står två gånger.", number))
            continue
        months: list[Decimal | None] = [None] * 12
        for index, month in header.items():
            if index >= len(cells):
                continue
            amount, problem = read_amount(
                cells[index].value, cells[index].data_type, allow_negative=True
            )
            if problem:
                problems.append(
                    Problem(f"{label[:60]}, {MONTH_NAMES[month - 1]}: {problem}", number)
                )
            elif amount is not None:
                if amount != round_kr(amount):
                    problems.append(
                        Problem(
                            f"{label[:60]}, {MONTH_NAMES[month - 1]}: ange hela kronor.", number
                        )
                    )
                months[month - 1] = amount
        out[ref.key] = months
    workbook.close()
    if header is None and not problems:
        problems.append(Problem("Bladet saknar en rubrikrad med ”Budgetrad” och månaderna."))
    if problems:
        raise ImportRefused(problems)
    return out


def _latest_import(forbund: Forbund, year: int) -> int:
    latest = UtfallImport.objects.filter(forbund=forbund, year=year).order_by("-pk").first()
    return latest.pk if latest else 0


def _changes(before: Utfall, after: Utfall, refs: Sequence[LineRef]) -> list[Change]:
    out = []
    zero = compute.zero_months()
    for ref in refs:
        old, new = before.by_line.get(ref.key, zero), after.by_line.get(ref.key, zero)
        for index in range(12):
            if old[index] != new[index]:
                out.append(Change(ref.label, index + 1, old[index], new[index]))
    return out


def utfall_preview(
    *,
    forbund: Forbund,
    year: int,
    file_name: str,
    data: bytes,
    refs: Sequence[LineRef],
    figures=None,
) -> Preview:
    """Read a SIE or Excel file of utfall (told apart by content) and what importing it would
    change, per line and month, without writing anything; ImportRefused says why not."""
    closed = closed_message(forbund, year)
    if closed:
        raise ImportRefused([Problem(closed)])
    sha = hashlib.sha256(data).hexdigest()
    base = _latest_import(forbund, year)
    before = utfall_for(forbund, year, refs)
    if data[:2] == b"PK":
        lines = _excel_lines(file_name, data, refs)
        months = sorted(
            {i + 1 for row in lines.values() for i, v in enumerate(row) if v is not None}
        )
        if not months:
            raise ImportRefused([Problem("Bladet har inga belopp.")])
        filled = {k: [v or Decimal(0) for v in row] for k, row in lines.items()}
        after = utfall_for(forbund, year, refs, replace_lines=(set(months), filled))
        total = sum((sum(row, Decimal(0)) for row in filled.values()), Decimal(0))
        return Preview(
            source=UtfallSource.EXCEL,
            year=year,
            file_name=file_name,
            sha256=sha,
            months=months,
            lines=filled,
            changes=_changes(before, after, refs),
            before=before,
            after=after,
            base=base,
            file_total=total,
        )
    accounts, notes, total = _sie_preview(forbund, year, data)
    months = sorted({i + 1 for _, row in accounts.values() for i, v in enumerate(row) if v})
    if not accounts:
        raise ImportRefused([Problem(f"Filen har inga resultatkonton med belopp för {year}.")])
    after = utfall_for(forbund, year, refs, replace_accounts=(set(months), accounts))
    preview = Preview(
        source=UtfallSource.SIE,
        year=year,
        file_name=file_name,
        sha256=sha,
        months=months,
        accounts=accounts,
        notes=notes,
        changes=_changes(before, after, refs),
        before=before,
        after=after,
        base=base,
        file_total=total,
    )
    if figures is not None:
        preview.suggested = suggestions(figures, refs, {k: v[0] for k, v in accounts.items()})
    return preview


@transaction.atomic
def utfall_import(
    *, forbund: Forbund, preview: Preview, acting_user: ActingUser, base: int | None = None
) -> UtfallImport:
    """Write what the preview showed: the months in the file replace those months' utfall, all
    or nothing. base: the latest import the preview was made against; if someone imported since,
    ValidationError (the kansli previews again), never a silent overwrite."""
    Forbund.objects.select_for_update().filter(pk=forbund.pk).first()
    year = preview.year
    _ensure_open(forbund, year)
    latest = _latest_import(forbund, year)
    if latest != (preview.base if base is None else base):
        raise ValidationError(
            "Någon annan har läst in utfall för året sedan förhandsgranskningen. Läs in filen "
            "igen för att se vad den ändrar nu."
        )
    record = UtfallImport.objects.create(
        forbund=forbund,
        year=year,
        source=preview.source,
        file_name=preview.file_name[:255],
        sha256=preview.sha256,
        months=preview.months,
        total=preview.file_total,
        created_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        summary={
            "changes": len(preview.changes),
            "accounts": len(preview.accounts),
            "lines": len(preview.lines),
        },
    )
    months = set(preview.months)
    if preview.source == UtfallSource.SIE:
        AccountOutcome.objects.filter(forbund=forbund, year=year, month__in=months).delete()
        AccountOutcome.objects.bulk_create(
            AccountOutcome(
                forbund=forbund,
                year=year,
                month=index + 1,
                konto=konto,
                name=name[:200],
                amount=amount,
                source=record,
            )
            for konto, (name, amounts) in preview.accounts.items()
            for index, amount in enumerate(amounts)
            if amount and index + 1 in months
        )
    else:
        LineOutcome.objects.filter(forbund=forbund, year=year, month__in=months).delete()
        LineOutcome.objects.bulk_create(
            LineOutcome(
                forbund=forbund,
                year=year,
                month=index + 1,
                group_id=key[0],
                line_name=key[1],
                amount=amount,
                source=record,
            )
            for key, amounts in preview.lines.items()
            for index, amount in enumerate(amounts)
            if index + 1 in months
        )
    month_text = ", ".join(MONTH_NAMES[m - 1] for m in preview.months)
    audit_record(
        forbund=forbund,
        actor=acting_user,
        action="followup.import",
        obj=record,
        summary=f"Utfall {year} inläst från {preview.file_name[:80]} ({month_text}): "
        f"{len(preview.changes)} belopp ändrade",
        changes={
            "fil": [None, preview.file_name[:200]],
            "SHA-256": [None, preview.sha256],
            "månader": [None, month_text],
            "summa": [None, format_plain(preview.file_total)],
        },
    )
    return record


# --- Utfall by hand ------------------------------------------------------------------------------


@transaction.atomic
def line_outcomes_set(
    *,
    forbund: Forbund,
    year: int,
    cells: Mapping[tuple[tuple[int | None, str], int], tuple[Decimal, Decimal]],
    refs: Sequence[LineRef],
    acting_user: ActingUser,
) -> tuple[int, list[str]]:
    """Typed utfall: {(line key, month): (the amount shown when the grid was opened, the new
    one)}. A cell stored as something else than what was shown meanwhile is a conflict: it is
    not written, and its line and month are returned for the page to show (never overwritten)."""
    Forbund.objects.select_for_update().filter(pk=forbund.pk).first()
    _ensure_open(forbund, year)
    stored = {
        ((o.group_id, o.line_name), o.month): o
        for o in LineOutcome.objects.filter(forbund=forbund, year=year)
    }
    labels = {r.key: r.label for r in refs}
    conflicts: list[str] = []
    written = 0
    for (key, month), (shown, new) in cells.items():
        if key not in labels:
            continue
        row = stored.get((key, month))
        now = row.amount.amount if row is not None else Decimal(0)
        if now == new:
            continue
        if now != shown:
            conflicts.append(
                f"{labels[key]}, {MONTH_NAMES[month - 1]}: någon annan har ändrat beloppet till "
                f"{format_kr(now)} medan du skrev. Ditt belopp {format_kr(new)} sparades inte."
            )
            continue
        if row is None:
            row = LineOutcome(
                forbund=forbund, year=year, month=month, group_id=key[0], line_name=key[1]
            )
        row.amount = new
        row.full_clean(exclude=["forbund", "group", "source"], validate_constraints=False)
        row.save()
        audit_record(
            forbund=forbund,
            actor=acting_user,
            action="followup.utfall",
            obj=row,
            summary=f"Utfall {labels[key]} {MONTH_NAMES[month - 1]} {year}: "
            f"{format_kr(now)} → {format_kr(new)}",
            changes={"belopp": [{"kr": str(now)}, {"kr": str(new)}]},
        )
        written += 1
    return written, conflicts


def parse_cell(text: str) -> Decimal:
    """A typed utfall: as the budget grid reads an amount, negative allowed (a credit)."""
    try:
        return parse_amount(text, allow_negative=True)
    except AmountError as error:
        raise ValidationError(str(error)) from error


# --- Prognoses -----------------------------------------------------------------------------------


@transaction.atomic
def prognos_create(
    *,
    forbund: Forbund,
    year: int,
    month: int,
    follow,
    methods: Mapping[tuple[int | None, str], str] | None = None,
    acting_user: ActingUser,
    note: str = "",
) -> Prognos:
    """A new prognos after `month`, each line pre-filled by its method (default: utfall to date
    and the budget that remains), to be edited. follow: the year's follow-up at that month."""
    if not 1 <= month <= 12:
        raise ValidationError({"month": "Månaden ska vara 1–12."})
    methods = methods or {}
    prognos = Prognos(
        forbund=forbund,
        year=year,
        month=month,
        note=note,
        created_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
    )
    prognos.full_clean(exclude=["forbund"])
    prognos.save()
    PrognosLine.objects.bulk_create(
        PrognosLine(
            prognos=prognos,
            group_id=row.ref.group_id,
            line_name=row.ref.name,
            method=methods.get(row.ref.key, compute.REST),
            amount=compute.prefill(
                methods.get(row.ref.key, compute.REST),
                utfall=row.utfall,
                budget=row.budget,
                budget_so_far=row.budget_so_far,
                month=month,
            ),
        )
        for row in follow.rows
    )
    audit_record(
        forbund=forbund,
        actor=acting_user,
        action="followup.prognos",
        obj=prognos,
        summary=f"Prognos {prognos.as_of_label} skapad",
    )
    return prognos


@transaction.atomic
def prognos_lines_set(
    *,
    prognos: Prognos,
    values: Mapping[int, Mapping[str, object]],
    lock_version: int,
    acting_user: ActingUser,
    labels: Mapping[tuple[int | None, str], str] | None = None,
) -> int:
    """Edit a prognos's lines: {line id: {"amount", "reason", "explanation"}}. A reported prognos
    never changes; one saved by someone else since the page was opened is a conflict."""
    prognos = Prognos.objects.select_for_update().get(pk=prognos.pk)
    if prognos.is_locked:
        raise ValidationError(
            f"Prognosen {prognos.as_of_label} är rapporterad till styrelsen och ändras inte. "
            "Gör en ny prognos."
        )
    if prognos.lock_version != lock_version:
        raise ValidationError(
            "Någon annan har sparat prognosen sedan du öppnade den. Öppna den igen; dina "
            "ändringar sparades inte."
        )
    submitted = prognos.delarsrapporter.filter(status=PlanStatus.INLAMNAD).first()
    if submitted is not None:
        # The board reviews the report's frozen figures: its prognos stays as it showed them.
        raise ValidationError(
            f"Prognosen redovisas i {submitted.title}, som är inlämnad till styrelsen. "
            "Återremittera rapporten först om prognosen ska ändras."
        )
    changed = 0
    for line in prognos.lines.all():
        new = values.get(line.pk)
        if not new:
            continue
        changes = {}
        label = (labels or {}).get((line.group_id, line.line_name), line.line_name)
        for name in ("amount", "reason", "explanation"):
            if name not in new:
                continue
            old = line.amount.amount if name == "amount" else getattr(line, name)
            value = new[name]
            if old != value:
                changes[name] = [
                    {"kr": str(old)} if name == "amount" else old,
                    {"kr": str(value)} if name == "amount" else value,
                ]
                setattr(line, name, value)
        if not changes:
            continue
        if "amount" in changes:
            line.method = compute.HAND
        line.full_clean(exclude=["prognos", "group"], validate_constraints=False)
        line.save()
        audit_record(
            forbund=prognos.forbund,
            actor=acting_user,
            action="followup.prognos",
            obj=prognos,
            summary=f"Prognos {prognos.as_of_label}, {label}: "
            + ", ".join(
                f"{'belopp' if k == 'amount' else 'orsak' if k == 'reason' else 'förklaring'}"
                for k in changes
            )
            + " ändrad",
            changes=changes,
        )
        changed += 1
    if changed:
        prognos.lock_version += 1
        prognos.save(update_fields=["lock_version"])
    return changed


@transaction.atomic
def prognos_report(
    *, plan, prognos: Prognos, meeting_date, paragraph: str, acting_user: ActingUser
) -> Prognos:
    """Mark a prognos reported to the board at a meeting: from now on it is locked. Every line
    whose deviation is over the förbund's threshold must be explained first (plan: the year's
    adopted plan, whose budget the deviations are measured against)."""
    prognos = Prognos.objects.select_for_update().get(pk=prognos.pk)
    if prognos.is_locked:
        raise ValidationError("Prognosen är redan rapporterad.")
    if meeting_date is None:
        raise ValidationError({"meeting_date": "Ange styrelsemötets datum."})
    missing = unexplained_labels(prognos_rows(follow_up(plan, month=prognos.month), prognos))
    if missing:
        raise ValidationError(
            "Avvikelsen över tröskeln ska förklaras innan prognosen rapporteras: "
            + ", ".join(missing)
            + "."
        )
    prognos.reported_at = timezone.now()
    prognos.meeting_date = meeting_date
    prognos.paragraph = paragraph.strip()[:20]
    prognos.lock_version += 1
    prognos.full_clean(exclude=["forbund"])
    prognos.save()
    audit_record(
        forbund=prognos.forbund,
        actor=acting_user,
        action="followup.prognos",
        obj=prognos,
        summary=f"Prognos {prognos.as_of_label} rapporterad till styrelsen "
        f"{meeting_date.isoformat()}{' ' + prognos.paragraph if prognos.paragraph else ''}",
        changes={"rapporterad": [None, meeting_date.isoformat()]},
    )
    return prognos


def pending_save(
    *, forbund: Forbund, user, year: int, file_name: str, data: bytes
) -> PendingUpload:
    """Keep an uploaded file for the confirmation of its preview (a day at most)."""
    PendingUpload.objects.filter(
        created_at__lt=timezone.now() - timezone.timedelta(days=1)
    ).delete()
    return PendingUpload.objects.create(
        forbund=forbund, user=user, year=year, file_name=file_name[:255], data=data
    )


# --- Settings ------------------------------------------------------------------------------------


@transaction.atomic
def followup_settings_set(
    *, forbund: Forbund, data: Mapping[str, object], acting_user: ActingUser
) -> FollowupSettings:
    """Save the förbund's thresholds and distribution (only what changed, old → new; a save made
    from an older version is a conflict)."""
    found = FollowupSettings.objects.select_for_update().filter(forbund=forbund).first()
    instance = found or FollowupSettings(forbund=forbund)
    if found is None:  # the first save: what the form shows against the defaults
        data = {name: value for name, value in data.items() if name != "lock_version"}
        for name, value in data.items():
            setattr(instance, name, value)
    return save_recorded(
        instance=instance,
        data=data,
        acting_user=acting_user,
        forbund=forbund,
        what=lambda saved, changes: "inställningarna för uppföljning",
    )


@transaction.atomic
def month_profiles_set(
    *,
    forbund: Forbund,
    profiles: Mapping[tuple[int | None, str], list[int] | None],
    acting_user: ActingUser,
    labels: Mapping[tuple[int | None, str], str] | None = None,
) -> int:
    """Set or remove the month profiles of lines: {line key: twelve weights, or None}."""
    existing = {
        (p.group_id, p.line_name): p
        for p in MonthProfile.objects.select_for_update().filter(forbund=forbund)
    }
    changed = 0
    for key, weights in profiles.items():
        label = (labels or {}).get(key, key[1])
        current = existing.get(key)
        if weights is None:
            if current is not None:
                delete_recorded(
                    instance=current,
                    acting_user=acting_user,
                    forbund=forbund,
                    what=f"månadsprofilen för {label}",
                )
                changed += 1
            continue
        if current is not None and current.weights == weights:
            continue
        instance = current or MonthProfile(
            forbund=forbund, group_id=key[0], line_name=key[1], weights=weights
        )
        save_recorded(
            instance=instance,
            data={"weights": weights},
            acting_user=acting_user,
            forbund=forbund,
            what=lambda saved, changes, label=label: f"månadsprofilen för {label}",
        )
        changed += 1
    return changed
