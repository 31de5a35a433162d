"""Who may see and do what in which förbund.

Every view looks its objects up through one helper per object kind here. A förbund the user
holds no role in answers 404, exactly like one that does not exist, so nothing of förbund A can
be discovered from förbund B; a role that may look but not act answers 403.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from finsam.models import Forbund, Medlem, Membership, Role, Seat

# What each need asks of the user's roles in the förbund. "edit" of a plan, or of anything in
# it, also asks that the plan is a draft; "manage" is the kansli's work on a plan whatever its
# state (revising an adopted plan, carrying it forward, ordering its PDF).
NEEDS: dict[str, frozenset[str]] = {
    "view": frozenset({Role.KANSLI, Role.STYRELSE, Role.REVISOR}),
    "edit": frozenset({Role.KANSLI}),
    "manage": frozenset({Role.KANSLI}),
    "review": frozenset({Role.STYRELSE}),
    "audit": frozenset({Role.REVISOR, Role.KANSLI}),
}


@dataclass(frozen=True)
class Access:
    """The user's standing in one förbund: the förbund and the roles held there."""

    forbund: Forbund
    memberships: tuple[Membership, ...] = field(default_factory=tuple)

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(m.role for m in self.memberships)

    def can(self, need: str) -> bool:
        return bool(self.roles & NEEDS[need])

    @property
    def is_kansli(self) -> bool:
        return Role.KANSLI in self.roles

    @property
    def is_styrelse(self) -> bool:
        return Role.STYRELSE in self.roles

    @property
    def is_ledamot(self) -> bool:
        return any(m.role == Role.STYRELSE and m.seat == Seat.LEDAMOT for m in self.memberships)

    @property
    def is_chair(self) -> bool:
        return any(m.is_chair for m in self.memberships)


def user_memberships(request: HttpRequest) -> list[Membership]:
    """All the user's roles, with their förbund, fetched once per request."""
    cached = getattr(request, "_finsam_memberships", None)
    if cached is None:
        user = request.user
        cached = (
            list(Membership.objects.filter(user=user).select_related("forbund"))
            if user.is_authenticated
            else []
        )
        request._finsam_memberships = cached
    return cached


def get_forbund_for_user(request: HttpRequest, slug: str, need: str = "view") -> Access:
    """The förbund by slug with the user's roles in it: 404 if none, 403 if the need is unmet."""
    memberships = tuple(m for m in user_memberships(request) if m.forbund.slug == slug)
    if not memberships:
        raise Http404("Förbundet finns inte.")
    access = Access(forbund=memberships[0].forbund, memberships=memberships)
    if not access.can(need):
        raise PermissionDenied("Din roll i förbundet ger inte behörighet till detta.")
    return access


def get_plan_for_user(request: HttpRequest, slug: str, pk: int, need: str = "view"):
    """A plan of the user's förbund with the user's access: 404 for another förbund's plan,
    403 when the role does not meet the need, and PlanLocked for "edit" of a plan that is not
    a draft (plans' middleware answers it with the reason and the plan's page).

    The plan is reached through the förbund's plans, so this core module names no other app.
    """
    access = get_forbund_for_user(request, slug, need="view")
    plan = get_object_or_404(access.forbund.plans.select_related("forbund"), pk=pk)
    plan.forbund = access.forbund  # the same object, so its fields are read once
    if not access.can(need):
        raise PermissionDenied("Din roll i förbundet ger inte behörighet till detta.")
    if need == "edit":
        plan.ensure_editable()
    return access, plan


def get_medlem_for_user(
    request: HttpRequest, slug: str, pk: int, need: str = "edit"
) -> tuple[Access, Medlem]:
    """A member of the user's förbund; another förbund's member answers 404."""
    access = get_forbund_for_user(request, slug, need="view")
    medlem = get_object_or_404(Medlem.objects.for_forbund(access.forbund), pk=pk)
    if not access.can(need):
        raise PermissionDenied("Din roll i förbundet ger inte behörighet till detta.")
    return access, medlem
