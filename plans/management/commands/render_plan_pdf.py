"""Writes a plan's PDF to a file: the stored archival copy when the plan is adopted, otherwise a
freshly rendered draft with the UTKAST watermark."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from plans.models import PdfKind, PdfStatus, Plan
from plans.pdf import render_plan_pdf


class Command(BaseCommand):
    help = (
        "Skriver planens pdf till en fil (den arkiverade när planen är antagen, annars ett utkast)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--forbund", required=True, help="förbundets kortnamn, t.ex. goteborg")
        parser.add_argument("--year", required=True, type=int, help="budgetåret")
        parser.add_argument(
            "--plan-version", type=int, help="planens version (standard: den senaste)"
        )
        parser.add_argument("--out", required=True, help="filen som ska skrivas")

    def handle(self, *args, **options):
        plans = Plan.objects.filter(
            forbund__slug=options["forbund"], budget_year=options["year"]
        ).select_related("forbund")
        if options["plan_version"]:
            plans = plans.filter(version=options["plan_version"])
        plan = plans.order_by("-version").first()
        if plan is None:
            raise CommandError(
                f"Det finns ingen plan för {options['year']} i förbundet {options['forbund']}."
            )
        out = Path(options["out"])
        stored = plan.pdfs.filter(kind=PdfKind.ANTAGEN, status=PdfStatus.KLAR).first()
        if plan.is_adopted and stored is not None:
            with stored.file.open("rb") as source:
                out.write_bytes(source.read())
            self.stdout.write(
                f"Skrev den arkiverade pdf:en ({stored.pages} sidor, SHA-256 {stored.sha256}) till {out}"
            )
            return
        if plan.is_adopted:
            self.stderr.write(
                "Den antagna planens arkiverade pdf är inte klar; skriver ett utkast."
            )
        rendered = render_plan_pdf(plan, draft=True)
        out.write_bytes(rendered.content)
        self.stdout.write(
            f"Skrev ett utkast ({rendered.pages} sidor, {rendered.seconds:.2f} s, SHA-256 {rendered.sha256}) till {out}"
        )
