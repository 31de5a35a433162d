"""export_forbund: one förbund, everything it owns, as a backup file (docs/backup.md).

python manage.py export_forbund goteborg --out goteborg.finsam.zip
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from finsam.commands import find_forbund
from plans.backup import BackupError, export_forbund, sha256


class Command(BaseCommand):
    help = (
        "Skriver ett förbund med allt det äger (planer, budgetar, insatser, texter, logg, "
        "lagrade pdf:er och logotyper, användarna det hänvisar till) till en säkerhetskopia."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", metavar="KORTNAMN", help="Förbundets kortnamn.")
        parser.add_argument("--out", metavar="FIL", help="Filen som skrivs (.zip).")

    def handle(self, *args, **options):
        if not options.get("out"):
            raise CommandError("Ange filen med --out FIL, t.ex. --out forbund.finsam.zip.")
        forbund = find_forbund(options["slug"].strip())
        try:
            exported = export_forbund(forbund)
        except BackupError as error:
            raise CommandError(str(error)) from None
        out = Path(options["out"])
        out.write_bytes(exported.content)
        rows = sum(exported.counts.values())
        plans = exported.counts["plans.Plan"]
        self.stdout.write(
            f"Skrev {forbund.name} till {out}: {plans} plan{'er' if plans != 1 else ''}, {rows} rader, "
            f"{exported.files} lagrade filer ({len(exported.content) // 1024} kB), undertecknad "
            f"med nyckel-id {exported.key_id}. Filens SHA-256 är {sha256(exported.content)}."
        )
