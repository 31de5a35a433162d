"""The archive: PDFs, the auditors' page, a plan's history and what changed between versions."""

from __future__ import annotations

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from finsam import ratelimit
from finsam.audit import events_page
from finsam.models import AuditEvent
from finsam.nav import nav
from finsam.tenancy import get_forbund_for_user, get_plan_for_user
from plans import services
from plans.diff import budget_changes, figure_changes, section_changes
from plans.models import PdfKind, PdfStatus, Plan, PlanPdf, PlanStatus, ReviewedDocument


@require_POST
@login_required
def pdf_request(request, slug: str, pk: int):
    """Queue a watermarked draft PDF (or show the one that still shows the plan); the page
    then shows it being prepared."""
    access, plan = get_plan_for_user(request, slug, pk)
    if plan.is_adopted:
        messages.info(request, "Den antagna planens arkiverade pdf finns under Arkiv.")
        return redirect("plan_detail", slug=slug, pk=pk)
    pdf = services.reusable_draft_pdf(plan)
    if pdf is not None:
        messages.info(
            request,
            "Pdf:en av utkastet förbereds redan."
            if pdf.is_queued
            else "Inget har ändrats sedan den senaste pdf:en av utkastet gjordes; här är den.",
        )
    else:
        # Only a new rendering counts against the person's limit.
        if (answer := ratelimit.refused(request, "pdf")) is not None:
            return answer
        pdf = services.pdf_request(plan=plan, acting_user=request.user)
    return redirect("pdf_status", slug=slug, pk=pk, pdf_pk=pdf.pk)


@login_required
@nav("oversikt")
def pdf_status(request, slug: str, pk: int, pdf_pk: int):
    """Whether a PDF is ready; htmx polls the status part until it is."""
    access, plan = get_plan_for_user(request, slug, pk)
    pdf = get_object_or_404(plan.pdfs, pk=pdf_pk)
    template = "plans/pdf_status.html"
    if request.htmx:
        template += "#status"
    return render(
        request,
        template,
        {"access": access, "forbund": access.forbund, "plan": plan, "pdf": pdf},
    )


@login_required
def pdf_download(request, slug: str, pk: int, pdf_pk: int):
    """The stored file, byte for byte; nothing is ever rendered here."""
    access, plan = get_plan_for_user(request, slug, pk)
    return archived_file(request, get_object_or_404(plan.pdfs, pk=pdf_pk))


def archived_file(request, pdf) -> FileResponse:
    """A stored PDF of any reviewed document (plans.models.ArchivedPdf), byte for byte, with its
    checksum; ?visa=1 shows it in the browser instead of saving it."""
    if pdf.status != PdfStatus.KLAR or not pdf.file:
        raise Http404("Filen är inte klar ännu.")
    response = FileResponse(
        pdf.file.open("rb"),
        content_type="application/pdf",
        as_attachment=request.GET.get("visa") != "1",
        filename=pdf.file.name.rsplit("/", 1)[-1],
    )
    response["X-Checksum-SHA256"] = pdf.sha256
    return response


def documents_following(access, plans) -> dict[int, list]:
    """The adopted documents that follow each plan (the reports of its year: any reviewed
    document with a `plan`) that the person may read, each with its archived PDF as
    .archived_pdf; one query a kind."""
    out: dict[int, list] = {}
    for model in apps.get_models():
        if not issubclass(model, ReviewedDocument) or model is Plan:
            continue
        documents = model.objects.filter(plan__in=plans, status=PlanStatus.ANTAGEN)
        if access.reads_decided_only:
            documents = access.decided(documents)
        for doc in (
            documents.select_related("adopted_by", "forbund", "revises")
            .prefetch_related("pdfs")
            .order_by("meeting_date", "pk")
        ):
            doc.archived_pdf = next(iter(doc.pdfs.all()), None)
            out.setdefault(doc.plan_id, []).append(doc)
    return out


@login_required
@nav("arkiv")
def archive(request, slug: str):
    """For revisorer: every adopted plan and revision, with decision, checksum and download."""
    access = get_forbund_for_user(request, slug, decided=True)
    plans = list(
        access.plans(Plan.objects.for_forbund(access.forbund))
        .adopted()
        .select_related("adopted_by", "revises")
        .order_by("-budget_year", "-version")
    )
    pdfs = {p.plan_id: p for p in PlanPdf.objects.filter(plan__in=plans, kind=PdfKind.ANTAGEN)}
    following = documents_following(access, plans)
    for plan in plans:
        plan.archived_pdf = pdfs.get(plan.pk)
        plan.following = following.get(plan.pk, [])
    return render(
        request,
        "plans/archive.html",
        {"access": access, "forbund": access.forbund, "plans": plans},
    )


@login_required
@nav("historik")
def plan_history(request, slug: str, pk: int):
    """Who changed what in the plan, and when, from the audit records."""
    access, plan = get_plan_for_user(request, slug, pk)
    events = events_page(
        AuditEvent.objects.filter(forbund=access.forbund, scope=f"plan:{plan.pk}"),
        request.GET.get("sida"),
        unit=access.forbund.amount_unit,
    )
    return render(
        request,
        "plans/history.html",
        {"access": access, "forbund": access.forbund, "plan": plan, "events": events},
    )


@login_required
@nav("versioner")
def plan_versions(request, slug: str, pk: int):
    """The versions of the plan's budget year and what changed from the version it revises."""
    access, plan = get_plan_for_user(request, slug, pk)
    versions = list(
        access.plans(Plan.objects.for_forbund(access.forbund))
        .filter(budget_year=plan.budget_year)
        .order_by("version")
    )
    previous = plan.revises
    context = {
        "access": access,
        "forbund": access.forbund,
        "plan": plan,
        "versions": versions,
        "previous": previous,
    }
    if previous is not None:
        context["budget_changes"] = budget_changes(previous, plan)
        context["section_changes"] = section_changes(previous, plan)
        context["figure_changes"] = figure_changes(previous, plan)
    return render(request, "plans/versions.html", context)
