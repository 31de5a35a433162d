"""create_forbund: set up a new förbund from a small YAML or JSON file (docs/people.md).

python manage.py create_forbund exempeldalen.yaml
python manage.py create_forbund exempeldalen.yaml --dry-run   # says what it would create
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from finsam.operator import SetupError, forbund_setup, read_setup_file, setup_check


class Command(BaseCommand):
    help = (
        "Skapar ett nytt förbund med dess medlemmar och bjuder in kansliets första person, "
        "utifrån en liten YAML- eller JSON-fil (docs/people.md). Allt eller inget: ett fel i "
        "filen skapar ingenting och sägs med sin plats i filen."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FIL", help="Filen (.yaml, .yml eller .json).")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Pröva filen och visa vad som skulle skapas, utan att skapa något.",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Filen {path} finns inte.")
        try:
            data, lines = read_setup_file(path.read_bytes(), path.name)
            if options["dry_run"]:
                setup = setup_check(data, lines)
            else:
                forbund = forbund_setup(data=data, lines=lines)
        except SetupError as error:
            raise CommandError(
                "Inget skapades. Rätta filen:\n" + "\n".join(f"- {p}" for p in error.problems)
            ) from None
        if options["dry_run"]:
            self.stdout.write("Provkörning; inget skapades. Detta skulle skapas:")
            for line in setup.lines():
                self.stdout.write(line)
            return
        self.stdout.write(
            f"Skapade {forbund.name} (kortnamn {forbund.slug}) med "
            f"{forbund.medlemmar.count()} medlemmar, och skickade en inbjudan till kansliet "
            f"({data['kansli']['epost']})."
        )
