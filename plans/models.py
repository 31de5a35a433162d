"""The verksamhetsplan: one förbund's plan for a budget year and the plan years after it."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.html import strip_tags

from budgets.checks import FEL, adoption_deadline
from budgets.models import COMPARISON_KINDS
from budgets.selectors import freeze_inputs, plan_figures
from finsam.models import (
    ROUNDING_CHOICES,
    SIGNED_AMOUNT_VALIDATORS,
    UNIT_CHOICES,
    AdoptionRecorder,
    Forbund,
    Versioned,
    money_field,
)


class PlanStatus(models.TextChoices):
    UTKAST = "utkast", "Utkast"
    INLAMNAD = "inlamnad", "Inlämnad till styrelsen"
    ANTAGEN = "antagen", "Antagen"


class PlanLocked(ValidationError):
    """The plan is not a draft (it is submitted or adopted), so nothing in it may change."""


class PlanQuerySet(models.QuerySet):
    def for_forbund(self, forbund: Forbund) -> PlanQuerySet:
        return self.filter(forbund=forbund)

    def adopted(self) -> PlanQuerySet:
        return self.filter(status=PlanStatus.ANTAGEN)


class ReviewedDocument(models.Model):
    """A document the styrelse reviews and adopts: the plan, and the reports of its year
    (followup). One mechanism for all of them: plans.workflow submits a draft, returns it
    (återremiss), takes the board members' approvals and comments, and records the decision with
    its date, § and attendance; the archived PDF follows. A concrete document says what it is
    through the few methods at the end of this class (its noun, what stops a submission, what is
    frozen with it, what is archived, where it is read)."""

    status = models.CharField(
        "status", max_length=10, choices=PlanStatus.choices, default=PlanStatus.UTKAST
    )
    submission_round = models.PositiveSmallIntegerField("granskningsomgång", default=0)
    # The förbund's adoption rules as they stood when the document was submitted: they govern
    # this round, so changing the förbund's settings afterwards cannot lower the bar for it.
    round_requires_quorum = models.BooleanField(
        "omgången prövar styrelsens beslutsförhet", null=True, blank=True
    )
    round_recorder = models.CharField(
        "omgångens beslut registreras av",
        max_length=12,
        choices=AdoptionRecorder.choices,
        blank=True,
    )
    submitted_at = models.DateTimeField("inlämnad", null=True, blank=True)
    meeting_date = models.DateField("sammanträdesdatum", null=True, blank=True)
    paragraph = models.CharField("protokollsparagraf", max_length=20, blank=True)
    diarienummer = models.CharField("diarienummer", max_length=40, blank=True)
    # Who was at the meeting that adopted it, as the recorder entered it:
    # {"ledamoter": [names], "ersattare": [names serving for an absent ledamot], ...}.
    attendance = models.JSONField("närvarande vid beslutet", null=True, blank=True, editable=False)
    adopted_at = models.DateTimeField("antagandet registrerat", null=True, blank=True)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="registrerat av",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    # The document in the workflow's messages and the log's actions.
    noun = "dokumentet"  # "planen"
    noun_indefinite = "ett dokument"  # "en plan"
    noun_submitted = "ett inlämnat dokument"  # "en inlämnad plan"
    noun_other = "ett annat dokument"  # "en annan plan"
    audit_prefix = "dokument"  # "plan": "plan.submit", "plan.adopt"
    revise_hint = "Gör en ny version i stället."  # what to do instead of changing an adopted one

    class Meta:
        abstract = True

    @property
    def is_adopted(self) -> bool:
        return self.status == PlanStatus.ANTAGEN

    @property
    def is_editable(self) -> bool:
        return self.status == PlanStatus.UTKAST

    @property
    def is_submitted(self) -> bool:
        return self.status == PlanStatus.INLAMNAD

    @property
    def requires_quorum(self) -> bool:
        """The rule of this round of review, or the förbund's while the document is a draft."""
        if self.round_requires_quorum is not None and not self.is_editable:
            return self.round_requires_quorum
        return self.forbund.adoption_requires_quorum

    @property
    def adoption_recorder(self) -> str:
        """Who records the decision in this round, or the förbund's rule for a draft."""
        if self.round_recorder and not self.is_editable:
            return self.round_recorder
        return self.forbund.adoption_recorder

    @property
    def adoption_rules_changed(self) -> bool:
        """The förbund has changed its adoption rules since this document was submitted."""
        return (
            not self.is_editable
            and self.round_recorder != ""
            and (
                self.round_recorder != self.forbund.adoption_recorder
                or self.round_requires_quorum != self.forbund.adoption_requires_quorum
            )
        )

    def locked(self):
        """This document's row afresh, locked until the transaction ends (select_for_update)."""
        return type(self).objects.select_for_update().select_related("forbund").get(pk=self.pk)

    def ensure_editable(self) -> None:
        """Refuse any change to a document that has left the draft state (submitted or adopted).

        The one gate: the lookup asks it for edit access, and every service that changes the
        document or anything in it asks it again inside its transaction (see locked_draft).
        """
        if self.is_adopted:
            raise PlanLocked(
                f"{self.noun.capitalize()} är antagen och kan inte ändras. {self.revise_hint}"
            )
        if not self.is_editable:
            raise PlanLocked(
                f"{self.noun.capitalize()} är inlämnad till styrelsen och kan inte ändras just nu."
            )

    def locked_draft(self):
        """The locked row, or PlanLocked when the document is no longer a draft."""
        document = self.locked()
        document.ensure_editable()
        return document

    @property
    def decision_text(self) -> str:
        """ "Antagen av styrelsen den 27 november 2020, §108, Dnr 65/20"."""
        if not self.is_adopted:
            return ""
        text = (
            f"Antagen av styrelsen den {date_format(self.meeting_date, 'j F Y')}, {self.paragraph}"
        )
        return text + (f", Dnr {self.diarienummer}" if self.diarienummer else "")

    # --- What each document says of itself (plans.workflow asks) ----------------------------

    @property
    def review_plan(self):
        """The plan the document belongs to: its events are filed under it (the history)."""
        raise NotImplementedError

    def ensure_submittable(self) -> None:
        """ValidationError when something must be done before the document is submitted."""

    def submit_problems(self) -> list[str]:
        """Why the document cannot go to the board now (fel that must be mended), or []."""
        raise NotImplementedError

    def freeze(self) -> list[str]:
        """Fix what the document rests on as it is submitted; the fields written."""
        raise NotImplementedError

    def unfreeze(self) -> list[str]:
        """A returned draft follows its sources again; the fields written."""
        raise NotImplementedError

    def review_snapshot(self) -> dict:
        """The document's figures and texts at a submission, for "changes since your review"."""
        raise NotImplementedError

    def snapshot_changes(self, then: dict) -> tuple[list, list]:
        """(figure changes, text changes) since the snapshot `then`."""
        raise NotImplementedError

    def lineage(self) -> dict:
        """The approvals' filter for this document and its earlier versions."""
        raise NotImplementedError

    def check_meeting_date(self, meeting_date: date) -> None:
        """ValidationError for a decision date that cannot be right (it would be frozen)."""
        raise NotImplementedError

    def meeting_date_unusual(self, meeting_date: date) -> str:
        """Why a decision on this date needs the registrar's confirmation, or ""."""
        raise NotImplementedError

    def after_adoption(self, acting_user):
        """What follows the decision (the archived copy queued); returns what runs on commit."""
        raise NotImplementedError

    def review_url(self) -> str:
        """Where the document is read and reviewed (the link in the e-mail)."""
        raise NotImplementedError


class Plan(Versioned, ReviewedDocument):
    """A förbund's verksamhetsplan and budget for budget year N with plan years N+1, N+2…"""

    forbund = models.ForeignKey(
        Forbund, verbose_name="förbund", on_delete=models.CASCADE, related_name="plans"
    )
    budget_year = models.PositiveSmallIntegerField(
        "budgetår",
        validators=[
            MinValueValidator(2000, "Ange ett budgetår från 2000."),
            MaxValueValidator(2100, "Ange ett budgetår före 2100."),
        ],
    )
    plan_years = models.PositiveSmallIntegerField(
        "antal år i planen",
        default=3,
        validators=[
            MinValueValidator(1, "Planen omfattar minst budgetåret."),
            MaxValueValidator(5, "Planen kan omfatta högst fem år."),
        ],
        help_text="Budgetåret och planåren efter det; oftast tre år.",
    )
    version = models.PositiveSmallIntegerField("version", default=1)
    revises = models.ForeignKey(
        "self",
        verbose_name="reviderar",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revisions",
    )
    # Comparison columns for the year before the budget year, chosen one by one.
    compare_budget = models.BooleanField("visa budget för året före", default=False)
    compare_prognos = models.BooleanField("visa prognos för året före", default=False)
    compare_utfall = models.BooleanField(
        "visa utfall för året före", default=False, help_text="När bokslutet för året är klart."
    )
    plan_year_heading = models.CharField(
        "rubrik för planåren",
        max_length=8,
        choices=[("Plan", "Plan"), ("Prognos", "Prognos")],
        default="Plan",
        help_text="Åren efter budgetåret heter ”Plan 2026” eller ”Prognos 2026” i tabellerna.",
    )
    opening_equity = money_field(
        "ingående eget kapital budgetåret",
        default=0,
        validators=SIGNED_AMOUNT_VALIDATORS,
        help_text="Eget kapital vid ingången av budgetåret (balanserat resultat).",
    )
    under_use_percent = models.DecimalField(
        "planerat underutnyttjande av insatser (%)",
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[
            MinValueValidator(0, "Ange en procentsats mellan 0 och 100."),
            MaxValueValidator(100, "Ange en procentsats mellan 0 och 100."),
        ],
        help_text="Insatsernas kostnader budgeteras så mycket lägre än beviljat, t.ex. 5 %.",
    )
    deficit_reason = models.TextField(
        "motivering till planerat underskott",
        blank=True,
        help_text="Budget i balans gäller; ett underskott som medvetet förbrukar sparat kapital "
        "motiveras här och visas i planen.",
    )
    toc_depth = models.PositiveSmallIntegerField(
        "innehållsförteckningens djup",
        choices=[
            (1, "Avsnitten"),
            (2, "Avsnitten och deras rubriker"),
            (3, "Avsnitten, rubriker och underrubriker"),
        ],
        default=1,
        help_text="Vilka rubriker innehållsförteckningen i dokumentet och pdf:en listar.",
    )
    number_chapters = models.BooleanField(
        "numrera avsnitten",
        default=False,
        help_text="Avsnitten numreras 1., 2. … och deras rubriker 1.1, 1.2 …, i rubrikerna och i "
        "innehållsförteckningen. En rubrik som redan har ett nummer får inte två.",
    )
    # The förbund's data the figures rest on (units, members, fördelningstal, budget groups and
    # categories), as they stood when the plan was submitted: budgets.selectors.freeze_inputs.
    frozen = models.JSONField("förbundets uppgifter när planen lämnades in", null=True, blank=True)
    created_at = models.DateTimeField("skapad", auto_now_add=True)
    updated_at = models.DateTimeField("ändrad", auto_now=True)

    objects = PlanQuerySet.as_manager()

    # Facts the decision records beside the plan's fields (finsam.audit names them so).
    AUDIT_LABELS = {"styrelse_bytt": "Styrelsen bytt sedan inlämningen"}

    class Meta:
        verbose_name = "verksamhetsplan"
        verbose_name_plural = "verksamhetsplaner"
        ordering = ["-budget_year", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["forbund", "budget_year", "version"],
                name="plan_unique_version",
                violation_error_message="Förbundet har redan en plan för detta budgetår och version.",
            ),
            models.CheckConstraint(
                condition=Q(plan_years__gte=1) & Q(plan_years__lte=5),
                name="plan_years_range",
                violation_error_message="Planen omfattar mellan ett och fem år.",
            ),
            models.CheckConstraint(
                condition=~Q(status=PlanStatus.ANTAGEN)
                | (Q(meeting_date__isnull=False) & ~Q(paragraph="")),
                name="plan_adopted_has_decision",
                violation_error_message="En antagen plan har sammanträdesdatum och paragraf.",
            ),
            models.CheckConstraint(
                condition=Q(under_use_percent__gte=0) & Q(under_use_percent__lte=100),
                name="plan_under_use_range",
                # Django formats the message with %(name)s: a percent sign is written %%.
                violation_error_message="Underutnyttjandet ska vara mellan 0 och 100 %%.",
            ),
            models.CheckConstraint(
                condition=Q(toc_depth__gte=1) & Q(toc_depth__lte=3),
                name="plan_toc_depth_range",
                violation_error_message="Innehållsförteckningen listar en till tre nivåer av rubriker.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def years(self) -> list[int]:
        return list(range(self.budget_year, self.budget_year + self.plan_years))

    @property
    def last_year(self) -> int:
        return self.budget_year + self.plan_years - 1

    @property
    def comparison_kinds(self) -> list[str]:
        """The comparison columns the plan shows for the year before: budget, prognos, utfall."""
        return [kind for kind in COMPARISON_KINDS if getattr(self, f"compare_{kind}")]

    @property
    def show_comparison(self) -> bool:
        return bool(self.comparison_kinds)

    @property
    def comparison_year(self) -> int | None:
        return self.budget_year - 1 if self.show_comparison else None

    @property
    def period(self) -> str:
        """ "2024 med plan för 2025–2026", "2024 med plan för 2025", or "2024" alone."""
        text = str(self.budget_year)
        if self.plan_years > 1:
            text += f" med plan för {self.budget_year + 1}"
            if self.plan_years > 2:
                text += f"–{self.last_year}"
        return text

    @property
    def document_title(self) -> str:
        """The title as the document's title page states it: "Verksamhetsplan och budget 2024
        med plan för 2025–2026" (the version is said on its own line)."""
        return f"Verksamhetsplan och budget {self.period}"

    @property
    def logo_name(self) -> str:
        """The förbund's logo file as the plan shows it (as submitted, for a frozen plan)."""
        if self.frozen:
            return self.frozen.get("logo", "")  # frozen before logos: none
        return self.forbund.logo.name or ""

    @property
    def title(self) -> str:
        base = f"Verksamhetsplan och budget {self.period}"
        if self.version > 1:
            base += f" (version {self.version})"
        return base

    @property
    def next_budget_years(self) -> list[int]:
        """The budget years this plan can be carried into: those whose year before it covers."""
        return [year + 1 for year in self.years]

    def _forbund_setting(self, name: str):
        # As submitted for a submitted or adopted plan (frozen), the förbund's for a draft.
        return self.frozen[name] if self.frozen else getattr(self.forbund, name)

    @property
    def forbund_name(self) -> str:
        """The förbund's name as the plan states it (its title page, its running header)."""
        return self.frozen["forbund_name"] if self.frozen else self.forbund.name

    @property
    def organisationsnummer(self) -> str:
        return self._forbund_setting("organisationsnummer")

    @property
    def vision(self) -> str:
        return self._forbund_setting("vision")

    @property
    def amount_unit(self) -> str:
        return self._forbund_setting("amount_unit")

    @property
    def amount_unit_label(self) -> str:
        return dict(UNIT_CHOICES)[self.amount_unit]

    @property
    def rounding_unit(self) -> int:
        return self._forbund_setting("rounding_unit")

    @property
    def rounding_unit_label(self) -> str:
        return dict(ROUNDING_CHOICES)[self.rounding_unit]

    @property
    def region_has_kommun_role(self) -> bool:
        return self._forbund_setting("region_has_kommun_role")

    @property
    def adoption_deadline(self) -> date:
        """The last day to adopt the plan: 30 November of the year before the budget year."""
        return adoption_deadline(self.budget_year)

    # --- As a reviewed document (plans.workflow) ---------------------------------------------

    noun = "planen"
    revise_hint = "Skapa en reviderad version i stället."
    noun_indefinite = "en plan"
    noun_submitted = "en inlämnad plan"
    noun_other = "en annan plan"
    audit_prefix = "plan"

    @property
    def review_plan(self) -> Plan:
        return self

    def ensure_submittable(self) -> None:
        carried = sorted(
            self.year_rows.filter(carried_from__isnull=False).values_list("year", flat=True)
        )
        if carried:
            # A pre-filled year's errors are warnings until it is confirmed (budgets.checks).
            raise ValidationError(
                "Bekräfta först de år som förifylldes när planen skapades: "
                f"{', '.join(map(str, carried))} (under Mål och balans)."
            )

    def submit_problems(self) -> list[str]:
        return [f.message for f in plan_figures(self).findings if f.severity == FEL]

    def freeze(self) -> list[str]:
        self.frozen = freeze_inputs(self)
        return ["frozen"]

    def unfreeze(self) -> list[str]:
        self.frozen = None  # a draft follows its förbund again
        return ["frozen"]

    def review_snapshot(self) -> dict:
        from plans.diff import snapshot

        return snapshot(self)

    def snapshot_changes(self, then: dict) -> tuple[list, list]:
        """(budget changes, section changes) since the snapshot `then`."""
        from plans.diff import snapshot, snapshot_changes

        return snapshot_changes(then, snapshot(self))

    def lineage(self) -> dict:
        """The approvals' filter for this plan and the earlier versions of its budget year."""
        return {"plan__forbund_id": self.forbund_id, "plan__budget_year": self.budget_year}

    def check_meeting_date(self, meeting_date: date) -> None:
        """A board adopts a plan in the autumn before its budget year, or revises it later; a
        date before the year before that, or in the future, is a typing slip, and it would be
        frozen."""
        from django.utils import timezone

        earliest = date(self.budget_year - 2, 1, 1)
        if meeting_date > timezone.localdate():
            raise ValidationError({"meeting_date": "Beslutet kan inte ha fattats i framtiden."})
        if meeting_date < earliest:
            raise ValidationError(
                {
                    "meeting_date": f"En plan för {self.budget_year} antas tidigast "
                    f"{earliest.year}; kontrollera datumet."
                }
            )

    def meeting_date_unusual(self, meeting_date: date) -> str:
        """After the budget year began (a revision, or a slip of the year) or long before it
        (more than 18 months)."""
        if meeting_date >= date(self.budget_year, 1, 1):
            return "efter budgetårets början"
        if meeting_date < date(self.budget_year - 2, 7, 1):
            return "mer än 18 månader före budgetårets början"
        return ""

    def after_adoption(self, acting_user):
        from plans.services import enqueue_pdf

        pdf = PlanPdf.objects.create(plan=self, kind=PdfKind.ANTAGEN, requested_by=acting_user)
        return lambda: enqueue_pdf(pdf.pk)

    def review_url(self) -> str:
        from django.urls import reverse

        return reverse("plan_detail", args=[self.forbund.slug, self.pk])


class SectionKind(models.TextChoices):
    TEXT = "text", "Text"
    MAL = "mal", "Planens mål och indikatorer (genereras)"
    MALGRUPPER = "malgrupper", "Målgrupper och insatser (genereras)"
    INSATSER = "insatser", "Insatserna med mål (genereras)"
    BUDGET = "budget", "Budget och eget kapital (genereras)"
    MEDLEMSBIDRAG = "medlemsbidrag", "Medlemsbidrag per medlem (genereras)"
    RESULTAT_BALANS = "resultat_balans", "Resultat- och balansbudget (genereras)"
    ARSHJUL = "arshjul", "Årshjul (genereras)"


GENERATED_KINDS = set(SectionKind) - {SectionKind.TEXT}


class Section(Versioned):
    """One part of the plan document: text the kansli writes, or a part generated from data."""

    plan = models.ForeignKey(
        Plan, verbose_name="plan", on_delete=models.CASCADE, related_name="sections"
    )
    order = models.PositiveSmallIntegerField("ordning", default=0)
    title = models.CharField("rubrik", max_length=200)
    kind = models.CharField(
        "innehåll", max_length=20, choices=SectionKind.choices, default=SectionKind.TEXT
    )
    body = models.TextField(
        "text",
        blank=True,
        help_text="Stycken, rubriker, listor, fetstil, kursiv och länkar. Annat tas bort när du sparar.",
    )
    intro = models.TextField(
        "inledande text", blank=True, help_text="Text före det genererade innehållet."
    )

    class Meta:
        verbose_name = "avsnitt"
        verbose_name_plural = "avsnitt"
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_generated(self) -> bool:
        return self.kind != SectionKind.TEXT

    @property
    def is_empty(self) -> bool:
        """A text section with no text: only a heading in the document."""
        if self.is_generated:
            return False
        return not strip_tags(self.body or "").replace("&nbsp;", "").strip()

    @property
    def template_name(self) -> str:
        """The template of a generated section's content: plans/generated/<kind>.html."""
        return f"plans/generated/{self.kind}.html"


class CommentBase(models.Model):
    """A remark on a reviewed document or one of its sections, by a board member or the office.
    A concrete comment names its document (and section) by foreign keys of its own."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="skriven av",
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField("kommentar")
    created_at = models.DateTimeField("skriven", auto_now_add=True)
    # A reply belongs to a thread (one level); the thread's first comment is resolved or not.
    parent = models.ForeignKey(
        "self",
        verbose_name="svar på",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
    )
    round = models.PositiveSmallIntegerField("granskningsomgång", default=0)
    is_return = models.BooleanField("återremiss", default=False)
    resolved_at = models.DateTimeField("löst", null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="löst av",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        abstract = True
        verbose_name = "kommentar"
        verbose_name_plural = "kommentarer"
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.author}: {self.text[:40]}"

    @property
    def document(self) -> ReviewedDocument:
        raise NotImplementedError


class Comment(CommentBase):
    """A remark on a plan or one of its sections, by a board member or the office."""

    plan = models.ForeignKey(
        Plan, verbose_name="plan", on_delete=models.CASCADE, related_name="comments"
    )
    section = models.ForeignKey(
        Section,
        verbose_name="avsnitt",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
    )

    class Meta(CommentBase.Meta):
        pass

    @property
    def document(self) -> Plan:
        return self.plan


class Decision(models.TextChoices):
    GODKAND = "godkand", "Godkänner"
    ANDRINGAR = "andringar", "Begär ändringar"


class ReviewRoundBase(models.Model):
    """A round of review: when the document was submitted, and its figures and texts then (the
    snapshot), so a returning reviewer sees what changed since their last review."""

    round = models.PositiveSmallIntegerField("granskningsomgång")
    submitted_at = models.DateTimeField("inlämnad")
    snapshot = models.JSONField("planen vid inlämningen")

    class Meta:
        abstract = True
        verbose_name = "granskningsomgång"
        verbose_name_plural = "granskningsomgångar"


class ReviewRound(ReviewRoundBase):
    plan = models.ForeignKey(
        Plan, verbose_name="plan", on_delete=models.CASCADE, related_name="review_rounds"
    )

    class Meta(ReviewRoundBase.Meta):
        ordering = ["plan", "round"]
        constraints = [models.UniqueConstraint(fields=["plan", "round"], name="reviewround_unique")]

    def __str__(self) -> str:
        return f"{self.plan} omgång {self.round}"


class ApprovalBase(models.Model):
    """A board member's position on a submitted document in one round of review."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="ledamot", on_delete=models.PROTECT, related_name="+"
    )
    round = models.PositiveSmallIntegerField("granskningsomgång")
    decision = models.CharField("ställningstagande", max_length=10, choices=Decision.choices)
    comment = models.TextField("kommentar", blank=True)
    is_ordinarie = models.BooleanField("ordinarie ledamot", default=False)
    at = models.DateTimeField("tidpunkt", auto_now=True)

    class Meta:
        abstract = True
        verbose_name = "ställningstagande"
        verbose_name_plural = "ställningstaganden"
        ordering = ["at"]

    def __str__(self) -> str:
        return f"{self.user} {self.get_decision_display()}"


class Approval(ApprovalBase):
    plan = models.ForeignKey(
        Plan, verbose_name="plan", on_delete=models.CASCADE, related_name="approvals"
    )

    class Meta(ApprovalBase.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "user", "round"],
                name="approval_once_per_round",
                violation_error_message="Du har redan tagit ställning i denna omgång.",
            )
        ]


class EventKind(models.TextChoices):
    STYRELSEMOTE = "styrelsemote", "Styrelsemöte"
    MEDLEMSSAMRAD = "medlemssamrad", "Medlemssamråd"
    DELARSRAPPORT = "delarsrapport", "Delårsrapport"
    ARSREDOVISNING = "arsredovisning", "Årsredovisning"
    PLANERINGSDAG = "planeringsdag", "Planeringsdag"
    SISTA_DAG = "sista_dag", "Sista dag"
    ANNAT = "annat", "Annat"


class ArshjulEvent(Versioned):
    """A meeting or deadline of the plan's year: the årshjul."""

    plan = models.ForeignKey(
        Plan, verbose_name="plan", on_delete=models.CASCADE, related_name="arshjul"
    )
    date = models.DateField("datum")
    month_only = models.BooleanField(
        "bara månaden",
        default=False,
        help_text="Planen anger bara månaden (t.ex. ”Mars”); dagen visas inte.",
    )
    kind = models.CharField(
        "slag", max_length=20, choices=EventKind.choices, default=EventKind.ANNAT
    )
    title = models.CharField("vad", max_length=200)

    class Meta:
        verbose_name = "händelse i årshjulet"
        verbose_name_plural = "årshjul"
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.title}"


class PdfKind(models.TextChoices):
    UTKAST = "utkast", "Utkast med vattenmärke"
    ANTAGEN = "antagen", "Antagen plan"


class PdfStatus(models.TextChoices):
    KO = "ko", "Förbereds"
    KLAR = "klar", "Klar"
    FEL = "fel", "Misslyckades"


class ArchivedPdf(models.Model):
    """A rendered PDF of a reviewed document, stored with its SHA-256 (plans.tasks renders it in
    the worker). A concrete PDF names its document and says how it is rendered and named."""

    status = models.CharField(
        "status", max_length=4, choices=PdfStatus.choices, default=PdfStatus.KO
    )
    file = models.FileField("fil", upload_to="planer/%Y/", blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    size = models.PositiveIntegerField("storlek (byte)", default=0)
    pages = models.PositiveSmallIntegerField("sidor", default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="beställd av",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    requested_at = models.DateTimeField("beställd", auto_now_add=True)
    rendered_at = models.DateTimeField("färdig", null=True, blank=True)
    render_seconds = models.DecimalField(
        "renderingstid (s)", max_digits=8, decimal_places=3, null=True
    )
    error = models.TextField("fel", blank=True)

    class Meta:
        abstract = True
        verbose_name = "pdf"
        verbose_name_plural = "pdf-filer"
        ordering = ["-requested_at", "-pk"]

    @property
    def is_queued(self) -> bool:
        return self.status == PdfStatus.KO

    @property
    def is_ready(self) -> bool:
        return self.status == PdfStatus.KLAR

    @property
    def forbund_id(self) -> int:
        raise NotImplementedError

    def render(self):
        """The document rendered (plans.pdf.RenderedPdf)."""
        raise NotImplementedError

    def file_name(self) -> str:
        raise NotImplementedError

    def download_url(self) -> str:
        """Where the stored file is fetched, byte for byte."""
        raise NotImplementedError


class PlanPdf(ArchivedPdf):
    """A rendered PDF of a plan: a watermarked draft, or the adopted plan's archived copy."""

    plan = models.ForeignKey(
        Plan, verbose_name="plan", on_delete=models.PROTECT, related_name="pdfs"
    )
    kind = models.CharField("slag", max_length=10, choices=PdfKind.choices)
    # The förbund's latest recorded change (an AuditEvent id) when the rendering began: a draft
    # whose förbund has recorded nothing since shows the plan as it is, and is reused.
    source_mark = models.PositiveBigIntegerField("underlag", null=True, blank=True)

    class Meta(ArchivedPdf.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["plan"],
                condition=Q(kind=PdfKind.ANTAGEN),
                name="planpdf_one_adopted_copy",
                violation_error_message="Den antagna planen har redan sin arkiverade pdf.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan} ({self.get_kind_display()}, {self.get_status_display()})"

    @property
    def forbund_id(self) -> int:
        return self.plan.forbund_id

    def render(self):
        from plans.pdf import render_plan_pdf

        return render_plan_pdf(self.plan, draft=self.kind == PdfKind.UTKAST)

    def file_name(self) -> str:
        plan = self.plan
        return f"{plan.forbund.slug}-plan-{plan.budget_year}-v{plan.version}-{self.kind}.pdf"

    def download_url(self) -> str:
        from django.urls import reverse

        return reverse("pdf_download", args=[self.plan.forbund.slug, self.plan_id, self.pk])
