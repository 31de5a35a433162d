"""The default budget groups and categories a förbund starts from (drawn from the seed plans)."""

from __future__ import annotations

from django.db import transaction

from budgets.models import BudgetCategory, BudgetGroup, ShareKind, Side, Statement
from finsam.models import Forbund

# (group name, side, share kind, is_insats, esf, [(category, statement), ...])
DEFAULT_GROUPS = [
    ("ESF-medel", Side.INTAKT, "", False, False, [("ESF-medel", Statement.VERKSAMHET)]),
    ("Övriga intäkter", Side.INTAKT, "", False, False, [("Övriga intäkter", Statement.VERKSAMHET)]),
    (
        "Finansiella intäkter",
        Side.INTAKT,
        "",
        False,
        False,
        [("Ränteintäkter", Statement.FINANSIELL)],
    ),
    (
        "Strukturövergripande insatser",
        Side.KOSTNAD,
        ShareKind.STRUKTUR,
        True,
        False,
        [("Strukturövergripande insatser", Statement.VERKSAMHET)],
    ),
    (
        "Individinriktade insatser",
        Side.KOSTNAD,
        ShareKind.INDIVID,
        True,
        False,
        [("Individinriktade insatser", Statement.VERKSAMHET)],
    ),
    (
        "ESF-projekt",
        Side.KOSTNAD,
        ShareKind.INDIVID,
        True,
        True,
        [("ESF-projekt", Statement.VERKSAMHET)],
    ),
    (
        "Förvaltning",
        Side.KOSTNAD,
        ShareKind.FORVALTNING,
        False,
        False,
        [
            ("Styrelse", Statement.VERKSAMHET),
            ("Revision", Statement.VERKSAMHET),
            ("Kansli", Statement.VERKSAMHET),
            ("Lokal", Statement.VERKSAMHET),
            ("Ekonomiadministration", Statement.VERKSAMHET),
            ("Reservation", Statement.VERKSAMHET),
        ],
    ),
    (
        "Finansiella kostnader",
        Side.KOSTNAD,
        ShareKind.OVRIGT,
        False,
        False,
        [("Finansiella kostnader", Statement.FINANSIELL)],
    ),
]


@transaction.atomic
def ensure_budget_groups(forbund: Forbund, groups=None) -> None:
    """Give a förbund the default groups when it has none; with `groups`, create those it lacks.

    A förbund that has set up groups of its own keeps them as they are: the defaults are only a
    starting point, never added beside a förbund's own structure.
    """
    if groups is None:
        if BudgetGroup.objects.filter(forbund=forbund).exists():
            return
        groups = DEFAULT_GROUPS
    for order, (name, side, share_kind, is_insats, esf, categories) in enumerate(groups, start=1):
        group, _ = BudgetGroup.objects.get_or_create(
            forbund=forbund,
            name=name,
            defaults={
                "side": side,
                "share_kind": share_kind,
                "is_insats": is_insats,
                "esf": esf,
                "order": order * 10,
            },
        )
        for cat_order, (cat_name, statement) in enumerate(categories, start=1):
            BudgetCategory.objects.get_or_create(
                group=group,
                name=cat_name,
                defaults={"statement": statement, "order": cat_order * 10},
            )
