"""import_utfall: a year's utfall from a SIE file or an Excel sheet, as the import page reads it.

    python manage.py import_utfall --forbund KORTNAMN --year ÅR FIL [--mapping FIL] [--dry-run]

The file is told apart by its content. A konto map (--mapping, CSV or xlsx with konto;budgetrad)
replaces the förbund's map first, in the same transaction as the import. The command prints what
the import changes per line and month (old → new), the konton that land on no line with their
amounts and the totals; with --dry-run it writes nothing (the map neither). It writes as the
system (no user) and is in the log like any import. A refused file exits non-zero with the
reasons, each at its line of the file.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from budgets.selectors import plan_figures
from finsam.commands import find_forbund, plan_arguments
from finsam.money import format_kr, format_plain
from followup import selectors, services
from followup.models import MONTH_NAMES, UtfallSource


class _DryRun(Exception):
    """Rolls the dry run's transaction back."""


def _ore(amount: Decimal) -> str:
    return f"{format_plain(amount)}\xa0kr"


def _refused(what: str, error: services.ImportRefused) -> CommandError:
    lines = "\n".join(f"  {problem}" for problem in error.problems)
    return CommandError(f"{what} kan inte läsas in:\n{lines}")


class Command(BaseCommand):
    help = "Läser in ett års utfall från en SIE-fil eller ett Excelblad och visar vad det ändrar."

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FIL", help="SIE-filen eller Excelbladet (.xlsx).")
        parser.add_argument("--forbund", metavar="KORTNAMN", help="Förbundet.")
        parser.add_argument("--year", metavar="ÅR", help="Året som följs upp.")
        parser.add_argument(
            "--mapping", metavar="FIL", help="Kontokarta (konto;budgetrad) som ersätter den gamla."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Visa vad som ändras utan att spara något."
        )

    def handle(self, *args, **options):
        slug, year = plan_arguments(options)
        path = self._path(options["file"])
        mapping_path = self._path(options["mapping"]) if options.get("mapping") else None
        forbund = find_forbund(slug)
        plan = selectors.followed_plan(forbund, year)
        if plan is None:
            raise CommandError(f"{forbund.name} har ingen antagen plan för {year}.")
        refs = selectors.line_refs(plan_figures(plan))
        try:
            with transaction.atomic():
                if mapping_path is not None:
                    self._mapping(forbund, mapping_path, refs)
                preview = self._preview(forbund, year, path, refs)
                self._show(forbund, preview)
                if options["dry_run"]:
                    raise _DryRun
                record = services.utfall_import(forbund=forbund, preview=preview, acting_user=None)
        except _DryRun:
            self.stdout.write("Provkörning: ingenting är sparat.")
            return
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        months = ", ".join(MONTH_NAMES[m - 1] for m in record.months)
        self.stdout.write(
            f"Inläst: utfall {year} från {record.file_name} ({months}), "
            f"{len(preview.changes)} belopp ändrade. SHA-256 {record.sha256}."
        )

    def _path(self, name: str) -> Path:
        path = Path(name)
        if not path.is_file():
            raise CommandError(f"Filen {path} finns inte.")
        return path

    def _mapping(self, forbund, path: Path, refs) -> None:
        try:
            rows = services.mapping_read(path.name, path.read_bytes(), refs)
        except services.ImportRefused as error:
            raise _refused(f"Kontokartan {path.name}", error) from error
        changed = services.mapping_set(
            forbund=forbund, rows=rows, refs=refs, acting_user=None, replace=True
        )
        self.stdout.write(f"Kontokartan {path.name}: {len(rows)} rader, {changed} ändrade.")

    def _preview(self, forbund, year: int, path: Path, refs) -> services.Preview:
        try:
            return services.utfall_preview(
                forbund=forbund, year=year, file_name=path.name, data=path.read_bytes(), refs=refs
            )
        except services.ImportRefused as error:
            raise _refused(f"Filen {path.name}", error) from error

    def _show(self, forbund, preview: services.Preview) -> None:
        out = self.stdout
        kind = UtfallSource(preview.source).label
        months = ", ".join(MONTH_NAMES[m - 1] for m in preview.months)
        out.write(f"{forbund.name}, utfall {preview.year} ur {kind.lower()} {preview.file_name}")
        out.write(f"Månader i filen: {months}")
        for note in preview.notes:
            out.write(f"Obs: {note}")
        if preview.changes:
            out.write("Ändras (gammalt → nytt):")
            for change in preview.changes:
                out.write(
                    f"  {change.label}, {change.month_name}: "
                    f"{format_kr(change.old)} → {format_kr(change.new)}"
                )
        else:
            out.write("Inga belopp ändras mot det som redan är inläst.")
        after = preview.after
        if after is not None and after.unmapped:
            out.write("Konton utan budgetrad (räknas inte på någon rad):")
            for account in after.unmapped:
                out.write(f"  {account.konto} {account.name}: {_ore(account.total)}")
        if after is not None and after.ignored:
            out.write("Konton som inte följs upp:")
            for account in after.ignored:
                out.write(f"  {account.konto} {account.name}: {_ore(account.total)}")
        if preview.source == UtfallSource.SIE:
            read = sum(
                (sum(amounts, Decimal(0)) for _, amounts in preview.accounts.values()), Decimal(0)
            )
        else:
            read = sum((sum(row, Decimal(0)) for row in preview.lines.values()), Decimal(0))
        verdict = "stämmer" if read == preview.file_total else "STÄMMER INTE"
        out.write(
            f"Summa i filen {_ore(preview.file_total)}, summa som läses in {_ore(read)}: {verdict}."
        )
