"""Mål and indikatorer of a plan or of one of its insatser, and their outcomes (utfall).

They live with the insatser: most mål are an insats's, copied, shown and checked with it; the
plan's own mål (verksamhetsmål, ekonomi) are the same model without an insats.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from finsam.models import Versioned
from insatser import rules
from insatser.validators import clean_fields_with

PLAN = "plans.Plan"


class MalQuerySet(models.QuerySet):
    def for_plan(self, plan) -> MalQuerySet:
        return self.filter(plan=plan)

    def plan_level(self) -> MalQuerySet:
        return self.filter(insats__isnull=True)


class Mal(Versioned):
    """A goal: the plan's own (verksamhetsmål, ekonomi) or an insats's, measured by indikatorer."""

    AUDIT_LABELS = {"indikatorer": "Indikatorer"}  # recorded beside the fields by mal_save

    plan = models.ForeignKey(
        PLAN, verbose_name="plan", on_delete=models.CASCADE, related_name="mal"
    )
    insats = models.ForeignKey(
        "insatser.Insats",
        verbose_name="insats",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="mal",
    )
    level = models.CharField("slag av mål", max_length=10, choices=rules.MAL_LEVEL_CHOICES)
    text = models.TextField("mål")
    standard = models.CharField(
        "standardmål", max_length=20, choices=rules.STANDARD_CHOICES, blank=True
    )
    order = models.PositiveSmallIntegerField("ordning", default=0)

    objects = MalQuerySet.as_manager()

    class Meta:
        verbose_name = "mål"
        verbose_name_plural = "mål"
        ordering = ["level", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level=rules.INSATSMAL, insats__isnull=False)
                | (~Q(level=rules.INSATSMAL) & Q(insats__isnull=True)),
                name="mal_level_matches_insats",
                violation_error_message="En insats mål hör till insatsen; planens mål till planen.",
            ),
            models.UniqueConstraint(
                fields=["insats", "standard"],
                condition=~Q(standard=""),
                name="mal_unique_standard",
                violation_error_message="Insatsen har redan detta standardmål.",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]

    def clean(self) -> None:
        if self.insats_id and self.plan_id and self.insats.plan_id != self.plan_id:
            raise ValidationError("Insatsen hör till en annan plan.")
        if (self.level == rules.INSATSMAL) != bool(self.insats_id):
            raise ValidationError({"level": "Välj verksamhetsmål eller mål för ekonomin."})


class Indikator(models.Model):
    """How a goal is measured: a share, a count, yes/no or text, with a target and a source."""

    mal = models.ForeignKey(
        Mal, verbose_name="mål", on_delete=models.CASCADE, related_name="indikatorer"
    )
    description = models.CharField(
        "indikator",
        max_length=300,
        help_text="Vad som mäts, t.ex. ”andel till arbete eller studier”.",
    )
    kind = models.CharField("slag", max_length=6, choices=rules.INDIKATOR_KIND_CHOICES)
    target_value = models.DecimalField(
        "målvärde", max_digits=12, decimal_places=2, null=True, blank=True
    )
    target_yes = models.BooleanField("målvärde ja/nej", null=True, blank=True)
    target_text = models.CharField("målvärde i text", max_length=300, blank=True)
    direction = models.CharField(
        "riktning", max_length=6, choices=rules.DIRECTION_CHOICES, default=rules.MINST
    )
    source = models.CharField("mätkälla", max_length=14, choices=rules.SOURCE_CHOICES)
    source_text = models.CharField(
        "annan mätkälla", max_length=200, blank=True, help_text="När källan är ”Annan källa”."
    )
    order = models.PositiveSmallIntegerField("ordning", default=0)

    class Meta:
        verbose_name = "indikator"
        verbose_name_plural = "indikatorer"
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=rules.ANDEL)
                | Q(target_value__isnull=True)
                | (Q(target_value__gte=0) & Q(target_value__lte=100)),
                name="indikator_andel_range",
                violation_error_message=rules.PERCENT_MESSAGE,
            ),
            models.CheckConstraint(
                condition=~Q(kind=rules.ANTAL)
                | Q(target_value__isnull=True)
                | Q(target_value__gte=0),
                name="indikator_antal_not_negative",
                violation_error_message=rules.COUNT_MESSAGE,
            ),
            models.CheckConstraint(
                condition=~Q(source=rules.ANNAN) | ~Q(source_text=""),
                name="indikator_other_source_named",
                violation_error_message="Ange vilken den andra mätkällan är.",
            ),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def target(self) -> Decimal | bool | None:
        if self.kind in rules.NUMERIC_KINDS:
            return self.target_value
        if self.kind == rules.JANEJ:
            return self.target_yes
        return None

    @property
    def target_label(self) -> str:
        """The target as the plan prints it: "minst 40 %", "högst 12", "ja"."""
        if self.kind == rules.TEXT:
            return self.target_text
        if self.kind == rules.JANEJ:
            return "" if self.target_yes is None else ("ja" if self.target_yes else "nej")
        if self.target_value is None:
            return ""
        return f"{self.get_direction_display().lower()} {rules.format_value(self.kind, self.target_value)}"

    @property
    def source_label(self) -> str:
        return self.source_text if self.source == rules.ANNAN else self.get_source_display()

    def _field_problems(self) -> dict[str, str]:
        problems = {}
        if self.kind in rules.NUMERIC_KINDS:
            if self.target_value is None:
                problems["target_value"] = "Ange ett målvärde."
            elif problem := rules.number_problem(self.kind, self.target_value):
                problems["target_value"] = problem
        elif self.kind == rules.JANEJ and self.target_yes is None:
            problems["target_yes"] = "Ange om målet är ja eller nej."
        elif self.kind == rules.TEXT and not self.target_text.strip():
            problems["target_text"] = "Beskriv målvärdet."
        if self.source == rules.ANNAN and not self.source_text.strip():
            problems["source_text"] = "Ange vilken den andra mätkällan är."
        return problems

    def clean_fields(self, exclude=None) -> None:
        clean_fields_with(self, exclude, super().clean_fields)

    def clean(self) -> None:
        # Only the target that goes with the kind is kept.
        if self.kind not in rules.NUMERIC_KINDS:
            self.target_value = None
        if self.kind != rules.JANEJ:
            self.target_yes = None
        if self.kind != rules.TEXT:
            self.target_text = ""
        if self.source != rules.ANNAN:
            self.source_text = ""


class Utfall(models.Model):
    """An indikator's measured outcome in one year, recorded in the follow-up."""

    indikator = models.ForeignKey(
        Indikator, verbose_name="indikator", on_delete=models.CASCADE, related_name="utfall"
    )
    year = models.PositiveSmallIntegerField("år")
    value = models.DecimalField("utfall", max_digits=12, decimal_places=2, null=True, blank=True)
    value_yes = models.BooleanField("utfall ja/nej", null=True, blank=True)
    value_text = models.CharField("utfall i text", max_length=300, blank=True)

    class Meta:
        verbose_name = "utfall"
        verbose_name_plural = "utfall"
        ordering = ["indikator", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["indikator", "year"],
                name="utfall_unique_year",
                violation_error_message="Indikatorn har redan ett utfall för detta år.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indikator} {self.year}"

    @property
    def outcome(self) -> Decimal | bool | None:
        return self.value_yes if self.indikator.kind == rules.JANEJ else self.value

    @property
    def label(self) -> str:
        kind = self.indikator.kind
        if kind == rules.TEXT:
            return self.value_text
        if kind == rules.JANEJ:
            return "" if self.value_yes is None else ("ja" if self.value_yes else "nej")
        if self.value is None:
            return ""
        return rules.format_value(kind, self.value)

    @property
    def met(self) -> bool | None:
        ind = self.indikator
        return rules.target_met(ind.kind, ind.direction, ind.target, self.outcome)

    def _field_problems(self) -> dict[str, str]:
        problem = rules.number_problem(self.indikator.kind, self.value)
        return {"value": problem} if problem else {}

    def clean_fields(self, exclude=None) -> None:
        clean_fields_with(self, exclude, super().clean_fields)
