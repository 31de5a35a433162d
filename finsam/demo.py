"""The demo's förbund: the three seed förbund from fixtures/, their members and one user per
role. plans/demo.py loads the whole demo, this first.

Idempotent: running it again updates what is there and creates what is missing.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model

from finsam.audit import audit_record
from finsam.models import Forbund, Fordelningstal, Medlem, Membership, Role, Seat

DEMO_PASSWORD = "finsam-demo"
DEMO_SLUGS = ("goteborg", "sodra-vatterbygden", "sundsvall")
FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"

# username prefix -> (role, seat, is_chair, first name)
PERSONAS = {
    "kansli": (Role.KANSLI, "", False, "Kansli"),
    "ordforande": (Role.STYRELSE, Seat.LEDAMOT, True, "Ordförande"),
    "styrelse": (Role.STYRELSE, Seat.LEDAMOT, False, "Ledamot"),
    "ersattare": (Role.STYRELSE, Seat.ERSATTARE, False, "Ersättare"),
    "revisor": (Role.REVISOR, "", False, "Revisor"),
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


def _put(model, written: list, *, defaults: dict, **lookup):
    """The row of lookup with defaults, created or updated only where it differs; what was
    written is noted in written, so a second load writes nothing and records nothing."""
    row = model.objects.filter(**lookup).first()
    if row is None:
        row = model.objects.create(**lookup, **defaults)
        written.append(f"{model._meta.verbose_name} {row}")
        return row
    differs = [name for name, value in defaults.items() if getattr(row, name) != value]
    if differs:
        for name in differs:
            setattr(row, name, defaults[name])
        row.save(update_fields=differs)
        written.append(f"{model._meta.verbose_name} {row}")
    return row


def load_forbund(data: dict) -> Forbund:
    info = data["forbund"]
    written: list[str] = []
    forbund = _put(
        Forbund,
        written,
        slug=info["slug"],
        # The demo's people try the product without a second factor; the förbund's settings
        # turn the requirement on (a new förbund has it for the kansli and the chair).
        defaults={"mfa_required_for": []} | {k: v for k, v in info.items() if k != "slug"},
    )
    for row in data["medlemmar"]:
        medlem = _put(
            Medlem,
            written,
            forbund=forbund,
            name=row["name"],
            defaults={"kind": row["kind"], "order": row["order"]},
        )
        for year, basis in row.get("fordelningstal", {}).items():
            _put(
                Fordelningstal,
                written,
                medlem=medlem,
                year=int(year),
                defaults={
                    "invanare": basis.get("invanare"),
                    "avtalad_andel": Decimal(basis["avtalad_andel"])
                    if "avtalad_andel" in basis
                    else None,
                },
            )
    if written:
        # Members and fördelningstal carry the plans' figures: the change is counted like any.
        audit_record(
            forbund=forbund,
            actor=None,
            action="demo.load",
            obj=forbund,
            summary=f"Läste in demodata för {forbund.name}",
            changes={"rader": written[:50]},
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


def load_admin() -> None:
    _user("admin", "System", "Administratör", is_staff=True, is_superuser=True)
