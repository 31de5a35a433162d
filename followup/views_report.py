"""The delårsrapporter of a followed year: the report's page (its text and its figures, live
while it is a draft, frozen once submitted). The kansli writes; the styrelse reviews and adopts;
a former board member reads the adopted ones; another förbund's report answers 404."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from finsam import ratelimit
from finsam.forms import OwnedModelForm
from finsam.nav import nav
from finsam.saving import SafeFormMixin, save_form
from finsam.tenancy import get_forbund_for_user
from followup import services_report
from followup.access import get_year_for_user
from followup.compute import MONTH_NAMES
from followup.models import Delarsrapport, ReportSection
from followup.reports import (
    changed_cells,
    report_html,
    report_tables,
    revision_changes,
    shown_data,
)
from plans import views_review
from plans.forms import MARKUP_HELP, CommentForm, SectionTextForm
from plans.models import PlanStatus
from plans.views_archive import archived_file
from plans.views_excel import pdf_response


class ReportSectionForm(SectionTextForm, SafeFormMixin, OwnedModelForm):
    """A report's section: its heading and its text, written as a plan's section is."""

    class Meta:
        model = ReportSection
        fields = ["title", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 14})}
        help_texts = {"body": MARKUP_HELP}

    def __init__(self, *args, report, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.report = report


def _lookup(request, need: str, slug: str, year: int, pk: int):
    """The förbund's report of the year with the user's access; one whose board role has ended
    reads the reports adopted while they sat (as the plans they decided); another förbund's
    answers 404."""
    if need == "view":
        access = get_forbund_for_user(request, slug, need="view", decided=True)
    else:
        access, _ = get_year_for_user(request, slug, year, need=need)
    reports = Delarsrapport.objects.filter(forbund=access.forbund, year=year)
    if access.reads_decided_only:
        reports = access.decided(reports)
    report = get_object_or_404(reports.select_related("plan", "prognos"), pk=pk)
    report.forbund = access.forbund
    return access, report


@login_required
@nav("uppfoljning")
def report_page(request, slug: str, year: int, pk: int):
    access, report = _lookup(request, "view", slug, year, pk)
    return _report_page(request, access, report)


REPORT_PAGES = views_review.Pages(
    lookup=_lookup,
    detail="delarsrapport",
    comments_page=lambda report: reverse(
        "delarsrapport", args=[report.forbund.slug, report.year, report.pk]
    ),
    empty_sections=lambda report: [s.title for s in report.sections.all() if not s.body.strip()],
)


def _changes(since, revision) -> list[dict]:
    """What changed since the board member's last review, and against the corrected version."""
    out = []
    if since:
        label, figures, texts = since
        out.append(
            {
                "id": "sedan-rubrik",
                "heading": f"Ändrat sedan din granskning i omgång {label}",
                "figures": changed_cells(figures),
                "texts": texts,
            }
        )
    if revision:
        version, figures, texts = revision
        out.append(
            {
                "id": "rattat-rubrik",
                "heading": f"Ändrat mot version {version}",
                "figures": figures,
                "texts": texts,
            }
        )
    return out


def _report_page(request, access, report, *, review_form=None, return_form=None, status=200):
    data = shown_data(report)
    threads = list(
        report.comments.filter(parent__isnull=True)
        .select_related("author", "section")
        .prefetch_related("replies__author")
    )
    review = views_review.review_context(
        request, access, report, review_form=review_form, return_form=return_form
    )
    return render(
        request,
        "followup/delarsrapport.html",
        {
            "access": access,
            "forbund": access.forbund,
            "plan": report.plan,
            "year": report.year,
            "unit": data["unit"],
            "heading": report.title,
            "report": report,
            "data": data,
            "sections": list(report.sections.all()),
            "threads": threads,
            "comment_form": CommentForm(),
            "versions": list(
                Delarsrapport.objects.filter(
                    forbund=report.forbund, year=report.year, month=report.month
                ).order_by("version")
            ),
            "archived_pdf": report.pdfs.first(),
            **review,
            "changes": _changes(review["since"], revision_changes(report, data)),
            **report_tables(data),
        },
        status=status,
    )


@require_POST
@login_required
def report_submit(request, slug: str, year: int, pk: int):
    return views_review.submit(REPORT_PAGES, request, slug=slug, year=year, pk=pk)


@require_POST
@login_required
def report_return(request, slug: str, year: int, pk: int):
    return views_review.send_back(REPORT_PAGES, request, _report_page, slug=slug, year=year, pk=pk)


@require_POST
@login_required
@nav("uppfoljning")
def report_review(request, slug: str, year: int, pk: int):
    return views_review.review(REPORT_PAGES, request, _report_page, slug=slug, year=year, pk=pk)


@login_required
@nav("uppfoljning")
def report_adopt(request, slug: str, year: int, pk: int):
    return views_review.adopt(REPORT_PAGES, request, slug=slug, year=year, pk=pk)


@require_POST
@login_required
def report_comment(request, slug: str, year: int, pk: int):
    return views_review.comment_create(REPORT_PAGES, request, slug=slug, year=year, pk=pk)


@require_POST
@login_required
def report_comment_resolve(request, slug: str, year: int, pk: int, comment_pk: int):
    return views_review.comment_resolve(
        REPORT_PAGES, request, comment_pk, slug=slug, year=year, pk=pk
    )


@require_POST
@login_required
def report_revise_view(request, slug: str, year: int, pk: int):
    access, report = _lookup(request, "manage", slug, year, pk)
    try:
        draft = services_report.report_revise(report=report, acting_user=request.user)
    except ValidationError as error:
        return views_review.error_redirect(
            request, report, error, "delarsrapport", {"slug": slug, "year": year, "pk": pk}
        )
    messages.success(
        request,
        f"Version {draft.version} är skapad som utkast. Den antagna rapporten är oförändrad.",
    )
    return redirect("delarsrapport", slug=slug, year=year, pk=draft.pk)


@login_required
def report_draft_pdf(request, slug: str, year: int, pk: int):
    """The report as it stands, as a PDF marked as not adopted: what the board reads before it
    decides (an adopted report's PDF is only ever the archived one)."""
    _, report = _lookup(request, "view", slug, year, pk)
    if report.is_adopted:
        return redirect("delarsrapport_pdf", slug=slug, year=year, pk=pk)
    if (answer := ratelimit.refused(request, "pdf")) is not None:
        return answer
    name = f"{report.forbund.slug}-delarsrapport-{year}-{report.month:02d}-v{report.version}-utkast"
    return pdf_response(report_html(report), f"{name}.pdf")


@login_required
def report_pdf(request, slug: str, year: int, pk: int):
    """The adopted report's archived PDF/A, byte for byte."""
    _, report = _lookup(request, "view", slug, year, pk)
    return archived_file(request, get_object_or_404(report.pdfs))


class CreateForm(forms.Form):
    month = forms.TypedChoiceField(
        label="Per utgången av",
        coerce=int,
        choices=[(m, MONTH_NAMES[m - 1]) for m in range(1, 13)],
        initial=8,
        error_messages={"invalid_choice": "Välj en månad."},
    )


@login_required
@nav("uppfoljning")
def report_list(request, slug: str, year: int):
    """The year's delårsrapporter, and a new one (the kansli)."""
    access, plan = get_year_for_user(request, slug, year, need="view")
    form = CreateForm(request.POST or None)
    if request.method == "POST":
        if not access.can("manage"):
            raise PermissionDenied("Bara kansliet gör en delårsrapport.")
        if form.is_valid():
            try:
                report = services_report.report_create(
                    forbund=access.forbund,
                    year=year,
                    month=form.cleaned_data["month"],
                    acting_user=request.user,
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errors in error.error_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, error)
            else:
                messages.success(request, f"{report.title} är skapad som utkast.")
                return redirect("delarsrapport", slug=slug, year=year, pk=report.pk)
    reports = Delarsrapport.objects.filter(forbund=access.forbund, year=year)
    if access.reads_decided_only:
        reports = reports.filter(status=PlanStatus.ANTAGEN)
    return render(
        request,
        "followup/delarsrapporter.html",
        {
            "access": access,
            "forbund": access.forbund,
            "plan": plan,
            "year": year,
            "heading": f"Delårsrapporter {year}",
            "reports": list(reports.order_by("month", "version")),
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@nav("uppfoljning")
def report_section_edit(request, slug: str, year: int, pk: int, section_pk: int):
    """A section of a draft report: its heading and text (a stale form is a conflict)."""
    access, report = _lookup(request, "manage", slug, year, pk)
    section = get_object_or_404(report.sections, pk=section_pk)
    to = reverse("delarsrapport", args=[slug, year, pk]) + f"#avsnitt-{section.pk}"
    try:
        report.ensure_editable()
    except ValidationError as error:  # submitted or adopted: said before anything is typed
        messages.error(request, " ".join(error.messages))
        return redirect(to)
    form = ReportSectionForm(request.POST or None, instance=section, report=report)
    if request.method == "POST" and form.is_valid():
        response = save_form(
            request,
            form,
            lambda: services_report.report_section_save(
                section=section, acting_user=request.user, data=form.changes()
            ),
            done=lambda saved: f"Avsnittet {saved.title} är sparat.",
            to=lambda _: to,
            already_to=to,
        )
        if response:
            return response
    return render(
        request,
        "followup/delarsrapport_avsnitt.html",
        {
            "access": access,
            "forbund": access.forbund,
            "plan": report.plan,
            "year": year,
            "heading": f"{section.title} – {report.title}",
            "report": report,
            "section": section,
            "form": form,
            "back": to,
        },
        status=400 if request.method == "POST" else 200,
    )
