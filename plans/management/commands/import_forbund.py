"""import_forbund: read a förbund's backup into this installation (docs/backup.md).

python manage.py import_forbund goteborg.finsam.zip
python manage.py import_forbund goteborg.finsam.zip --trust-unsigned   # recorded in the log
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from plans.backup import BackupError, import_forbund


def operator() -> str:
    """Who runs the command, as the machine knows them: the person behind sudo first."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):  # no login name and no passwd entry (a bare container)
        user = ""
    behind = os.environ.get("SUDO_USER", "")
    return f"{behind} (som {user})" if behind and user and behind != user else behind or user


class Command(BaseCommand):
    help = (
        "Läser in en säkerhetskopia av ett förbund. Underskriften och varje kontrollsumma prövas "
        "först; ett förbund som redan finns här vägras, och allt skrivs i en enda transaktion."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FIL", help="Säkerhetskopian (.zip).")
        parser.add_argument(
            "--trust-unsigned",
            action="store_true",
            help="Läs in filen fast dess underskrift inte kan prövas (ingen, fel eller okänd "
            "nyckel), bara om du på annat sätt vet att den är oförändrad; förbundets logg visar "
            "det, med filens SHA-256 och vem som körde kommandot.",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Filen {path} finns inte.")
        try:
            imported = import_forbund(
                path.read_bytes(),
                trust_unsigned=options["trust_unsigned"],
                run_by=operator(),
            )
        except BackupError as error:
            raise CommandError(f"Inget lästes in: {error}") from None
        rows = sum(imported.counts.values())
        plans = imported.counts["plans.Plan"]
        signature = imported.signature
        self.stdout.write(
            f"Läste in {imported.forbund.name}: {plans} plan{'er' if plans != 1 else ''}, "
            f"{rows} rader, {imported.files} lagrade filer ("
            + (
                f"underskriften (nyckel-id {signature.key_id}) och kontrollsummorna stämmer"
                if signature.verified
                else "kontrollsummorna stämmer, men underskriften kunde inte prövas"
            )
            + f"); {len(imported.users_created)} nya användare, "
            f"{len(imported.users_reused)} som redan fanns; "
            + (
                "varje rad har samma id som i originalet."
                if imported.kept_ids
                else "raderna fick nya id:n (de gamla var upptagna här), så länkar till planerna "
                "är nya."
            )
        )
        if not signature.verified:
            self.stdout.write(
                f"Obs: {signature.problem} Filen lästes in på --trust-unsigned, och förbundets "
                f"logg visar det. Filens SHA-256 är {imported.file_sha256}; jämför den med "
                "avsändarens."
            )
