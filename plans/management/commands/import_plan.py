"""import_plan: read a budget workbook into a draft plan (docs/excel.md).

    python manage.py import_plan --forbund goteborg --year 2021 FILE [--dry-run]

--dry-run prints what would change and every problem, and changes nothing. The exit status is
non-zero when the file has problems; then nothing is imported either way.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from finsam.commands import find_plan, plan_arguments
from finsam.money import format_kr
from plans.excel.importer import ImportRefused, apply_import, prepare_import
from plans.excel.reader import read_upload
from plans.models import PlanLocked


def preview_text(preview) -> list[str]:
    lines = []
    for change in preview.added:
        amounts = ", ".join(f"{label} {format_kr(new)}" for label, _, new in change.amounts)
        lines.append(f"+ {change.group} / {change.name}" + (f": {amounts}" if amounts else ""))
    for change in preview.changed:
        for label, old, new in change.amounts:
            lines.append(f"~ {change.name}, {label}: {format_kr(old)} → {format_kr(new)}")
        for label, old, new in change.fields:
            lines.append(f"~ {change.name}, {label.lower()}: {old or '–'} → {new or '–'}")
    for change in preview.removed:
        lines.append(f"- {change.group} / {change.name}")
    for row, _, label, old, new in preview.year_changes:
        lines.append(f"~ {label} {row.year}: {format_kr(old)} → {format_kr(new)}")
    for _, _, label, old, new, _ in preview.settings:
        lines.append(f"~ {label}: {old or '–'} → {new or '–'}")
    for own in preview.own_rows:
        mark = "+" if not own.old else "-" if not own.new else "~"
        lines.append(
            f"{mark} {own.statement}, egen rad {own.label}: {own.old or '–'} → {own.new or '–'}"
        )
    if preview.own_rows_kept:
        lines.append(
            f"Filen har inget blad Egna rader: planens {preview.own_rows_kept} egna rader i "
            "resultat- och balansbudgeten lämnas som de är."
        )
    return [line.replace("\xa0", " ") for line in lines]


class Command(BaseCommand):
    help = "Läser in en Excel-arbetsbok i en plan som är ett utkast (allt eller inget)."

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FIL", help="Arbetsboken (.xlsx).")
        parser.add_argument("--forbund", metavar="KORTNAMN", help="Förbundets kortnamn.")
        parser.add_argument("--year", metavar="ÅR", help="Planens budgetår.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Visa ändringar och fel; ändra inget."
        )

    def handle(self, *args, **options):
        slug, year = plan_arguments(options)
        plan = find_plan(slug, year)
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Filen {path} finns inte.")
        parsed = read_upload(path.name, path.read_bytes())
        preview = prepare_import(plan, parsed)
        for line in preview_text(preview):
            self.stdout.write(line)
        if preview.problems:
            for problem in preview.problems:
                self.stderr.write(f"Fel: {problem}")
            raise CommandError(f"{len(preview.problems)} fel i filen; inget lästes in.")
        summary = (
            f"{len(preview.added)} nya rader, {len(preview.changed)} ändrade, "
            f"{len(preview.removed)} borttagna"
        )
        if options["dry_run"]:
            self.stdout.write(f"Provkörning: {summary}; inget ändrades.")
            return
        try:
            apply_import(plan=plan, parsed=parsed, acting_user=None, filename=path.name)
        except (ImportRefused, PlanLocked) as error:
            raise CommandError(
                str(error.messages[0] if hasattr(error, "messages") else error)
            ) from None
        self.stdout.write(f"Läste in {path.name} i {plan.title}: {summary}.")
