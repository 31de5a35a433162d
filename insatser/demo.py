"""Loads a seed förbund's insatser, målgrupper and mål from fixtures/<slug>-insatser.json.

Each insats takes over the budget line of the same name that budgets/demo.py loaded, as it
stands, so the seed's totals, shares and balances come out exactly as before. Built through the
services, like the kansli builds them. Idempotent: a plan that already has insatser or
målgrupper is left as it is, so a second load keeps what the kansli changed.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction

from finsam.demo import FIXTURES_DIR
from insatser import rules, services, services_mal
from insatser.models import Insats, Malgrupp
from insatser.models_mal import Indikator, Mal

if TYPE_CHECKING:
    from plans.models import Plan


def read_insatser_fixture(slug: str) -> dict | None:
    path = FIXTURES_DIR / f"{slug}-insatser.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _indikator(row: dict) -> Indikator:
    target = row.get("target_value")
    return Indikator(
        description=row["description"],
        kind=row["kind"],
        target_value=Decimal(target) if target is not None else None,
        target_yes=row.get("target_yes"),
        target_text=row.get("target_text", ""),
        direction=row.get("direction", rules.MINST),
        source=row["source"],
        source_text=row.get("source_text", ""),
    )


@transaction.atomic
def load_insatser(plan: Plan) -> Plan:
    """Load the förbund's insatser fixture into its seed plan, unless already there."""
    forbund = plan.forbund
    data = read_insatser_fixture(forbund.slug)
    if data is None or data["budget_year"] != plan.budget_year or not plan.is_editable:
        return plan
    if plan.insatser.exists() or plan.malgrupper.exists():
        return plan
    members = {m.name: m for m in forbund.medlemmar.all()}
    malgrupper = {}
    for order, row in enumerate(data.get("malgrupper", []), start=1):
        malgrupper[row["name"]] = services.malgrupp_save(
            malgrupp=Malgrupp(
                plan=plan, name=row["name"], description=row.get("description", ""), order=order
            ),
            acting_user=None,
        )
    for order, row in enumerate(data.get("plan_mal", []), start=1):
        services_mal.mal_save(
            mal=Mal(plan=plan, level=row["level"], text=row["text"], order=order),
            acting_user=None,
            indikatorer=[_indikator(i) for i in row.get("indikatorer", [])],
        )
    if data.get("agenda2030"):
        services.plan_agenda2030_set(plan=plan, acting_user=None, goals=data["agenda2030"])
    lines = {line.name: line for line in plan.budget_lines.select_related("category__group")}
    for order, row in enumerate(data.get("insatser", []), start=1):
        line_name = row.get("budget_line", row["name"])
        if line_name not in lines:
            raise ValueError(f"{forbund.slug}: ingen budgetrad heter {line_name!r}")
        insats = services.insats_save(
            insats=Insats(
                plan=plan,
                name=row["name"],
                description=row.get("description", ""),
                kind=row["kind"],
                individ_percent=row.get("individ_percent"),
                agare=members[row["agare"]],
                age_min=row.get("age_min"),
                age_max=row.get("age_max"),
                start=_date(row["start"]),
                end=_date(row.get("end")),
                status=row["status"],
                decision_date=_date(row.get("decision_date")),
                decision_paragraph=row.get("decision_paragraph", ""),
                risk=row.get("risk", ""),
                effekt=row.get("effekt", ""),
                order=order * 10,
            ),
            acting_user=None,
            data={
                "parter": [members[name] for name in row.get("parter", [])],
                "malgrupper": [malgrupper[name] for name in row.get("malgrupper", [])],
                "agenda2030": row.get("agenda2030", []),
                "gender_balance": row.get("gender_balance", False),
            },
            budget_line=lines[line_name],
        )
        for mal_order, mal in enumerate(row.get("mal", []), start=1):
            services_mal.mal_save(
                mal=Mal(
                    plan=plan,
                    insats=insats,
                    level=rules.INSATSMAL,
                    text=mal["text"],
                    order=mal_order,
                ),
                acting_user=None,
                indikatorer=[_indikator(i) for i in mal.get("indikatorer", [])],
            )
    return plan
