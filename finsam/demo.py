"""Loads the demo: the three seed förbund from fixtures/, with one user per role, and each
förbund's budget groups and plan (budgets/demo.py).

Idempotent: running it again updates what is there and creates what is missing.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from budgets.demo import load_budget
from finsam.models import (
    ROLE_KANSLI,
    ROLE_REVISOR,
    ROLE_STYRELSE,
    SEAT_ERSATTARE,
    SEAT_LEDAMOT,
    Forbund,
    Fordelningstal,
    Medlem,
    Membership,
)

DEMO_PASSWORD = "finsam-demo"
DEMO_SLUGS = ("goteborg", "sodra-vatterbygden", "sundsvall")
FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"

# username prefix -> (role, seat, is_chair, first name)
PERSONAS = {
    "kansli": (ROLE_KANSLI, "", False, "Kansli"),
    "ordforande": (ROLE_STYRELSE, SEAT_LEDAMOT, True, "Ordförande"),
    "styrelse": (ROLE_STYRELSE, SEAT_LEDAMOT, False, "Ledamot"),
    "ersattare": (ROLE_STYRELSE, SEAT_ERSATTARE, False, "Ersättare"),
    "revisor": (ROLE_REVISOR, "", False, "Revisor"),
}


def read_fixture(slug: str) -> dict:
    return json.loads((FIXTURES_DIR / f"{slug}.json").read_text(encoding="utf-8"))


def _user(username: str, first: str, last: str, **extra):
    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(username=username)
    user.first_name, user.last_name = first, last
    for key, value in extra.items():
        setattr(user, key, value)
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def load_forbund(data: dict) -> Forbund:
    info = data["forbund"]
    forbund, _ = Forbund.objects.update_or_create(
        slug=info["slug"], defaults={k: v for k, v in info.items() if k != "slug"}
    )
    for row in data["medlemmar"]:
        medlem, _ = Medlem.objects.update_or_create(
            forbund=forbund,
            name=row["name"],
            defaults={"kind": row["kind"], "order": row["order"]},
        )
        for year, basis in row.get("fordelningstal", {}).items():
            Fordelningstal.objects.update_or_create(
                medlem=medlem,
                year=int(year),
                defaults={
                    "invanare": basis.get("invanare"),
                    "avtalad_andel": Decimal(basis["avtalad_andel"])
                    if "avtalad_andel" in basis
                    else None,
                },
            )
    short = forbund.name.replace("Samordningsförbundet ", "").replace("i ", "", 1)
    for prefix, (role, seat, chair, first) in PERSONAS.items():
        person = data.get("people", {}).get(prefix, {})
        user = _user(f"{prefix}-{forbund.slug}", first, short)
        medlem = (
            Medlem.objects.get(forbund=forbund, name=person["medlem"])
            if "medlem" in person
            else None
        )
        Membership.objects.update_or_create(
            user=user,
            forbund=forbund,
            role=role,
            defaults={
                "seat": seat,
                "is_chair": chair,
                "title": person.get("title", ""),
                "medlem": medlem,
            },
        )
    return forbund


@transaction.atomic
def load_demo() -> list[Forbund]:
    _user("admin", "System", "Administratör", is_staff=True, is_superuser=True)
    loaded = []
    for slug in DEMO_SLUGS:
        data = read_fixture(slug)
        forbund = load_forbund(data)
        load_budget(forbund, data)
        loaded.append(forbund)
    # Each insats takes over a budget line loaded above (fixtures/<slug>-insatser.json).
    from insatser.demo import load_insatser

    for forbund in loaded:
        load_insatser(forbund)
    # Göteborg's plan was adopted (27 november 2020 §108): record it as the board did.
    from plans.demo import adopt_demo_plan

    for forbund in loaded:
        adopt_demo_plan(forbund, read_fixture(forbund.slug))
    return loaded
