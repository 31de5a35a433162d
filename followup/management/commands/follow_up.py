"""manage.py follow_up --forbund SLUG --year N [--as-of YYYY-MM] --format json: every figure of
the year's follow-up page, by the same calculation (followup.report), and under "national" the
figures of FK's national follow-up (followup.national)."""

from __future__ import annotations

import json
import re

from django.core.management.base import BaseCommand, CommandError

from finsam.models import Forbund
from followup.national import national, national_data
from followup.report import follow_up_report
from followup.selectors import follow_up, followed_plan

AS_OF = re.compile(r"^(\d{4})-(\d{2})$")


class Command(BaseCommand):
    help = "Skriver ut uppföljningen av ett år (varje siffra på sidan) som JSON."

    def add_arguments(self, parser):
        parser.add_argument("--forbund", required=True, help="förbundets kortnamn (slug)")
        parser.add_argument("--year", required=True, type=int, help="budgetåret")
        parser.add_argument(
            "--as-of", dest="as_of", help="utfall till och med månaden ÅÅÅÅ-MM (standard: sista)"
        )
        parser.add_argument("--format", choices=["json"], default="json")

    def handle(self, *args, **options):
        forbund = Forbund.objects.filter(slug=options["forbund"]).first()
        if forbund is None:
            raise CommandError(f"Förbundet {options['forbund']!r} finns inte.")
        year = options["year"]
        plan = followed_plan(forbund, year)
        if plan is None:
            raise CommandError(f"{forbund.name} har ingen antagen plan för {year}.")
        month = None
        if options["as_of"] is not None:
            found = AS_OF.match(options["as_of"].strip())
            if not found or not 1 <= int(found[2]) <= 12:
                raise CommandError(
                    f"--as-of ska vara en månad som ÅÅÅÅ-MM, t.ex. {year}-08; "
                    f"{options['as_of']!r} är det inte."
                )
            if int(found[1]) != year:
                raise CommandError(
                    f"--as-of {options['as_of']} ligger inte i {year}: ange en månad av året."
                )
            month = int(found[2])
        follow = follow_up(plan, month=month)
        report = follow_up_report(follow)
        # FK's national follow-up of the same figures (docs/national.md).
        report["national"] = national_data(national(follow))
        self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
