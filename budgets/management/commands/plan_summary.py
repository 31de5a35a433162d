"""plan_summary: a plan's computed budget, year by year, as JSON or as a Swedish text table.

    python manage.py plan_summary --forbund goteborg --year 2021 [--plan-version N] [--format json|text]

Everything printed comes from budgets.selectors.plan_figures, the computation every page and the
PDF show; this command only chooses the plan, and budgets.summary lays the figures out. The JSON
format is described field by field in docs/plan_summary.md.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from django.core.management.base import BaseCommand, CommandError

from budgets.selectors import plan_figures
from budgets.summary import summary, text_summary
from finsam.models import Forbund

if TYPE_CHECKING:
    from plans.models import Plan

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
        plan = _find_plan(slug, year, _version(options.get("plan_version")))
        figures = plan_figures(plan)
        if fmt == "json":
            self.stdout.write(json.dumps(summary(figures), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(text_summary(figures))


def _arguments(options: dict) -> tuple[str, int, str]:
    # Checked here rather than by argparse, so that every message is Swedish.
    slug = (options.get("forbund") or "").strip()
    if not slug:
        raise CommandError("Ange förbundet med --forbund KORTNAMN, t.ex. --forbund goteborg.")
    raw_year = options.get("year")
    if raw_year is None or str(raw_year).strip() == "":
        raise CommandError("Ange planens budgetår med --year ÅR, t.ex. --year 2021.")
    try:
        year = int(str(raw_year).strip())
    except ValueError:
        raise CommandError(
            f"”{raw_year}” är inget årtal; ange budgetåret med fyra siffror."
        ) from None
    fmt = (options.get("format") or "json").strip().lower()
    if fmt not in FORMATS:
        raise CommandError(f"Okänt format ”{options.get('format')}”; välj json eller text.")
    return slug, year, fmt


def _version(raw) -> int | None:
    if raw is None or str(raw).strip() == "":
        return None
    try:
        return int(str(raw).strip())
    except ValueError:
        raise CommandError(
            f"”{raw}” är inget versionsnummer; ange t.ex. --plan-version 1."
        ) from None


def _find_plan(slug: str, year: int, version: int | None = None) -> Plan:
    forbund = Forbund.objects.filter(slug=slug).first()
    if forbund is None:
        known = ", ".join(Forbund.objects.order_by("slug").values_list("slug", flat=True))
        hint = f" Förbund som finns: {known}." if known else " Det finns inga förbund ännu."
        raise CommandError(f"Det finns inget förbund med kortnamnet ”{slug}”.{hint}")
    # Through the related manager, so plan.forbund is the förbund already fetched.
    plan = forbund.plans.filter(budget_year=year).order_by("-version").first()
    if plan is None:
        years = sorted(set(forbund.plans.values_list("budget_year", flat=True)))
        hint = (
            f" Det finns planer för budgetåren {', '.join(str(y) for y in years)}."
            if years
            else " Förbundet har inga planer ännu."
        )
        raise CommandError(f"{forbund.name} har ingen plan för budgetåret {year}.{hint}")
    if version is not None and version != plan.version:
        chosen = forbund.plans.filter(budget_year=year, version=version).first()
        if chosen is None:
            raise CommandError(
                f"Planen för {year} har ingen version {version}; den senaste är version "
                f"{plan.version}."
            )
        plan = chosen
    return plan
