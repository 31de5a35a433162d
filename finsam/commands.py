"""What the management commands share: the förbund and plan they name, checked with Swedish
messages (argparse's own are English)."""

from __future__ import annotations

from django.core.management.base import CommandError

from finsam.models import Forbund


def plan_arguments(options: dict) -> tuple[str, int]:
    """--forbund and --year, checked."""
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
    return slug, year


def parse_version(raw) -> int | None:
    if raw is None or str(raw).strip() == "":
        return None
    try:
        return int(str(raw).strip())
    except ValueError:
        raise CommandError(
            f"”{raw}” är inget versionsnummer; ange t.ex. --plan-version 1."
        ) from None


def find_forbund(slug: str) -> Forbund:
    forbund = Forbund.objects.filter(slug=slug).first()
    if forbund is None:
        known = ", ".join(Forbund.objects.order_by("slug").values_list("slug", flat=True))
        hint = f" Förbund som finns: {known}." if known else " Det finns inga förbund ännu."
        raise CommandError(f"Det finns inget förbund med kortnamnet ”{slug}”.{hint}")
    return forbund


def find_plan(slug: str, year: int, version: int | None = None):
    """The plan of the förbund for the budget year: the latest version unless one is named."""
    forbund = find_forbund(slug)
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
