"""The answer to a change that a plan refused because it is no longer a draft."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import resolve_url
from django_htmx.http import HttpResponseClientRedirect

from plans.models import PlanLocked


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
