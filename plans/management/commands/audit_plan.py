"""audit_plan: the figures a workbook states, checked against its rows (Granska en plan).

    python manage.py audit_plan FILE [--forbund KORTNAMN [--year ÅR] [--plan-version N]]
        [--format text|json]

With --forbund the audit takes what the plan already holds, so nothing is typed twice: the plan
of the budget year (--year, or the year the file's columns name) gives its members with their
fördelningstal, its groups, its unit and its opening eget kapital, and its lines when the file
has none (a file with only the sheet "Uppgivna siffror"). Without such a plan the förbund's
current members and groups are used. The exit status is non-zero when a stated figure disagrees
or the file has problems.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from finsam.commands import find_forbund, find_plan, parse_version
from plans.excel.audit import audit_workbook, budget_year_of, read_with_plan, report_text
from plans.excel.reader import read_upload


class Command(BaseCommand):
    help = "Granskar de siffror en arbetsbok anger mot det som räknas fram ur dess rader."

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FIL", help="Arbetsboken (.xlsx).")
        parser.add_argument("--forbund", metavar="KORTNAMN", help="Förbundet (frivilligt).")
        parser.add_argument("--year", metavar="ÅR", help="Planens budgetår (frivilligt).")
        parser.add_argument("--plan-version", dest="plan_version", metavar="N")
        parser.add_argument("--format", default="text", metavar="FORMAT", help="text eller json.")

    def handle(self, *args, **options):
        fmt = (options.get("format") or "text").lower()
        if fmt not in ("text", "json"):
            raise CommandError(f"Okänt format ”{options['format']}”; välj text eller json.")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Filen {path} finns inte.")
        slug = (options.get("forbund") or "").strip()
        if not slug and (options.get("year") or options.get("plan_version")):
            raise CommandError("Ange förbundet med --forbund KORTNAMN när du anger ett budgetår.")
        data = path.read_bytes()
        parsed = read_upload(path.name, data)
        forbund = find_forbund(slug) if slug else None
        plan = None
        if forbund is not None:
            year = self._year(options.get("year"))
            version = parse_version(options.get("plan_version"))
            if year is not None:
                plan = find_plan(slug, year, version)
            elif (year := budget_year_of(parsed)) is not None:
                # The file names its years: the plan of that budget year, if the förbund has one.
                plan = forbund.plans.filter(budget_year=year).order_by("-version").first()
        from_plan = False
        if plan is not None:
            parsed, from_plan = read_with_plan(path.name, data, plan, parsed=parsed)
        report = audit_workbook(parsed, forbund=forbund, plan=plan)
        if fmt == "json":
            answer = report.as_dict()
            if plan is not None:
                answer["plan"] = {"titel": plan.title, "budgetar": plan.budget_year}
            self.stdout.write(json.dumps(answer, ensure_ascii=False, indent=2))
        else:
            if plan is not None:
                self.stdout.write(
                    f"Granskat med det som {plan.title} håller: medlemmar, fördelningstal, "
                    f"grupper och enhet ({report.unit})"
                    + ("; budgetraderna ur planen." if from_plan else ".")
                )
            self.stdout.write(report_text(report))
        if report.problems or report.disagreements:
            hint = ""
            if forbund is not None and plan is None and not parsed.lines:
                hint = (
                    " Ange planens budgetår med --year ÅR så granskas siffrorna mot planens rader."
                )
            raise CommandError(
                f"{len(report.disagreements)} avvikelser, {len(report.problems)} fel.{hint}"
            )

    def _year(self, raw) -> int | None:
        if raw is None or str(raw).strip() == "":
            return None
        try:
            return int(str(raw).strip())
        except ValueError:
            raise CommandError(
                f"”{raw}” är inget årtal; ange budgetåret med fyra siffror."
            ) from None
