"""The answer to a change that a plan refused because it is no longer a draft, and the pages a
change leaves rendered for the next reader."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import resolve_url
from django_htmx.http import HttpResponseClientRedirect

from budgets.kept import warm
from finsam.cache import after_answer
from plans.models import Plan, PlanLocked, PlanStatus
from plans.urls import P as PLAN_ROUTE


class PlanLockedMiddleware:
    """Turns PlanLocked, raised by the plan lookup or a service, into the reason and the plan.

    Every page that changes a plan asks for edit access (finsam.tenancy.get_plan_for_user), so
    no view catches PlanLocked itself: nothing was saved, and the user lands on the plan's page
    with the reason ("Planen är antagen …"). An htmx request (the editor's autosave in a tab
    opened before the plan was submitted) gets HX-Redirect: the browser loads the plan's page
    whole, instead of htmx swapping it into the editor.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, PlanLocked):
            return None
        messages.error(request, exception.messages[0])
        kwargs = request.resolver_match.kwargs if request.resolver_match else {}
        if "slug" in kwargs and "pk" in kwargs:
            to = resolve_url("plan_detail", slug=kwargs["slug"], pk=kwargs["pk"])
        else:
            to = resolve_url("start")
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(to)
        return HttpResponseRedirect(to)


class WarmAfterChangeMiddleware:
    """After the answer to a change of a plan (a post to any of its pages that was not
    refused), its pages' kept parts are rendered for the next reader (budgets.kept.warm), in
    this process and the shared cache; so a page read after a line, an insats, a section or a
    setting was saved is as fast as a warm one, as after the editor's own save. A change of the
    förbund's settings or members warms its drafts. The writer's answer does not wait for it
    (finsam.cache.after_answer)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = request.resolver_match
        if not settings.FINSAM_WARM_AFTER_CHANGE:
            return response
        if request.method in ("GET", "HEAD", "OPTIONS") or response.status_code >= 400:
            return response
        if not request.user.is_authenticated:
            return response  # a post refused to the anonymous (to the login) changed nothing
        if request.htmx and match is not None and match.url_name == "budget_editor":
            # The autosave's own answer carries what changed on the writer's page; the worker
            # is left free for the next cell (warming the plan's pages at 3 200 lines takes
            # longer than a person takes to type the next figure).
            return response
        if match is None or not match.route.startswith("f/<slug:slug>/"):
            return response
        slug = match.kwargs.get("slug")
        if match.route.startswith(PLAN_ROUTE):
            plans = Plan.objects.filter(forbund__slug=slug, pk=match.kwargs.get("pk"))
        else:
            plans = Plan.objects.filter(forbund__slug=slug, status=PlanStatus.UTKAST)
        after_answer(lambda: _warm_all(plans))
        return response


def _warm_all(plans) -> None:
    for plan in plans.select_related("forbund")[:3]:
        warm(plan)
