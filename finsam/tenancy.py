"""Who may see and do what in which förbund.

Every view looks its objects up through one helper per object kind here. A förbund the user
holds no role in answers 404, exactly like one that does not exist, so nothing of förbund A can
be discovered from förbund B; a role that may look but not act answers 403.

A role counts in its period (DOMAIN.md §1: a former member keeps no right to act). A role that
has not begun yet lets its holder read the förbund's plans to prepare, nothing more. A role that
has ended gives nothing, except that where the förbund keeps it (past_board_keeps_read) a former
board member reads the plans adopted while they sat, and no other plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone

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
    """The user's standing in one förbund: the förbund and the roles held there, in any period.

    Rights come from the roles held today; a coming role reads; an ended board role may read
    the plans adopted in its period (reads_decided_only)."""

    forbund: Forbund
    memberships: tuple[Membership, ...] = field(default_factory=tuple)
    today: date = field(default_factory=timezone.localdate)

    @cached_property
    def current(self) -> tuple[Membership, ...]:
        return tuple(m for m in self.memberships if m.is_active_on(self.today))

    @cached_property
    def coming(self) -> tuple[Membership, ...]:
        return tuple(m for m in self.memberships if m.starts_on and m.starts_on > self.today)

    @cached_property
    def past_board(self) -> tuple[Membership, ...]:
        """The ended board roles whose decisions the person may still read."""
        if not self.forbund.past_board_keeps_read:
            return ()
        return tuple(
            m
            for m in self.memberships
            if m.role == Role.STYRELSE and m.ends_on and m.ends_on < self.today
        )

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(m.role for m in self.current)

    def can(self, need: str) -> bool:
        if self.roles & NEEDS[need]:
            return True
        return need == "view" and bool(self.coming)

    @property
    def is_current(self) -> bool:
        return bool(self.current)

    @property
    def reads_decided_only(self) -> bool:
        """Only a former board member's reading of what they decided is left."""
        return not self.can("view") and bool(self.past_board)

    @property
    def has_any(self) -> bool:
        """Anything left in the förbund: a current or coming role, or the reading of decisions."""
        return self.can("view") or self.reads_decided_only

    @property
    def starts_on(self) -> date | None:
        """The first day of the person's first coming role, when none is current."""
        if self.current or not self.coming:
            return None
        return min(m.starts_on for m in self.coming)

    @property
    def ended_on(self) -> date | None:
        """The last day of the latest board role whose decisions are still readable."""
        if not self.reads_decided_only:
            return None
        return max(m.ends_on for m in self.past_board)

    @property
    def role_labels(self) -> list[str]:
        """The roles the person holds or will hold, or the ended ones that still read."""
        if self.current:
            return [m.role_label for m in self.current]
        return [f"{m.role_label} ({m.period_label})" for m in self.coming or self.past_board]

    @property
    def coming_role_words(self) -> str:
        """ "i styrelsen" or "som revisor": the banner's words for a role not begun."""
        if any(m.role == Role.STYRELSE for m in self.coming):
            return "i styrelsen"
        return f"som {self.coming[0].get_role_display().lower()}" if self.coming else ""

    def plans(self, plans: QuerySet | None = None) -> QuerySet:
        """The förbund's plans (or those of `plans`) this person may read: all of them for a
        current or coming role, the ones adopted within an ended board period otherwise."""
        plans = self.forbund.plans.all() if plans is None else plans
        if self.can("view"):
            return plans
        return self.decided(plans)

    def decided(self, documents: QuerySet) -> QuerySet:
        """Of the förbund's reviewed documents (plans, reports), those decided while this
        person sat on the board: adopted at a meeting within an ended board period."""
        if not self.past_board:
            return documents.none()
        within = Q()
        for m in self.past_board:
            period = Q(meeting_date__lte=m.ends_on)
            if m.starts_on:
                period &= Q(meeting_date__gte=m.starts_on)
            within |= period
        # "antagen": plans.models.PlanStatus.ANTAGEN, named here as this module names no app.
        return documents.filter(within, status="antagen")

    @property
    def is_kansli(self) -> bool:
        return Role.KANSLI in self.roles

    @property
    def is_styrelse(self) -> bool:
        return Role.STYRELSE in self.roles

    @property
    def is_ledamot(self) -> bool:
        return any(m.role == Role.STYRELSE and m.seat == Seat.LEDAMOT for m in self.current)

    @property
    def is_chair(self) -> bool:
        return any(m.is_chair for m in self.current)


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


def user_accesses(request: HttpRequest) -> list[Access]:
    """The user's standing in each förbund where anything is left, by förbund name."""
    by_forbund: dict[int, list[Membership]] = {}
    for m in user_memberships(request):
        by_forbund.setdefault(m.forbund_id, []).append(m)
    accesses = [Access(forbund=ms[0].forbund, memberships=tuple(ms)) for ms in by_forbund.values()]
    return sorted((a for a in accesses if a.has_any), key=lambda a: a.forbund.name)


def get_forbund_for_user(
    request: HttpRequest, slug: str, need: str = "view", *, decided: bool = False
) -> Access:
    """The förbund by slug with the user's roles in it: 404 if none is left, 403 if the need
    is unmet. decided: the page shows only what Access.plans lets through, so a former board
    member who reads what they decided may open it."""
    memberships = tuple(m for m in user_memberships(request) if m.forbund.slug == slug)
    access = (
        Access(forbund=memberships[0].forbund, memberships=memberships) if memberships else None
    )
    if access is None or not access.has_any:
        raise Http404("Förbundet finns inte.")
    if access.can(need) or (decided and need == "view" and access.reads_decided_only):
        return access
    raise PermissionDenied("Din roll i förbundet ger inte behörighet till detta.")


def get_plan_for_user(request: HttpRequest, slug: str, pk: int, need: str = "view"):
    """A plan of the user's förbund with the user's access: 404 for another förbund's plan
    (and, to a former board member, for a plan not adopted while they sat), 403 when the role
    does not meet the need, and PlanLocked for "edit" of a plan that is not a draft (plans'
    middleware answers it with the reason and the plan's page).

    The plan is reached through the förbund's plans, so this core module names no other app.
    """
    access = get_forbund_for_user(request, slug, need="view", decided=True)
    plan = get_object_or_404(access.plans().select_related("forbund"), pk=pk)
    plan.forbund = access.forbund  # the same object, so its fields are read once
    if not access.can(need) and not (need == "view" and access.reads_decided_only):
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
