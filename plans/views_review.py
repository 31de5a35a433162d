"""The review's pages for any reviewed document (plans.models.ReviewedDocument): submit it,
send it back, take a board member's stand, and record the decision. A kind of document gives
its lookup and its page's name (Pages); the plan's views and the delårsrapport's call these.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from plans import workflow
from plans.forms import AdoptForm, CommentForm, ReturnForm, ReviewForm
from plans.models import ReviewedDocument
from plans.workflow import PlanHasErrors


@dataclass(frozen=True)
class Pages:
    """How a kind of reviewed document is found for a request, and where its pages are."""

    # (request, need, **url kwargs) -> (access, document); 404/403 as the lookup decides.
    lookup: Callable
    # The document's own page (its status, the review, the decision) by URL name.
    detail: str
    # Where the document's text and its comment threads are read (the anchors #avsnitt-N and
    # #kommentar-N point into it).
    comments_page: Callable[[ReviewedDocument], str]
    # The empty texts a decision page names (section titles).
    empty_sections: Callable[[ReviewedDocument], list[str]]


def _to_detail(pages: Pages, kwargs: dict):
    return redirect(pages.detail, **kwargs)


def error_redirect(request, doc: ReviewedDocument, error: ValidationError, to: str, kwargs: dict):
    """Back to the document's page with the refusal said (its fel listed)."""
    if isinstance(error, PlanHasErrors):
        messages.error(
            request,
            f"{doc.noun.capitalize()} har fel som måste rättas först: " + " ".join(error.messages),
        )
    else:
        messages.error(request, " ".join(error.messages))
    return redirect(to, **kwargs)


def review_context(
    request, access, doc: ReviewedDocument, *, review_form=None, return_form=None
) -> dict:
    """The review's part of a document's page: this round's stands, the quorum, the forms, the
    open threads, the återremiss being worked on, and what changed since your last review."""
    approvals = list(doc.approvals.filter(round=doc.submission_round).select_related("user"))
    mine = next((a for a in approvals if a.user_id == request.user.pk), None)
    approved, total, needed = workflow.quorum(doc)
    threads = list(doc.comments.filter(parent__isnull=True).select_related("author", "section"))
    returned = None
    if doc.is_editable and doc.submission_round:
        returned = next(
            (c for c in reversed(threads) if c.is_return and c.round == doc.submission_round),
            None,
        )
    return {
        "approvals": approvals,
        "my_approval": mine,
        "quorum": {"approved": approved, "total": total, "needed": needed},
        "review_form": review_form
        or ReviewForm(initial={"decision": getattr(mine, "decision", None)}),
        "return_form": return_form or ReturnForm(noun=doc.noun),
        "may_adopt": workflow.may_record_adoption(request.user, doc),
        "open_threads": [c for c in threads if c.resolved_at is None],
        "returned": returned,
        "since": workflow.changes_since_last_review(doc, request.user)
        if doc.is_submitted and access.is_styrelse
        else None,
    }


def submit(pages: Pages, request, **kwargs):
    _, doc = pages.lookup(request, "manage", **kwargs)
    try:
        workflow.submit(doc=doc, acting_user=request.user)
    except ValidationError as error:
        return error_redirect(request, doc, error, pages.detail, kwargs)
    messages.success(request, f"{doc.noun.capitalize()} är inlämnad till styrelsen för granskning.")
    return _to_detail(pages, kwargs)


def _refused_beside_the_field(request, what: str) -> None:
    """The banner of a form shown again with its message beside the field, far down the page."""
    messages.error(request, f"{what} registrerades inte: se meddelandet vid formuläret nedan.")


def send_back(pages: Pages, request, render_detail: Callable, **kwargs):
    """Återremiss with a reason; without one the form is shown again on the document's page."""
    access, doc = pages.lookup(request, "view", **kwargs)
    form = ReturnForm(request.POST, noun=doc.noun)
    if not form.is_valid():
        _refused_beside_the_field(request, "Återremissen")
        return render_detail(request, access, doc, return_form=form, status=400)
    try:
        workflow.send_back(doc=doc, acting_user=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        return error_redirect(request, doc, error, pages.detail, kwargs)
    messages.success(request, f"{doc.noun.capitalize()} är återremitterad och är ett utkast igen.")
    return _to_detail(pages, kwargs)


def review(pages: Pages, request, render_detail: Callable, **kwargs):
    """A board member's stand; an invalid form is shown again on the document's page (400)."""
    access, doc = pages.lookup(request, "review", **kwargs)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            workflow.review(
                doc=doc,
                acting_user=request.user,
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            if not (hasattr(error, "error_dict") and set(error.error_dict) <= set(form.fields)):
                return error_redirect(request, doc, error, pages.detail, kwargs)
            for field, errors in error.error_dict.items():
                form.add_error(field, errors)
        else:
            messages.success(request, "Ditt ställningstagande är registrerat.")
            return _to_detail(pages, kwargs)
    _refused_beside_the_field(request, "Ditt ställningstagande")
    return render_detail(request, access, doc, review_form=form, status=400)


def adopt(pages: Pages, request, **kwargs):
    """The page where the board's decision is recorded (date, §, attendance)."""
    access, doc = pages.lookup(request, "view", **kwargs)
    if not workflow.may_record_adoption(request.user, doc):
        raise PermissionDenied("Du får inte registrera styrelsens beslut i detta förbund.")
    if doc.is_adopted:
        messages.error(request, f"{doc.noun.capitalize()} är redan antagen ({doc.decision_text}).")
        return _to_detail(pages, kwargs)
    empty = pages.empty_sections(doc)
    # The meeting may have been held before a new board took office: every role in office
    # since the document was submitted is offered, and adopt checks it against the date.
    ledamoter, ersattare = workflow.board_since(
        doc, workflow.submitted_on(doc) or timezone.localdate()
    )
    requests, threads = workflow.objections(doc)
    form = AdoptForm(
        request.POST or None,
        empty_sections=empty,
        ledamoter=ledamoter,
        ersattare=ersattare,
        objections=(len(requests), len(threads)),
        unusual_date=doc.meeting_date_unusual,
        noun=doc.noun,
    )
    if request.method == "POST" and form.is_valid():
        try:
            workflow.adopt(doc=doc, acting_user=request.user, **form.decision())
        except ValidationError as error:
            if hasattr(error, "error_dict") and set(error.error_dict) <= set(form.fields):
                for field, errors in error.error_dict.items():
                    form.add_error(field, errors)
            else:
                form.add_error(None, error)
        else:
            messages.success(
                request,
                f"Beslutet är registrerat. {doc.noun.capitalize()} är antagen och låst; den "
                "arkiverade pdf:en förbereds.",
            )
            return _to_detail(pages, kwargs)
    approved, total, needed = workflow.quorum(doc)
    return render(
        request,
        "plans/document_adopt.html",
        {
            "access": access,
            "forbund": access.forbund,
            "plan": doc.review_plan,
            "doc": doc,
            "detail_url": reverse(pages.detail, kwargs=kwargs),
            "form": form,
            "quorum": {"approved": approved, "total": total, "needed": needed},
            "empty_sections": empty,
            "change_requests": requests,
            "open_threads": [(c, f"{pages.comments_page(doc)}#kommentar-{c.pk}") for c in threads],
        },
        status=400 if request.method == "POST" else 200,
    )


def comment_create(pages: Pages, request, **kwargs):
    """A remark on the document, one of its sections, or a reply in a thread."""
    _, doc = pages.lookup(request, "view", **kwargs)
    form = CommentForm(request.POST)
    anchor = ""
    if form.is_valid():
        section = None
        if form.cleaned_data["section"]:
            section = get_object_or_404(doc.sections, pk=form.cleaned_data["section"])
            anchor = f"#avsnitt-{section.pk}"
        parent = None
        if form.cleaned_data["parent"]:
            parent = get_object_or_404(doc.comments, pk=form.cleaned_data["parent"])
            anchor = f"#kommentar-{parent.parent_id or parent.pk}"
        try:
            comment = workflow.comment_add(
                doc=doc,
                acting_user=request.user,
                text=form.cleaned_data["text"],
                section=section,
                parent=parent,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            anchor = anchor or f"#kommentar-{comment.pk}"
            messages.success(request, "Kommentaren är sparad.")
    else:
        problem = form.errors.get("text")
        messages.error(
            request,
            f"Kommentaren sparades inte: {problem[0]}"
            if problem
            else "Kommentaren sparades inte: avsnittet eller tråden finns inte.",
        )
    return redirect(pages.comments_page(doc) + anchor)


def comment_resolve(pages: Pages, request, comment_pk: int, **kwargs):
    """Mark a thread resolved, or open it again."""
    _, doc = pages.lookup(request, "view", **kwargs)
    comment = get_object_or_404(doc.comments, pk=comment_pk)
    resolved = request.POST.get("resolved") != "0"
    try:
        workflow.comment_resolve(comment=comment, acting_user=request.user, resolved=resolved)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            "Kommentaren är markerad som löst." if resolved else "Kommentaren är öppen igen.",
        )
    return redirect(f"{pages.comments_page(doc)}#kommentar-{comment.pk}")
