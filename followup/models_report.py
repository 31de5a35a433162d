"""The delårsrapport: the year as it stood at the end of a month, with the kansli's own text,
reviewed and adopted by the styrelse exactly as the plan is (plans.models.ReviewedDocument:
plans.workflow submits it, takes the board's approvals and comments, records the decision) and
archived once as PDF/A. Its figures are frozen when it is submitted, so a report is never drawn
again from the live follow-up; a correction of an adopted report is a new version.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from finsam.models import Forbund, Versioned
from followup.compute import MONTH_NAMES
from plans.models import (
    ApprovalBase,
    ArchivedPdf,
    CommentBase,
    Plan,
    PlanStatus,
    ReviewedDocument,
    ReviewRoundBase,
)
from plans.tasks import render_pdf_task

# The förvaltningsberättelse's parts a first report begins with (later ones take the headings of
# the report before).
DEFAULT_SECTIONS = (
    "Viktiga händelser under perioden",
    "Måluppfyllelse",
    "God ekonomisk hushållning",
    "Eget kapital",
    "Förväntad utveckling",
)


def period_end(year: int, month: int) -> date:
    """The last day of the month: the date the report is made per."""
    next_month = date(year + month // 12, month % 12 + 1, 1)
    return date.fromordinal(next_month.toordinal() - 1)


class Delarsrapport(Versioned, ReviewedDocument):
    """A report of the followed year per the end of a month (30 April, 31 August …)."""

    forbund = models.ForeignKey(
        Forbund, verbose_name="förbund", on_delete=models.CASCADE, related_name="delarsrapporter"
    )
    plan = models.ForeignKey(
        Plan,
        verbose_name="följd plan",
        on_delete=models.PROTECT,
        related_name="delarsrapporter",
    )
    year = models.PositiveSmallIntegerField("år")
    month = models.PositiveSmallIntegerField("per utgången av månad")
    version = models.PositiveSmallIntegerField("version", default=1)
    revises = models.ForeignKey(
        "self",
        verbose_name="rättar",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revisions",
    )
    # The prognos the report presents; the decision reports it to the board and locks it.
    prognos = models.ForeignKey(
        "followup.Prognos",
        verbose_name="prognos",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="delarsrapporter",
    )
    # The report's figures as they stood when it was submitted (followup.reports.report_data).
    frozen = models.JSONField("rapportens siffror när den lämnades in", null=True, blank=True)
    created_at = models.DateTimeField("skapad", auto_now_add=True)
    updated_at = models.DateTimeField("ändrad", auto_now=True)

    noun = "delårsrapporten"
    noun_indefinite = "en delårsrapport"
    noun_submitted = "en inlämnad delårsrapport"
    noun_other = "en annan delårsrapport"
    audit_prefix = "delarsrapport"
    revise_hint = "Gör en rättad version i stället."

    class Meta:
        verbose_name = "delårsrapport"
        verbose_name_plural = "delårsrapporter"
        ordering = ["-year", "-month", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["forbund", "year", "month", "version"],
                name="delarsrapport_unique_version",
                violation_error_message="Det finns redan en delårsrapport för den månaden och "
                "versionen.",
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1) & Q(month__lte=12),
                name="delarsrapport_month",
                violation_error_message="Månaden ska vara 1–12.",
            ),
            models.CheckConstraint(
                condition=~Q(status=PlanStatus.ANTAGEN)
                | (Q(meeting_date__isnull=False) & ~Q(paragraph="")),
                name="delarsrapport_adopted_has_decision",
                violation_error_message="En antagen delårsrapport har sammanträdesdatum och "
                "paragraf.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def period_end(self) -> date:
        return period_end(self.year, self.month)

    @property
    def period_label(self) -> str:
        """ "31 augusti 2027"."""
        return f"{self.period_end.day} {MONTH_NAMES[self.month - 1]} {self.year}"

    @property
    def title(self) -> str:
        base = f"Delårsrapport per {self.period_label}"
        if self.version > 1:
            base += f" (version {self.version})"
        return base

    @property
    def forbund_name(self) -> str:
        return self.frozen["forbund_name"] if self.frozen else self.forbund.name

    # --- As a reviewed document (plans.workflow) ---------------------------------------------

    @property
    def review_plan(self) -> Plan:
        return self.plan

    def ensure_submittable(self) -> None:
        from followup.reports import latest_prognos

        if latest_prognos(self) is None:
            raise ValidationError(
                f"Gör en prognos per {self.period_label} (eller tidigare) innan rapporten lämnas "
                "in: rapporten redovisar den."
            )

    def submit_problems(self) -> list[str]:
        from followup.reports import report_problems

        return report_problems(self)

    def freeze(self) -> list[str]:
        from followup.models import Prognos
        from followup.reports import report_data

        # The prognos is read under a lock, so a save of its lines waits for the submission and
        # then finds the report submitted (followup.services.prognos_lines_set refuses it).
        list(
            Prognos.objects.select_for_update()
            .filter(forbund_id=self.forbund_id, year=self.year, month__lte=self.month)
            .values_list("pk", flat=True)
        )
        self.frozen = report_data(self)  # and the prognos it presents, the latest by then
        return ["frozen", "prognos", "plan"]

    def unfreeze(self) -> list[str]:
        self.frozen = None
        return ["frozen"]

    def review_snapshot(self) -> dict:
        from followup.reports import report_snapshot

        return report_snapshot(self)

    def snapshot_changes(self, then: dict) -> tuple[list, list]:
        from followup.reports import report_snapshot, snapshot_changes

        return snapshot_changes(then, report_snapshot(self))

    def lineage(self) -> dict:
        return {
            "report__forbund_id": self.forbund_id,
            "report__year": self.year,
            "report__month": self.month,
        }

    def check_meeting_date(self, meeting_date: date) -> None:
        """A board decides on a report after its period has ended, never in the future."""
        if meeting_date > timezone.localdate():
            raise ValidationError({"meeting_date": "Beslutet kan inte ha fattats i framtiden."})
        if meeting_date <= self.period_end:
            raise ValidationError(
                {
                    "meeting_date": f"En delårsrapport per {self.period_label} beslutas efter "
                    "periodens slut; kontrollera datumet."
                }
            )

    def meeting_date_unusual(self, meeting_date: date) -> str:
        if (meeting_date - self.period_end).days > 122:
            return "mer än fyra månader efter periodens slut"
        return ""

    def after_adoption(self, acting_user):
        """The prognos the report presents is reported to the board with it (and so locked,
        as prognos_report records it); the report's PDF is archived once."""
        from followup.services import prognos_report

        if self.prognos_id is not None and not self.prognos.is_locked:
            prognos_report(
                plan=self.plan,
                prognos=self.prognos,
                meeting_date=self.meeting_date,
                paragraph=self.paragraph,
                acting_user=acting_user,
            )
        pdf = ReportPdf.objects.create(report=self, requested_by=acting_user)
        return lambda: render_pdf_task.enqueue(pdf._meta.label, pdf.pk)

    def review_url(self) -> str:
        return reverse("delarsrapport", args=[self.forbund.slug, self.year, self.pk])


class ReportSection(Versioned):
    """A part of the report's förvaltningsberättelse, written by the kansli."""

    report = models.ForeignKey(
        Delarsrapport,
        verbose_name="delårsrapport",
        on_delete=models.CASCADE,
        related_name="sections",
    )
    order = models.PositiveSmallIntegerField("ordning", default=0)
    title = models.CharField("rubrik", max_length=200)
    body = models.TextField(
        "text",
        blank=True,
        help_text="Stycken, rubriker, listor, fetstil, kursiv och länkar. Annat tas bort när du sparar.",
    )

    class Meta:
        verbose_name = "avsnitt i delårsrapport"
        verbose_name_plural = "avsnitt i delårsrapporter"
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.title


class ReportComment(CommentBase):
    report = models.ForeignKey(
        Delarsrapport,
        verbose_name="delårsrapport",
        on_delete=models.CASCADE,
        related_name="comments",
    )
    section = models.ForeignKey(
        ReportSection,
        verbose_name="avsnitt",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
    )

    class Meta(CommentBase.Meta):
        verbose_name = "kommentar till delårsrapport"
        verbose_name_plural = "kommentarer till delårsrapporter"

    @property
    def document(self) -> Delarsrapport:
        return self.report


class ReportRound(ReviewRoundBase):
    report = models.ForeignKey(
        Delarsrapport,
        verbose_name="delårsrapport",
        on_delete=models.CASCADE,
        related_name="review_rounds",
    )

    class Meta(ReviewRoundBase.Meta):
        ordering = ["report", "round"]
        constraints = [
            models.UniqueConstraint(fields=["report", "round"], name="reportround_unique")
        ]

    def __str__(self) -> str:
        return f"{self.report} omgång {self.round}"


class ReportApproval(ApprovalBase):
    report = models.ForeignKey(
        Delarsrapport,
        verbose_name="delårsrapport",
        on_delete=models.CASCADE,
        related_name="approvals",
    )

    class Meta(ApprovalBase.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["report", "user", "round"],
                name="reportapproval_once_per_round",
                violation_error_message="Du har redan tagit ställning i denna omgång.",
            )
        ]


class ReportPdf(ArchivedPdf):
    """The adopted report's archived PDF/A."""

    report = models.ForeignKey(
        Delarsrapport, verbose_name="delårsrapport", on_delete=models.PROTECT, related_name="pdfs"
    )

    class Meta(ArchivedPdf.Meta):
        verbose_name = "delårsrapportens pdf"
        verbose_name_plural = "delårsrapporternas pdf-filer"
        constraints = [
            models.UniqueConstraint(
                fields=["report"],
                name="reportpdf_one_archived_copy",
                violation_error_message="Den antagna delårsrapporten har redan sin arkiverade pdf.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.report} ({self.get_status_display()})"

    @property
    def forbund_id(self) -> int:
        return self.report.forbund_id

    def render(self):
        from followup.reports import render_report_pdf

        return render_report_pdf(self.report)

    def download_url(self) -> str:
        report = self.report
        return reverse("delarsrapport_pdf", args=[report.forbund.slug, report.year, report.pk])

    def file_name(self) -> str:
        report = self.report
        return (
            f"{report.forbund.slug}-delarsrapport-{report.year}-{report.month:02}"
            f"-v{report.version}.pdf"
        )
