"""Generates a large förbund for the benchmark: many kommuner, lines and years."""

from __future__ import annotations

from decimal import Decimal

from budgets import services
from budgets.models import BudgetCategory
from finsam.models import Forbund, Fordelningstal, Medlem, Membership
from plans import services as plan_services


def large_forbund(*, kommuner: int, lines: int, years: int, user) -> tuple[Forbund, object]:
    """A förbund with the given number of kommuner and a plan of `lines` lines over `years`."""
    slug = f"bench-{kommuner}-{lines}-{years}"
    Forbund.objects.filter(slug=slug).delete()
    forbund = Forbund.objects.create(name=f"Bänkförbundet {slug}", slug=slug, amount_unit="tkr")
    Medlem.objects.create(forbund=forbund, name="Försäkringskassan", kind="fk", order=1)
    Medlem.objects.create(forbund=forbund, name="Arbetsförmedlingen", kind="af", order=2)
    Medlem.objects.create(forbund=forbund, name="Region Bänk", kind="region", order=3)
    plan = plan_services.plan_create(
        forbund=forbund,
        acting_user=user,
        budget_year=2027,
        plan_years=years,
        opening_equity=Decimal(5_000_000),
    )
    for i in range(kommuner):
        kommun = Medlem.objects.create(
            forbund=forbund, name=f"Kommun {i + 1}", kind="kommun", order=10 + i
        )
        Fordelningstal.objects.bulk_create(
            Fordelningstal(medlem=kommun, year=y, invanare=5_000 + 1_000 * i) for y in plan.years
        )
    Membership.objects.create(user=user, forbund=forbund, role="kansli")
    categories = list(BudgetCategory.objects.filter(group__forbund=forbund))
    for i in range(lines):
        services.budget_line_create(
            plan=plan,
            acting_user=user,
            category=categories[i % len(categories)],
            name=f"Rad {i + 1}",
            amounts={(y, "budget"): Decimal(10_000 * ((i % 37) + 1)) for y in plan.years},
        )
    services.budget_figures_set(
        plan=plan,
        acting_user=user,
        medlemsbidrag={(y, "budget"): Decimal(40_000_000) for y in plan.years},
    )
    return forbund, plan
