"""export_plan: a plan as an Excel workbook with live formulas (docs/excel.md).

python manage.py export_plan --forbund goteborg --year 2021 --out plan.xlsx [--plan-version N]
python manage.py export_plan --forbund goteborg --year 2021 --out mall.xlsx --template
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from finsam.commands import find_plan, parse_version, plan_arguments
from plans.excel.export import export_plan
from plans.excel.template import template_workbook


class Command(BaseCommand):
    help = "Skriver planen som en Excel-arbetsbok där varje summa är en formel."

    def add_arguments(self, parser):
        parser.add_argument("--forbund", metavar="KORTNAMN", help="Förbundets kortnamn.")
        parser.add_argument("--year", metavar="ÅR", help="Planens budgetår.")
        parser.add_argument("--plan-version", dest="plan_version", metavar="N")
        parser.add_argument("--out", metavar="FIL", help="Filen som skrivs (.xlsx).")
        parser.add_argument(
            "--template",
            action="store_true",
            help="Skriv importmallen (planens rader och inmatade belopp) i stället för exporten.",
        )

    def handle(self, *args, **options):
        slug, year = plan_arguments(options)
        if not options.get("out"):
            raise CommandError("Ange filen med --out FIL, t.ex. --out plan.xlsx.")
        plan = find_plan(slug, year, parse_version(options.get("plan_version")))
        out = Path(options["out"])
        if options["template"]:
            out.write_bytes(template_workbook(plan))
            self.stdout.write(f"Skrev importmallen för {plan.title} till {out}.")
            return
        export = export_plan(plan)
        out.write_bytes(export.save())
        self.stdout.write(
            f"Skrev {plan.title} ({plan.get_status_display().lower()}, version {plan.version}) "
            f"till {out}: {len(export.workbook.sheetnames)} blad, {len(export.computed)} "
            "uträknade celler."
        )
