"""Background work: rendering the PDFs of reviewed documents (django-tasks; the database
backend's worker runs them)."""

from __future__ import annotations

import logging
from decimal import Decimal

from django.apps import apps
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from finsam.audit import latest_change
from plans.models import PdfStatus, PlanPdf

logger = logging.getLogger(__name__)


@task()
def render_pdf_task(label: str, pdf_id: int) -> str:
    """Render one queued PDF of a reviewed document (the model `label`, e.g. "plans.PlanPdf")
    and store it with its SHA-256; an archived copy is never redone."""
    model = apps.get_model(label)
    pdf = model.objects.get(pk=pdf_id)
    if pdf.status != PdfStatus.KO:
        return pdf.status
    # What the rendering starts from; a later change is newer.
    mark = latest_change(pdf.forbund_id)
    try:
        rendered = pdf.render()
    except Exception as error:  # the page must show the failure, not spin forever
        logger.exception("PDF rendering failed for %s", pdf)
        model.objects.filter(pk=pdf.pk).update(status=PdfStatus.FEL, error=str(error)[:2000])
        raise
    with transaction.atomic():
        pdf = model.objects.select_for_update().get(pk=pdf_id)
        if pdf.status != PdfStatus.KO:
            return pdf.status
        pdf.file.save(pdf.file_name(), ContentFile(rendered.content), save=False)
        pdf.sha256 = rendered.sha256
        pdf.size = len(rendered.content)
        pdf.pages = rendered.pages
        pdf.render_seconds = Decimal(f"{rendered.seconds:.3f}")
        pdf.rendered_at = timezone.now()
        pdf.status = PdfStatus.KLAR
        if hasattr(pdf, "source_mark"):
            pdf.source_mark = mark
        pdf.save()
    return PdfStatus.KLAR


@task()
def render_plan_pdf_task(pdf_id: int) -> str:
    """A plan's queued PDF (render_pdf_task for plans.PlanPdf)."""
    return render_pdf_task.call(PlanPdf._meta.label, pdf_id)
