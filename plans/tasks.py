"""Background work: rendering PDFs (django-tasks; the database backend's worker runs them)."""

from __future__ import annotations

import logging
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from finsam.audit import latest_change
from plans.models import PdfKind, PdfStatus, PlanPdf
from plans.pdf import render_plan_pdf

logger = logging.getLogger(__name__)


@task()
def render_plan_pdf_task(pdf_id: int) -> str:
    """Render one queued PDF and store it with its SHA-256; an archived copy is never redone."""
    pdf = PlanPdf.objects.select_related("plan__forbund").get(pk=pdf_id)
    if pdf.status != PdfStatus.KO:
        return pdf.status
    # What the rendering starts from; a later change is newer.
    mark = latest_change(pdf.plan.forbund_id)
    try:
        rendered = render_plan_pdf(pdf.plan, draft=pdf.kind == PdfKind.UTKAST)
    except Exception as error:  # the page must show the failure, not spin forever
        logger.exception("PDF rendering failed for %s", pdf)
        PlanPdf.objects.filter(pk=pdf.pk).update(status=PdfStatus.FEL, error=str(error)[:2000])
        raise
    with transaction.atomic():
        pdf = PlanPdf.objects.select_for_update().get(pk=pdf_id)
        if pdf.status != PdfStatus.KO:
            return pdf.status
        name = f"{pdf.plan.forbund.slug}-plan-{pdf.plan.budget_year}-v{pdf.plan.version}-{pdf.kind}.pdf"
        pdf.file.save(name, ContentFile(rendered.content), save=False)
        pdf.sha256 = rendered.sha256
        pdf.size = len(rendered.content)
        pdf.pages = rendered.pages
        pdf.render_seconds = Decimal(f"{rendered.seconds:.3f}")
        pdf.rendered_at = timezone.now()
        pdf.status = PdfStatus.KLAR
        pdf.source_mark = mark
        pdf.save()
    return PdfStatus.KLAR
