"""Pages of the plan as a document: reading it, its sections, comments and the årshjul."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from finsam.actions import run_and_return
from finsam.nav import nav
from finsam.saving import save_form
from finsam.tenancy import get_plan_for_user
from plans import services, views_review
from plans.document import outline, section_bodies
from plans.forms import ArshjulEventForm, SectionForm
from plans.models import Comment, Plan
from plans.views import PLAN_PAGES


@login_required
@nav("dokument")
def plan_document(request, slug: str, pk: int):
    """The whole plan as the board reads it, with comments per section."""
    access, plan = get_plan_for_user(request, slug, pk)
    threads = comment_threads(plan.comments.all())
    # The sections' content as kept for every reader (plans.document.section_bodies); their
    # headings, contents list and comments are this page's own.
    sections = list(plan.sections.all())
    context = {"plan": plan, "forbund": plan.forbund, "sections": sections}
    context["toc"] = outline(plan, sections)
    bodies = section_bodies(plan, sections, kansli=access.is_kansli)
    by_section: dict[int | None, list] = {}
    for thread in threads:
        by_section.setdefault(thread.section_id, []).append(thread)
    for section in sections:
        section.comment_list = by_section.get(section.pk, [])
        section.body_html = bodies.get(section.pk, "")
    # Earlier versions' comments stay readable while the next version is worked on.
    earlier = list(
        Plan.objects.for_forbund(access.forbund)
        .filter(budget_year=plan.budget_year, version__lt=plan.version)
        .order_by("-version")
    )
    earlier_threads: dict[int, list] = {}
    if earlier:
        for thread in comment_threads(Comment.objects.filter(plan__in=earlier)):
            earlier_threads.setdefault(thread.plan_id, []).append(thread)
    context.update(
        {
            "access": access,
            "earlier_threads": [(v, earlier_threads.get(v.pk, [])) for v in earlier],
            "plan_comments": by_section.get(None, []),
            "can_comment": not plan.is_adopted and (access.is_kansli or access.is_styrelse),
            "editable": False,
            "can_edit": access.is_kansli and plan.is_editable,
        }
    )
    return render(request, "plans/document.html", context)


def comment_threads(comments) -> list:
    """Each thread's first comment with its replies (thread.reply_list), in order."""
    comments = list(comments.select_related("author", "resolved_by", "section"))
    roots = [c for c in comments if c.parent_id is None]
    replies: dict[int, list] = {}
    for comment in comments:
        if comment.parent_id is not None:
            replies.setdefault(comment.parent_id, []).append(comment)
    for root in roots:
        root.reply_list = replies.get(root.pk, [])
    return roots


@require_POST
@login_required
def comment_resolve(request, slug: str, pk: int, comment_pk: int):
    return views_review.comment_resolve(PLAN_PAGES, request, comment_pk, slug=slug, pk=pk)


def _section_form_page(request, access, plan, section=None):
    form = SectionForm(request.POST or None, instance=section, plan=plan)
    document = reverse("plan_document", args=[plan.forbund.slug, plan.pk])
    if request.method == "POST" and form.is_valid():
        response = save_form(
            request,
            form,
            lambda: services.section_save(
                section=form.instance, acting_user=request.user, data=form.changes()
            ),
            done=lambda saved: f"Avsnittet {saved.title} är sparat.",
            to=lambda saved: f"{document}#avsnitt-{saved.pk}",
            already_to=document,
        )
        if response:
            return response
    return render(
        request,
        "plans/section_form.html",
        {
            "access": access,
            "forbund": access.forbund,
            "plan": plan,
            "form": form,
            "section": section,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@nav("dokument")
def section_create(request, slug: str, pk: int):
    access, plan = get_plan_for_user(request, slug, pk, need="edit")
    return _section_form_page(request, access, plan)


@login_required
@nav("dokument")
def section_edit(request, slug: str, pk: int, section_pk: int):
    access, plan = get_plan_for_user(request, slug, pk, need="edit")
    return _section_form_page(
        request, access, plan, get_object_or_404(plan.sections, pk=section_pk)
    )


@require_POST
@login_required
def section_delete(request, slug: str, pk: int, section_pk: int):
    access, plan = get_plan_for_user(request, slug, pk, need="edit")
    section = get_object_or_404(plan.sections, pk=section_pk)
    return run_and_return(
        request,
        lambda: services.section_delete(section=section, acting_user=request.user),
        done=f"Avsnittet {section.title} är borttaget.",
        to=reverse("plan_document", args=[slug, pk]),
    )


@require_POST
@login_required
def section_move(request, slug: str, pk: int, section_pk: int):
    access, plan = get_plan_for_user(request, slug, pk, need="edit")
    section = get_object_or_404(plan.sections, pk=section_pk)
    direction = {"upp": -1, "ned": 1}.get(request.POST.get("direction", ""), 0)
    return run_and_return(
        request,
        lambda: services.section_move(
            section=section, acting_user=request.user, direction=direction
        ),
        done="",
        to=reverse("plan_document", args=[slug, pk]) + f"#avsnitt-{section.pk}",
    )


@require_POST
@login_required
def comment_create(request, slug: str, pk: int):
    return views_review.comment_create(PLAN_PAGES, request, slug=slug, pk=pk)


@login_required
@nav("arshjul")
def plan_arshjul(request, slug: str, pk: int):
    """The plan year's meetings and deadlines; kansli adds and removes them in a draft."""
    need = "edit" if request.method == "POST" else "view"
    access, plan = get_plan_for_user(request, slug, pk, need=need)
    form = ArshjulEventForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            services.arshjul_event_save(event=form.instance, acting_user=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Händelsen är tillagd i årshjulet.")
            return redirect("plan_arshjul", slug=slug, pk=pk)
    return render(
        request,
        "plans/arshjul.html",
        {
            "access": access,
            "forbund": access.forbund,
            "plan": plan,
            "events": list(plan.arshjul.all()),
            "form": form,
            "editable": access.is_kansli and plan.is_editable,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@login_required
def arshjul_delete(request, slug: str, pk: int, event_pk: int):
    access, plan = get_plan_for_user(request, slug, pk, need="edit")
    event = get_object_or_404(plan.arshjul, pk=event_pk)
    return run_and_return(
        request,
        lambda: services.arshjul_event_delete(event=event, acting_user=request.user),
        done="",
        to=reverse("plan_arshjul", args=[slug, pk]),
    )
