"""plan_summary: a plan's computed budget, year by year, as JSON or as a Swedish text table.

    python manage.py plan_summary --forbund goteborg --year 2021 [--plan-version N] [--format json|text]

Everything printed comes from budgets.selectors.plan_figures, the computation every page and the
PDF show; this command only chooses the plan, and budgets.summary lays the figures out. The JSON
format is described field by field in docs/plan_summary.md.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from budgets.selectors import plan_figures
from budgets.summary import summary, text_summary
from finsam.commands import find_plan, parse_version, plan_arguments

FORMATS = ("json", "text")


class Command(BaseCommand):
    help = (
        "Skriver ut en plans framräknade budget för varje år: intäkter, medlemmarnas delar, "
        "kostnader per grupp och andelar, årets resultat, eget kapital, mål, utrymme, "
        "resultat- och balansbudget, jämförelsekolumner och planens iakttagelser."
    )

    def add_arguments(self, parser):
        parser.add_argument("--forbund", metavar="KORTNAMN", help="Förbundets kortnamn.")
        parser.add_argument(
            "--year", metavar="ÅR", help="Planens budgetår; den senaste versionen visas."
        )
        parser.add_argument(
            "--plan-version",
            dest="plan_version",
            metavar="N",
            help="Planens version (en reviderad plan har flera); utan den visas den senaste.",
        )
        parser.add_argument(
            "--format", default="json", metavar="FORMAT", help="json (standard) eller text."
        )

    def handle(self, *args, **options):
        slug, year, fmt = _arguments(options)
        plan = find_plan(slug, year, parse_version(options.get("plan_version")))
        figures = plan_figures(plan)
        if fmt == "json":
            self.stdout.write(json.dumps(summary(figures), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(text_summary(figures))


def _arguments(options: dict) -> tuple[str, int, str]:
    # Checked here rather than by argparse, so that every message is Swedish.
    slug, year = plan_arguments(options)
    fmt = (options.get("format") or "json").strip().lower()
    if fmt not in FORMATS:
        raise CommandError(f"Okänt format ”{options.get('format')}”; välj json eller text.")
    return slug, year, fmt
