"""The plan in Excel: the workbook download, the import into a draft and the audit of stated
figures (plans/excel/)."""

from __future__ import annotations

import secrets

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string

from finsam import ratelimit
from finsam.nav import nav
from finsam.tenancy import get_forbund_for_user, get_plan_for_user
from finsam.xlsx import MAX_FILE_BYTES
from plans.excel.audit import audit_workbook, report_workbook
from plans.excel.export import export_plan
from plans.excel.importer import ImportRefused, apply_import, prepare_import
from plans.excel.reader import ParsedBudget, Problem, from_session, read_upload, to_session
from plans.excel.template import template_workbook
from plans.pdf import html_to_pdf

SESSION_KEY = "excel_imports"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def pdf_response(html: str, filename: str) -> HttpResponse:
    """A document rendered in the request (a few pages: the audit report, a report's tables)
    as a PDF/A download."""
    content, _ = html_to_pdf(html)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def plan_filename(plan, suffix: str = "") -> str:
    return f"{plan.forbund.slug}-{plan.budget_year}-version-{plan.version}{suffix}.xlsx"


@login_required
def plan_excel(request, slug: str, pk: int):
    """The plan as a workbook with live formulas; an adopted plan's shows what was adopted."""
    access, plan = get_plan_for_user(request, slug, pk)
    if (answer := ratelimit.refused(request, "excel")) is not None:
        return answer
    return xlsx_response(export_plan(plan).save(), plan_filename(plan))


class UploadForm(forms.Form):
    fil = forms.FileField(
        label="Excel-fil (.xlsx)",
        help_text=f"Högst {MAX_FILE_BYTES // 1024 // 1024} MB.",
        error_messages={"required": "Välj en fil att läsa in.", "empty": "Filen är tom."},
    )


def _read(form: UploadForm):
    upload = form.cleaned_data["fil"]
    if upload.size > MAX_FILE_BYTES:
        return upload.name, ParsedBudget(
            problems=[
                Problem(
                    "Filen",
                    None,
                    None,
                    f"Filen är för stor; högst {MAX_FILE_BYTES // 1024 // 1024} MB kan läsas in.",
                )
            ],
            unreadable=True,
        )
    return upload.name, read_upload(upload.name, upload.read())


@login_required
def plan_excel_template(request, slug: str, pk: int):
    """The import template, pre-filled with the plan's groups, years and lines."""
    access, plan = get_plan_for_user(request, slug, pk)
    if (answer := ratelimit.refused(request, "excel")) is not None:
        return answer
    return xlsx_response(template_workbook(plan), plan_filename(plan, "-mall"))


@login_required
@nav("budget")
def plan_import(request, slug: str, pk: int):
    """Upload a workbook into a draft: a preview of every change, then confirm or not."""
    access, plan = get_plan_for_user(request, slug, pk, need="edit")
    context = {"access": access, "forbund": access.forbund, "plan": plan}
    status = 200
    if request.method == "POST" and (answer := ratelimit.refused(request, "excel")) is not None:
        return answer
    if request.method == "POST" and "token" in request.POST:
        stored = request.session.get(SESSION_KEY, {}).get(request.POST["token"])
        if stored is None or stored["plan"] != plan.pk:
            messages.error(request, "Förhandsgranskningen har gått ut; läs in filen igen.")
            return redirect("plan_import", slug=slug, pk=pk)
        parsed = from_session(stored["parsed"])
        try:
            preview = apply_import(
                plan=plan,
                parsed=parsed,
                acting_user=request.user,
                filename=stored["filename"],
                fingerprint=request.POST.get("fingerprint", ""),
            )
        except ImportRefused as refused:
            context.update(
                preview=prepare_import(plan, parsed),
                refused=str(refused),
                filename=stored["filename"],
                token=request.POST["token"],
            )
            return render(request, "plans/import.html", context, status=409)
        request.session[SESSION_KEY].pop(request.POST["token"], None)
        request.session.modified = True
        messages.success(
            request,
            f"Läste in {stored['filename']}: {len(preview.added)} nya rader, "
            f"{len(preview.changed)} ändrade, {len(preview.removed)} borttagna.",
        )
        return redirect("budget_editor", slug=slug, pk=pk)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            filename, parsed = _read(form)
            preview = prepare_import(plan, parsed)
            context.update(preview=preview, filename=filename)
            if not preview.problems and preview.has_changes:
                token = secrets.token_urlsafe(16)
                # One pending import per plan and person: a new upload replaces the last.
                pending = {
                    k: v
                    for k, v in request.session.get(SESSION_KEY, {}).items()
                    if v["plan"] != plan.pk
                }
                pending[token] = {
                    "plan": plan.pk,
                    "filename": filename,
                    "parsed": to_session(parsed),
                }
                request.session[SESSION_KEY] = pending
                context["token"] = token
            else:
                status = 400 if preview.problems else 200
        else:
            status = 400
    context["form"] = form
    return render(request, "plans/import.html", context, status=status)


AUDIT_KEY = "excel_audits"


@login_required
@nav("granska")
def forbund_audit(request, slug: str):
    """Granska en plan: upload a workbook with the figures a document states, and get every
    disagreement with the figures computed from its rows. Nothing is stored; the report is kept
    in the session for its PDF and Excel downloads."""
    access = get_forbund_for_user(request, slug)
    context = {"access": access, "forbund": access.forbund}
    token = request.GET.get("rapport")
    stored = request.session.get(AUDIT_KEY, {}).get(token) if token else None
    if stored is not None:
        report = audit_workbook(from_session(stored["parsed"]), forbund=access.forbund)
        title = f"Granskning av {stored['filename']} – {access.forbund.name}"
        fmt = request.GET.get("format")
        if fmt in ("xlsx", "pdf"):
            kind = "excel" if fmt == "xlsx" else "pdf"
            if (answer := ratelimit.refused(request, kind)) is not None:
                return answer
        if fmt == "xlsx":
            return xlsx_response(
                report_workbook(report, title=title), f"granskning-{access.forbund.slug}.xlsx"
            )
        if fmt == "pdf":
            html = render_to_string(
                "pdf/audit_report.html",
                {"report": report, "title": title, "forbund": access.forbund},
            )
            return pdf_response(html, f"granskning-{access.forbund.slug}.pdf")
        context.update(report=report, filename=stored["filename"], token=token)
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and (answer := ratelimit.refused(request, "excel")) is not None:
        return answer
    if request.method == "POST":
        if form.is_valid():
            filename, parsed = _read(form)
            report = audit_workbook(parsed, forbund=access.forbund)
            token = secrets.token_urlsafe(16)
            # The last few reports of this session, for their downloads; never in the database.
            kept = dict(list(request.session.get(AUDIT_KEY, {}).items())[-4:])
            kept[token] = {"filename": filename, "parsed": to_session(parsed)}
            request.session[AUDIT_KEY] = kept
            context.update(report=report, filename=filename, token=token)
            status = 400 if report.problems else 200
        else:
            status = 400
    context["form"] = form
    return render(request, "plans/audit.html", context, status=status)
