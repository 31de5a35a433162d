"""Ten clients saving budget figures at once on the embedded SQLite, with the project's real
database settings (a file, not the test suite's in-memory database). Run by
tests/budgets/test_sqlite_writers.py in a process of its own; prints saves and errors as JSON.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.pop("DATABASE_URL", None)
os.environ["FINSAM_DATA_DIR"] = tempfile.mkdtemp(prefix="finsam-writers-")
os.environ["DJANGO_SETTINGS_MODULE"] = "finsam.settings"
os.environ.setdefault("FINSAM_TESTING", "1")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from budgets import services  # noqa: E402
from budgets.models import BudgetCategory  # noqa: E402
from plans.models import Plan  # noqa: E402
from tests.factories import PlanFactory, complete_forbund  # noqa: E402

CLIENTS, SAVES_EACH = 10, 20


def main() -> None:
    call_command("migrate", verbosity=0)
    forbund = complete_forbund(slug="skrivare")
    plan = PlanFactory(forbund=forbund)
    category = BudgetCategory.objects.filter(group__forbund=forbund).first()
    lines = [
        services.budget_line_create(plan=plan, acting_user=None, category=category, name=f"R{i}")
        for i in range(CLIENTS)
    ]
    saves: list[int] = []
    errors: list[str] = []

    def client(i: int) -> None:
        for n in range(SAVES_EACH):
            try:
                fresh = Plan.objects.get(pk=plan.pk)
                list(fresh.year_rows.all())  # a read before the write, as the editor does
                services.budget_figures_set(
                    plan=fresh,
                    acting_user=None,
                    amounts={(lines[i].pk, plan.budget_year, "budget"): Decimal(n + 1)},
                )
                saves.append(1)
            except Exception as error:  # counted: any failure is what the test looks for
                errors.append(repr(error)[:200])
        connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps({"saves": len(saves), "errors": errors}))


if __name__ == "__main__":
    main()
