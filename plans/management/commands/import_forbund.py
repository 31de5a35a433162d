"""import_forbund: read a förbund's backup into this installation (docs/backup.md).

python manage.py import_forbund goteborg.finsam.zip
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from plans.backup import BackupError, import_forbund


class Command(BaseCommand):
    help = (
        "Läser in en säkerhetskopia av ett förbund. Varje kontrollsumma prövas först; ett "
        "förbund som redan finns här vägras, och allt skrivs i en enda transaktion."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FIL", help="Säkerhetskopian (.zip).")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Filen {path} finns inte.")
        try:
            imported = import_forbund(path.read_bytes())
        except BackupError as error:
            raise CommandError(f"Inget lästes in: {error}") from None
        rows = sum(imported.counts.values())
        plans = imported.counts["plans.Plan"]
        self.stdout.write(
            f"Läste in {imported.forbund.name}: {plans} plan{'er' if plans != 1 else ''}, "
            f"{rows} rader, {imported.files} lagrade filer (kontrollsummorna stämmer); "
            f"{len(imported.users_created)} nya användare, "
            f"{len(imported.users_reused)} som redan fanns; "
            + (
                "varje rad har samma id som i originalet."
                if imported.kept_ids
                else "raderna fick nya id:n (de gamla var upptagna här), så länkar till planerna "
                "är nya."
            )
        )
