"""Helpers for the insatser tests: the insats form as a browser posts it."""

from __future__ import annotations

import pytest
from django.urls import reverse


def url(name, plan, *extra):
    return reverse(name, args=[plan.forbund.slug, plan.pk, *extra])


def member(plan, kind: str, index: int = 0):
    return [m for m in plan.forbund.medlemmar.all() if m.kind == kind][index]


def insats_post(plan, **over) -> dict:
    """Everything the insats form sends for a plain individinriktad insats, with overrides.

    Per-year keys go as "beviljat_2027" etc. and become the form's "ar2027-beviljat".
    """
    data = {
        "name": "Unga till arbete",
        "description": "Ett team för unga vuxna.",
        "kind": "individ",
        "individ_percent": "",
        "struktur_percent": "",
        "status": "beviljad",
        "agare": str(member(plan, "region").pk),
        "parter": [str(member(plan, "fk").pk)],
        "malgrupper": [],
        "age_min": "16",
        "age_max": "29",
        "start": f"{plan.budget_year}-01-01",
        "end": "",
        "decision_date": "",
        "decision_paragraph": "",
        "contact_name": "",
        "contact_email": "",
        "contact_phone": "",
        "risk": "",
        "risk_comment": "",
        "effekt": "",
        "effekt_comment": "",
        "agenda2030": [],
        "order": "",
    }
    for year in plan.years:
        for name in ("beviljat", "esf_percent", "esf_amount", "medfinansiar", "medfinansiering"):
            data[f"ar{year}-{name}"] = ""
    for key, value in over.items():
        field, _, year = key.rpartition("_")
        if year.isdigit() and field:
            data[f"ar{year}-{field}"] = value
        else:
            data[key] = value
    return data


@pytest.fixture
def plan(world):
    return world["plan_a"]
