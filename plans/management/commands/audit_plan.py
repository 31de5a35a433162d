"""audit_plan: the figures a workbook states, checked against its rows (Granska en plan).

    python manage.py audit_plan FILE [--forbund KORTNAMN] [--format text|json]

With --forbund the förbund's members, groups and units are used (member parts can then be
checked). The exit status is non-zero when a stated figure disagrees or the file has problems.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from finsam.commands import find_forbund
from plans.excel.audit import audit_workbook, report_text
from plans.excel.reader import read_upload


class Command(BaseCommand):
    help = "Granskar de siffror en arbetsbok anger mot det som räknas fram ur dess rader."

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FIL", help="Arbetsboken (.xlsx).")
        parser.add_argument("--forbund", metavar="KORTNAMN", help="Förbundet (frivilligt).")
        parser.add_argument("--format", default="text", metavar="FORMAT", help="text eller json.")

    def handle(self, *args, **options):
        fmt = (options.get("format") or "text").lower()
        if fmt not in ("text", "json"):
            raise CommandError(f"Okänt format ”{options['format']}”; välj text eller json.")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Filen {path} finns inte.")
        forbund = find_forbund(options["forbund"]) if options.get("forbund") else None
        report = audit_workbook(read_upload(path.name, path.read_bytes()), forbund=forbund)
        if fmt == "json":
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(report_text(report))
        if report.problems or report.disagreements:
            raise CommandError(
                f"{len(report.disagreements)} avvikelser, {len(report.problems)} fel."
            )
